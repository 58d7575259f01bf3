/**
 * The `medallion` bin as published: bundled to one JavaScript file (scripts/bundle-bin.ts, what
 * `npm run build` ships as dist/bin/medallion.js) and run with plain `node` on a fresh Pulumi TypeScript
 * project of another team, in a temporary folder: its Pulumi.yaml, its stack file, its own program.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { bundleBin } from "../scripts/bundle-bin";
import { main } from "./medallion";

const ROOT = path.resolve(__dirname, "..");
// Inside the repository, so the bundle finds @pulumi/* in its node_modules as the package would.
const BIN = path.join(ROOT, "node_modules", ".cache", "medallion-bin-test", "medallion.js");

const PROGRAM = (buckets: string[]) => `import * as aws from "@pulumi/aws";

export = () => {
  const buckets = ${JSON.stringify(buckets)}.map((name) => new aws.s3.Bucket(name, { forceDestroy: false }));
  return { names: buckets.map((b) => b.bucket) };
};
`;

let project: string;

function medallion(...args: string[]) {
  const result = spawnSync(process.execPath, [BIN, ...args], {
    cwd: project,
    encoding: "utf8",
    // The project's own packages (@pulumi/aws, tsx) come from this repository's node_modules.
    env: { ...process.env, NODE_PATH: path.join(ROOT, "node_modules") },
  });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

beforeAll(async () => {
  await bundleBin(BIN);
  project = fs.mkdtempSync(path.join(os.tmpdir(), "team-project-"));
  fs.writeFileSync(
    path.join(project, "Pulumi.yaml"),
    "name: analytics\nruntime:\n  name: nodejs\n  options:\n    typescript: true\nmain: index.ts\n",
  );
  fs.writeFileSync(path.join(project, "Pulumi.dev.yaml"), "config:\n  aws:region: eu-west-1\n");
  fs.writeFileSync(path.join(project, "index.ts"), PROGRAM(["raw"]));
});

describe("the medallion bin, bundled, on another team's TypeScript project", () => {
  it("previews the project's own program, writes a plan, and diffs with --detailed-exitcode", () => {
    const first = medallion("preview", "--stack", "dev", "--out", "plan.json", "--json");
    expect(first.err).not.toContain("error");
    expect(first.code).toBe(0);
    const { plan } = JSON.parse(first.out);
    expect(plan.project).toBe("analytics");
    expect(plan.stack).toBe("dev");
    expect(plan.resources.map((r: { type: string; name: string }) => `${r.type}::${r.name}`)).toEqual(
      expect.arrayContaining(["aws:s3/bucket:Bucket::raw", "pulumi:pulumi:Stack::analytics-dev"]),
    );
    expect(plan.spec).toBeUndefined(); // not a medallion stack: no spec summary

    const same = medallion(
      "preview",
      "--stack",
      "dev",
      "--quiet",
      "--diff",
      "plan.json",
      "--detailed-exitcode",
    );
    expect(same.code).toBe(0);
    expect(same.out).toContain("0 to add, 0 to change, 0 to remove");

    fs.writeFileSync(path.join(project, "index.ts"), PROGRAM(["raw", "logs"]));
    const changed = medallion(
      "preview",
      "--stack",
      "dev",
      "--quiet",
      "--diff",
      "plan.json",
      "--detailed-exitcode",
    );
    expect(changed.code).toBe(2);
    expect(changed.out).toContain(
      "+ pulumi:pulumi:Stack$aws:s3/bucket:Bucket::logs\n1 to add, 0 to change, 0 to remove",
    );
    fs.writeFileSync(path.join(project, "index.ts"), PROGRAM(["raw"]));
  });

  it("diffs two plan files as JSON, with --detailed-exitcode", () => {
    expect(medallion("preview", "--stack", "dev", "--quiet", "--out", "a.json").code).toBe(0);
    const json = medallion("diff", "a.json", "a.json", "--json", "--detailed-exitcode");
    expect(json.code).toBe(0);
    expect(JSON.parse(json.out)).toMatchObject({
      hasChanges: false,
      totals: { add: 0, change: 0, remove: 0 },
    });
    const other = JSON.parse(fs.readFileSync(path.join(project, "a.json"), "utf8"));
    fs.writeFileSync(
      path.join(project, "b.json"),
      JSON.stringify({ ...other, stack: "prod", resources: [] }),
    );
    const text = medallion("diff", "a.json", "b.json", "--detailed-exitcode");
    expect(text.code).toBe(2);
    expect(text.out).toMatch(
      /^warning: the plans belong to different stacks \(analytics\/dev and analytics\/prod\)/,
    );
    expect(medallion("diff", "a.json", "--detailed-exitcode").code).toBe(1); // an error is 1, never 2
    expect(medallion("diff", "a.json", "missing.json").code).toBe(1);
  });

  it("runs the policy pack over the plan with --json and --sarif", () => {
    expect(medallion("preview", "--stack", "dev", "--quiet", "--out", "a.json").code).toBe(0);
    const policy = medallion("policy", "--plan", "a.json", "--json", "--sarif", "out/policy.sarif");
    const report = JSON.parse(policy.out);
    expect(report.subject).toBe("analytics/dev");
    // A bare bucket breaks the pack's mandatory S3 rules (no public-access block, no encryption, ...).
    expect(report.mandatory).toBeGreaterThan(0);
    expect(policy.code).toBe(1);
    const sarif = JSON.parse(fs.readFileSync(path.join(project, "out", "policy.sarif"), "utf8"));
    expect(sarif.version).toBe("2.1.0");
    expect(sarif.runs[0].results.length).toBe(report.violations.length);
  });

  it("prints each command's --help, and refuses an unknown command", () => {
    for (const command of ["preview", "diff", "policy", "validate", "schema", "init", "pipeline"]) {
      const help = medallion(command, "--help");
      expect([command, help.code, help.out.startsWith("usage: ")]).toEqual([command, 0, true]);
    }
    expect(medallion("--help").out).toContain("pipeline  ");
    const unknown = medallion("frobnicate");
    expect([unknown.code, unknown.err]).toEqual([2, expect.stringContaining('unknown command "frobnicate"')]);
  });

  it("prints the stack file's JSON Schema, and the spec's alone with --spec", () => {
    const whole = medallion("schema");
    expect(whole.code).toBe(0);
    const schema = JSON.parse(whole.out) as {
      properties: { config: { properties: Record<string, unknown> } };
    };
    expect(Object.keys(schema.properties.config.properties)).toContain("medallion:lakehouse");
    expect(fs.readFileSync(path.join(ROOT, "docs", "stack.schema.json"), "utf8")).toBe(whole.out);
    const spec = JSON.parse(medallion("schema", "--spec").out) as { properties: Record<string, unknown> };
    expect(Object.keys(spec.properties)).toEqual(expect.arrayContaining(["tables", "views", "gold"]));
  });

  it("needs neither tsx nor ts-node to run itself", () => {
    const code = fs.readFileSync(BIN, "utf8");
    expect(code.startsWith("#!/usr/bin/env node")).toBe(true);
    expect(code).not.toMatch(/require\("(ts-node|tsx)[/"]/);
  });
});

describe("medallion validate", () => {
  afterEach(() => jest.restoreAllMocks());

  it("accepts the shipped stacks and names the bad field of a broken one", async () => {
    const out: string[] = [];
    jest.spyOn(console, "log").mockImplementation((...a: unknown[]) => void out.push(a.join(" ")));
    jest.spyOn(console, "error").mockImplementation((...a: unknown[]) => void out.push(a.join(" ")));
    const cwd = process.cwd();
    try {
      process.chdir(ROOT);
      expect(await main(["validate", "--stack", "prod"])).toBe(0);
      expect(out.join("\n")).toContain(
        "Pulumi.prod.yaml: valid (aws, 5 tables, 1 views, 7 gold models, protected)",
      );
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "medallion-validate-"));
      fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
      fs.writeFileSync(
        path.join(dir, "Pulumi.dev.yaml"),
        fs
          .readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8")
          .replace("name: brewery\n", "name: Brewery\n"),
      );
      process.chdir(dir);
      expect(await main(["validate", "--stack", "dev"])).toBe(1);
      expect(out.join("\n")).toContain("medallion:lakehouse.name: must be 2-21 lower-case letters");
      // init writes a stack file that validate then accepts (components/spec/init.ts).
      expect(await main(["init", "--cloud", "aws", "--stack", "qa"])).toBe(0);
      expect(await main(["validate", "--stack", "qa"])).toBe(0);
      expect(out.join("\n")).toContain("Pulumi.qa.yaml: valid (aws");
      expect(await main(["init", "--cloud", "aws", "--stack", "qa"])).toBe(1);
      expect(out.join("\n")).toContain("pass --force to overwrite it");
      expect(await main(["init", "--cloud", "gcp"])).toBe(2);
    } finally {
      process.chdir(cwd);
    }
  });
});
