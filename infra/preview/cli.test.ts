import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { main } from "./cli";
import { parsePlan } from "./plan";

const ROOT = path.resolve(__dirname, "..", "..");

/** A scratch project: the repository's Pulumi.yaml and dev stack, with one stack file edited. */
function scratchProject(edit: (devYaml: string) => string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "medallion-preview-"));
  fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
  // The program (Pulumi.yaml main: infra/index.ts) is the repository's.
  fs.symlinkSync(path.join(ROOT, "infra"), path.join(dir, "infra"));
  fs.writeFileSync(
    path.join(dir, "Pulumi.dev.yaml"),
    edit(fs.readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8")),
  );
  return dir;
}

function captureConsole() {
  const out: string[] = [];
  const err: string[] = [];
  jest.spyOn(console, "log").mockImplementation((...a: unknown[]) => void out.push(a.join(" ")));
  jest.spyOn(console, "error").mockImplementation((...a: unknown[]) => void err.push(a.join(" ")));
  return { out: () => out.join("\n"), err: () => err.join("\n") };
}

afterEach(() => jest.restoreAllMocks());

describe("npm run preview", () => {
  it("prints the tree, writes a plan and diffs a changed input by its path", async () => {
    const dir = scratchProject((yaml) => yaml);
    const io = captureConsole();
    const before = path.join(dir, "before.json");
    expect(await main(["--stack", "dev", "--out", before], dir)).toBe(0);
    expect(io.out()).toContain("medallion:aws:MedallionLayer brewery-raw");
    expect(io.out()).toContain("315 resources (268 custom) in medallion/dev:");
    const plan = parsePlan(fs.readFileSync(before, "utf8"), before);
    expect(plan.project).toBe("medallion");
    expect(plan.resources[0]).toEqual({
      urn: expect.stringMatching(/^urn:pulumi:dev::medallion::/),
      type: expect.any(String),
      name: expect.any(String),
      parent: expect.anything(),
      custom: expect.any(Boolean),
      protect: false,
      retainOnDelete: false,
      inputs: expect.any(Object),
      dependencies: expect.any(Object),
      // @pulumi/aws aliases its renamed S3 types (BucketV2 → Bucket); the plan records aliases.
      aliases: [expect.stringContaining("bucketV2:BucketV2")],
    });

    fs.writeFileSync(
      path.join(dir, "Pulumi.dev.yaml"),
      fs
        .readFileSync(path.join(dir, "Pulumi.dev.yaml"), "utf8")
        .replace("rawExpirationDays: 180", "rawExpirationDays: 200"),
    );
    expect(await main(["--stack", "dev", "--quiet", "--diff", before], dir)).toBe(0);
    expect(io.out()).toContain(
      [
        "~ medallion:aws:MedallionLayer$aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration::brewery-raw-lifecycle",
        '    rules[id="raw-retention"].expiration.days: 180 => 200',
        "0 to add, 1 to change, 0 to remove",
      ].join("\n"),
    );
  });

  it("fails if the spec is invalid, naming each bad field, and writes no plan", async () => {
    const dir = scratchProject((yaml) =>
      yaml
        .replace("          cpf: cpf\n", "          cpf_number: cpf\n")
        .replace("name: brewery\n", "name: Brewery\n"),
    );
    const io = captureConsole();
    const out = path.join(dir, "plan.json");
    expect(await main(["--stack", "dev", "--out", out], dir)).toBe(1);
    expect(io.err()).toContain("medallion:lakehouse.name: must be 2-21 lower-case letters");
    expect(fs.existsSync(out)).toBe(false);
  });

  it("fails if a stack file does not exist, listing the stacks there", async () => {
    const dir = scratchProject((yaml) => yaml);
    const io = captureConsole();
    expect(await main(["--stack", "qa"], dir)).toBe(1);
    expect(io.err()).toContain(`no stack file Pulumi.qa.yaml in ${dir}; stacks here: dev`);
  });

  it("fails on usage errors with exit code 2", async () => {
    const io = captureConsole();
    expect(await main([], ROOT)).toBe(2);
    expect(io.err()).toContain("--stack is required");
    expect(await main(["--stack", "dev", "--frobnicate"], ROOT)).toBe(2);
  });

  it("exits non-zero from the command line when medallion:cloud is unknown", () => {
    const dir = scratchProject((yaml) => yaml.replace("medallion:cloud: aws", "medallion:cloud: gcp"));
    const result = spawnSync(
      path.join(ROOT, "node_modules", ".bin", "tsx"),
      [path.join(__dirname, "cli.ts"), "--stack", "dev", "--out", "plan.json"],
      {
        cwd: dir,
        encoding: "utf8",
      },
    );
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('medallion:cloud: unknown cloud "gcp": must be one of "aws", "azure"');
    expect(result.stderr).toContain("No plan was written.");
    expect(fs.existsSync(path.join(dir, "plan.json"))).toBe(false);
  });
});
