import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { build } from "esbuild";
import { beer, review } from "./test/fixtures";
import { IMPORT_META_URL_SHIM } from "../components/aws/bundle";

/**
 * Each handler bundles into one file with esbuild, as the infrastructure half deploys it, and loads with
 * plain node. The converter also needs parquet-wasm's `parquet_wasm_bg.wasm` beside the bundle (the Node
 * build reads it from `__dirname`), and every handler needs its `tables.json` there.
 */
const HANDLERS = ["firehose-transformer", "control-record", "converter", "event-trigger", "api-pull"];
const WASM = path.join(__dirname, "..", "node_modules", "parquet-wasm", "node", "parquet_wasm_bg.wasm");

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "bundle-"));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("esbuild bundles", () => {
  it.each(HANDLERS)("%s bundles and loads with plain node", async (name) => {
    const out = path.join(dir, name);
    await build({
      ...IMPORT_META_URL_SHIM,
      entryPoints: [path.join(__dirname, name, "handler.ts")],
      bundle: true,
      platform: "node",
      target: "node20",
      format: "cjs",
      outfile: path.join(out, "index.js"),
      logLevel: "error",
    });
    fs.writeFileSync(path.join(out, "tables.json"), JSON.stringify([beer, review]));
    if (name === "converter") {
      expect(load(out).stderr).toMatch(/ENOENT.*parquet_wasm_bg\.wasm/);
      fs.copyFileSync(WASM, path.join(out, "parquet_wasm_bg.wasm"));
    }
    const probe = load(out);
    // Node 20 prints the AWS SDK's NodeVersionSupportWarning; Lambda runs nodejs22.x. Only errors matter.
    expect(probe.stderr).not.toMatch(/\bError\b/);
    expect(probe.status).toBe(0);
    expect(probe.stdout.trim()).toBe("function");
  });
});

function load(out: string) {
  const env = {
    PATH: process.env.PATH,
    AWS_REGION: "us-east-1",
    CONTROL_TABLE: "control",
    BRONZE_BUCKET: "bronze",
    STATE_MACHINE_ARN: "arn:aws:states:us-east-1:123456789012:stateMachine:x",
    WATERMARK_TABLE: "watermarks",
    RAW_BUCKET: "raw",
    SECRET_ARNS: "{}",
  };
  return spawnSync(
    process.execPath,
    ["-e", `console.log(typeof require(${JSON.stringify(path.join(out, "index.js"))}).handler)`],
    { env, encoding: "utf8" },
  );
}

describe("the Azure api-pull job bundle (functions/api-pull/Dockerfile)", () => {
  it("bundles like the image does, and fails at start naming every missing variable, as JSON, exit 1", async () => {
    const out = path.join(dir, "api-pull-azure");
    await build({
      ...IMPORT_META_URL_SHIM,
      entryPoints: [path.join(__dirname, "api-pull", "azure-job.ts")],
      bundle: true,
      platform: "node",
      target: "node20",
      format: "cjs",
      outfile: path.join(out, "index.js"),
      logLevel: "error",
    });
    const run = spawnSync(process.execPath, [path.join(out, "index.js")], {
      env: { PATH: process.env.PATH, CLOUD: "azure", PULL_MODE: "daily" },
      encoding: "utf8",
    });
    expect(run.status).toBe(1);
    expect(JSON.parse(run.stderr.trim().split("\n").pop()!)).toMatchObject({
      level: "ERROR",
      service: "api-pull",
      message: "run failed",
      error:
        "Invalid function environment: AZURE_CLIENT_ID is required; RAW_URL is required; WATERMARK_TABLE_URL is required; SOURCES is required",
    });
  });
});
