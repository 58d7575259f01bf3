import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { build } from "esbuild";
import { IMPORT_META_URL_SHIM } from "../../components/aws/bundle";

/**
 * The two Azure consumers bundle into one file each, as the image build does, load with plain node (the
 * Event Hubs, Service Bus and identity SDKs resolved into the bundle), and refuse a missing environment
 * naming every variable before they connect to anything.
 */
let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "azure-jobs-"));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

it.each([
  [
    "cdc-job",
    ["EVENTHUB_NAMESPACE", "EVENTHUB_NAME", "CONSUMER_GROUP", "CHECKPOINT_URL", "RAW_URL", "TABLES"],
  ],
  ["event-job", ["SERVICEBUS_NAMESPACE", "QUEUE_NAME", "DATABRICKS_HOST", "JOB_ID", "TABLES"]],
])("%s bundles, loads and names its missing variables", async (name, variables) => {
  const outfile = path.join(dir, name, "index.js");
  await build({
    ...IMPORT_META_URL_SHIM,
    entryPoints: [path.join(__dirname, `${name}.ts`)],
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    outfile,
    logLevel: "error",
  });
  const run = spawnSync(process.execPath, [outfile], {
    encoding: "utf8",
    env: { PATH: process.env.PATH, AZURE_CLIENT_ID: "00000000-0000-0000-0000-000000000001" },
    timeout: 60_000,
  });
  expect(run.status).not.toBe(0);
  for (const variable of variables) expect(run.stderr).toContain(`${variable} is required`);
});
