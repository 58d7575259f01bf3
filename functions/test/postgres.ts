import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import * as net from "node:net";
import { Client } from "pg";

/** Where the Debian packages put the server binaries (`postgresql-<major>`), or PATH. */
function serverBinaries(): string {
  const root = "/usr/lib/postgresql";
  const majors = fs.existsSync(root) ? fs.readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  for (const major of majors) {
    const bin = path.join(root, major, "bin");
    if (fs.existsSync(path.join(bin, "initdb"))) return bin;
  }
  try {
    return path.dirname(execFileSync("which", ["initdb"], { encoding: "utf8" }).trim());
  } catch {
    throw new Error(
      "PostgreSQL server binaries not found: install the Debian package (apt-get install postgresql), " +
        "as .ci/run does",
    );
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

export interface TestPostgres {
  readonly port: number;
  /** The CA that signed the server's certificate (for `localhost`), PEM. */
  readonly ca: string;
  /** The secret value a pull reads: RDS secret JSON for the `puller` role on database `source`. */
  secretValue(overrides?: Record<string, unknown>): string;
  /** A superuser client over TLS, for setting up tables and rows. */
  admin(): Promise<Client>;
  /** Ends every session of the `puller` role (an interrupted pull). */
  terminatePullers(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A real PostgreSQL server for one test file: a fresh cluster in a temp directory on a free loopback port,
 * TLS only (`hostssl`, a CA and a server certificate made with openssl), a `puller` role with read access
 * to database `source`. As root, the server runs as the `postgres` user the Debian package creates,
 * because initdb refuses to run as root.
 */
export async function startPostgres(): Promise<TestPostgres> {
  const bin = serverBinaries();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pg-"));
  const data = path.join(dir, "data");
  const asRoot = process.getuid?.() === 0;
  const runAs = (cmd: string, args: string[]) =>
    asRoot ? { cmd: "runuser", args: ["-u", "postgres", "--", cmd, ...args] } : { cmd, args };
  if (asRoot) execFileSync("chown", ["postgres", dir]);
  const init = runAs(path.join(bin, "initdb"), [
    "-D",
    data,
    "-U",
    "admin",
    "--auth=trust",
    "-E",
    "UTF8",
    "--no-sync",
  ]);
  execFileSync(init.cmd, init.args, { stdio: "pipe" });

  const ssl = (...args: string[]) => execFileSync("openssl", args, { cwd: data, stdio: "pipe" });
  ssl(
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-days",
    "2",
    "-subj",
    "/CN=medallion test CA",
    "-keyout",
    "ca.key",
    "-out",
    "ca.crt",
  );
  ssl(
    "req",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-subj",
    "/CN=localhost",
    "-keyout",
    "server.key",
    "-out",
    "server.csr",
  );
  fs.writeFileSync(path.join(data, "san.ext"), "subjectAltName=DNS:localhost\n");
  ssl(
    "x509",
    "-req",
    "-in",
    "server.csr",
    "-CA",
    "ca.crt",
    "-CAkey",
    "ca.key",
    "-CAcreateserial",
    "-days",
    "2",
    "-extfile",
    "san.ext",
    "-out",
    "server.crt",
  );
  fs.chmodSync(path.join(data, "server.key"), 0o600);
  if (asRoot) execFileSync("chown", ["-R", "postgres", data]);
  // TLS only, password auth for the puller, trust for the local admin used to seed the data.
  fs.writeFileSync(
    path.join(data, "pg_hba.conf"),
    [
      "hostssl all admin 127.0.0.1/32 trust",
      "hostssl all puller 127.0.0.1/32 scram-sha-256",
      "hostnossl all all 0.0.0.0/0 reject",
    ].join("\n") + "\n",
  );
  const port = await freePort();
  const server = runAs(path.join(bin, "postgres"), [
    "-D",
    data,
    "-p",
    String(port),
    "-c",
    "listen_addresses=127.0.0.1",
    "-c",
    "ssl=on",
    "-c",
    "unix_socket_directories=" + dir,
    "-c",
    "fsync=off",
    "-c",
    "TimeZone=America/Sao_Paulo",
  ]);
  const child: ChildProcess = spawn(server.cmd, server.args, { stdio: ["ignore", "ignore", "pipe"] });
  let log = "";
  child.stderr?.on("data", (chunk: Buffer) => (log += chunk.toString()));
  const ca = fs.readFileSync(path.join(data, "ca.crt"), "utf8");
  const connect = async (database = "postgres") => {
    const client = new Client({
      host: "localhost",
      port,
      user: "admin",
      database,
      ssl: { ca, servername: "localhost" },
    });
    await client.connect();
    return client;
  };
  for (let attempt = 0; ; attempt++) {
    try {
      const client = await connect();
      await client.query("CREATE DATABASE source");
      await client.query("CREATE ROLE puller LOGIN PASSWORD 'pull-secret'");
      await client.end();
      break;
    } catch (error) {
      if (attempt > 100 || child.exitCode !== null)
        throw new Error(`PostgreSQL did not start: ${String(error)}\n${log}`, { cause: error });
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    port,
    ca,
    secretValue: (overrides = {}) =>
      JSON.stringify({
        host: "localhost",
        port,
        username: "puller",
        password: "pull-secret",
        dbname: "source",
        ca,
        ...overrides,
      }),
    admin: () => connect("source"),
    terminatePullers: async () => {
      const client = await connect();
      await client.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'puller'");
      await client.end();
    },
    stop: async () => {
      const stop = runAs(path.join(bin, "pg_ctl"), ["stop", "-D", data, "-m", "immediate", "-w"]);
      try {
        execFileSync(stop.cmd, stop.args, { stdio: "pipe" });
      } catch {
        child.kill("SIGKILL");
      }
      await new Promise((r) => (child.exitCode !== null ? r(undefined) : child.once("exit", r)));
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
