import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import * as path from "node:path";
import * as readline from "node:readline";

/** A relation as both engines report it: column names with Spark's type names, then the rows' JSON cells. */
export interface Relation {
  readonly columns: [string, string][];
  readonly rows: unknown[][];
}

/** What spark/conformance.py answers to one command. */
export interface Reply {
  readonly ok: boolean;
  readonly error?: string;
  readonly tables?: Record<string, Relation | null>;
  readonly results?: Relation[];
  /** For `exists`: whether each named table exists. */
  readonly exists?: boolean[];
  /** For `step`: what the runner logged. */
  readonly log?: string[];
  /** For `step`: the commit this run lost to an overlapping run's commit, which failed the run there. */
  readonly conflict?: string;
}

const REPLY = "@@conformance ";

/**
 * One local Spark session (spark/conformance.py) for one table format, kept across commands so the JVM
 * starts once: the runner's own log lines go to stderr, its replies are the lines marked REPLY.
 */
export class SparkProcess {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly waiting: ((reply: Reply) => void)[] = [];
  /** Replies that came before anyone waited for them (the "ready" line of a session started early). */
  private readonly unread: Reply[] = [];

  constructor(python: string, format: "iceberg" | "delta", warehouse: string, ivy: string) {
    const script = path.join(__dirname, "..", "..", "spark", "conformance.py");
    this.child = spawn(python, [script, "--format", format, "--warehouse", warehouse, "--ivy", ivy], {
      env: { ...process.env, TZ: "UTC" },
    });
    readline.createInterface({ input: this.child.stdout }).on("line", (line) => {
      if (line.startsWith(REPLY)) this.deliver(JSON.parse(line.slice(REPLY.length)) as Reply);
      else process.stderr.write(`[${format}] ${line}\n`);
    });
    this.child.stderr.on("data", (chunk: Buffer) => process.stderr.write(chunk));
    this.child.on("exit", (code) => {
      this.exited = `spark exited ${code}`;
      for (const resolve of this.waiting.splice(0)) resolve({ ok: false, error: this.exited });
    });
  }

  private exited: string | undefined;

  private deliver(reply: Reply): void {
    const resolve = this.waiting.shift();
    if (resolve) resolve(reply);
    else this.unread.push(reply);
  }

  private next(): Promise<Reply> {
    const early = this.unread.shift();
    if (early) return Promise.resolve(early);
    if (this.exited) return Promise.resolve({ ok: false, error: this.exited });
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** Resolves with the "ready" reply once the session is up. */
  ready(): Promise<Reply> {
    return this.next();
  }

  send(command: Record<string, unknown>): Promise<Reply> {
    const reply = this.next();
    this.child.stdin.write(`${JSON.stringify(command)}\n`);
    return reply;
  }

  close(): Promise<void> {
    // A Spark that already exited (it failed to start) emits no second exit: waiting would hang the suite
    // before it could report the failure.
    if (this.exited) return Promise.resolve();
    return new Promise((resolve) => {
      this.child.on("exit", () => resolve());
      this.child.stdin.end();
    });
  }
}
