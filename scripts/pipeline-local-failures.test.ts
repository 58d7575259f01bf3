import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { cli, cliWith, CUSTOMERS, write } from "./pipeline-local-test-support";

/** `npm run pipeline:local` failure modes, `--help`, and `--json` on a real process's stdout. */

describe("npm run pipeline:local failures", () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "pipeline-cli-fail-"));
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  it("fails if a folder under --raw is not a table of the spec, naming it and writing nothing", async () => {
    const raw = write(path.join(work, "raw"), { "review/1.json": "{}\n", "reviews/1.json": "{}\n" });
    const lake = path.join(work, "lake");
    expect(await cli("--dir", lake, "--raw", raw)).toEqual({
      code: 1,
      out: [],
      err: [
        `error: unknown table folder "reviews" in ${raw}: the spec's tables are brewery, beer, profile, review, customers`,
      ],
    });
    expect(fs.existsSync(lake)).toBe(false);
  });

  it("fails if the stack has no stack file", async () => {
    expect(await cli("--stack", "nope", "--dir", work, "--dump", "silver.review")).toEqual({
      code: 1,
      out: [],
      err: [
        `error: bad stack "nope": no stack file Pulumi.nope.yaml in ${path.resolve(__dirname, "..")}; stacks here: azure-dev, dev, prod`,
      ],
    });
  });

  it("fails if the stack's spec is invalid, listing every problem as the preview does", async () => {
    const root = write(path.join(work, "root"), {
      "Pulumi.yaml": "name: medallion\nruntime: nodejs\n",
      "Pulumi.bad.yaml":
        "config:\n  aws:region: us-east-1\n  medallion:cloud: aws\n  medallion:environment: dev\n" +
        "  medallion:lakehouse:\n    name: b\n    tables:\n      - name: t\n        source: { kind: batch }\n" +
        "        format: xml\n        columns: [{ name: id, type: bigint }]\n        primaryKey: [id]\n",
    });
    const run = await cliWith({ root }, "--stack", "bad", "--dir", path.join(work, "lake3"), "--raw", root);
    expect(run.code).toBe(1);
    expect(run.out).toEqual([]);
    expect(run.err).toEqual([
      "error: Stack config has 3 problems:\n" +
        "  - medallion:lakehouse.name: must be 2-21 lower-case letters, digits or dashes, starting with a letter\n" +
        "  - medallion:lakehouse.alerts: is required (object)\n" +
        '  - medallion:lakehouse.tables[0] "t".format: must be one of "json", "csv"',
    ]);
    expect(fs.existsSync(path.join(work, "lake3"))).toBe(false);
  });

  it("fails if --dump reads a directory that holds no lake", async () => {
    const missing = path.join(work, "missing");
    expect(await cli("--dir", missing, "--dump", "silver.review")).toEqual({
      code: 1,
      out: [],
      err: [`error: no lake in ${missing}: no such directory or no lake.duckdb (run --raw first)`],
    });
  });

  it("fails if the --raw folder does not exist", async () => {
    const missing = path.join(work, "no-raw");
    expect(await cli("--dir", path.join(work, "lake2"), "--raw", missing)).toEqual({
      code: 1,
      out: [],
      err: [`error: no raw folder ${missing}`],
    });
  });

  it("fails if the dump target is not <layer>.<name> of the spec", async () => {
    expect((await cli("--dir", work, "--dump", "silver.reviews")).err).toEqual([
      'error: unknown dump target "silver.reviews": silver has brewery, beer, profile, review, customers',
    ]);
    expect(await cli("--dir", work, "--dump", "platinum.review")).toEqual({
      code: 1,
      out: [],
      err: [
        'error: unknown dump target "platinum.review": expected <layer>.<name> with a layer of bronze, silver, views, gold, quarantine',
      ],
    });
  });

  it("fails with the usage (exit 2) on flags that do not go together or do not exist", async () => {
    for (const argv of [
      ["--raw", work],
      ["--dir", work, "--dump", "silver.review", "--json"],
      ["--dir", work, "--raw", work, "--only", "cdc"],
      ["--frobnicate"],
    ]) {
      const run = await cli(...argv);
      expect(run.code).toBe(2);
      expect(run.err[0]).toContain("usage: npm run pipeline:local");
    }
  });

  it("resolves relative --dir and --raw paths against where the command was typed", async () => {
    write(path.join(work, "here", "drop"), { "customers/a.csv": CUSTOMERS });
    const run = await cliWith({ cwd: path.join(work, "here") }, "--dir", "lake", "--raw", "drop", "--json");
    expect(run.code).toBe(0);
    expect(JSON.parse(run.out[0]!)).toMatchObject({
      dir: path.join(work, "here", "lake"),
      raw: path.join(work, "here", "drop"),
    });
    expect(fs.existsSync(path.join(work, "here", "lake", "lake.duckdb"))).toBe(true);
  });

  it("--help documents every flag and dump target and exits 0", async () => {
    const { code, out } = await cli("--help");
    expect(code).toBe(0);
    for (const word of [
      "--stack",
      "--dir",
      "--raw",
      "--json",
      "--dump",
      "--rows",
      "--only",
      ".gz",
      "bronze.<table>",
      "silver.<table>",
      "views.<view>",
      "gold.<model>",
      "quarantine.<table>",
      "_is_deleted",
      "Exit codes",
    ])
      expect(out.join("\n")).toContain(word);
  });
});

describe("npm run pipeline:local as a process", () => {
  it("--json prints exactly one JSON object on stdout", async () => {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "pipeline-cli-proc-"));
    try {
      const raw = write(path.join(work, "raw"), { "customers/a.csv": CUSTOMERS });
      const tsx = path.resolve(__dirname, "..", "node_modules", ".bin", "tsx");
      const { stdout } = await promisify(execFile)(
        tsx,
        [path.join(__dirname, "pipeline-local.ts"), "--dir", path.join(work, "lake"), "--raw", raw, "--json"],
        { cwd: work },
      );
      expect(stdout.endsWith("}\n")).toBe(true);
      expect(stdout.trim().split("\n")).toHaveLength(1);
      expect(JSON.parse(stdout)).toMatchObject({
        batch: 1,
        tables: { customers: { raw: 3, bronze: 2, bronzeQuarantined: 1, silver: 1 } },
      });
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  });
});
