/**
 * `node bin/check.js aws|azure`: previews the program offline through the shipped
 * `medallion-lakehouse/testing` harness and asserts that what `pulumi up` would upload comes from the
 * installed package: every Lambda archive's files exist inside node_modules/medallion-lakehouse and hold
 * the bundled handler, image contexts are package folders holding what their Dockerfile copies, and the
 * Spark runner is the package's own file. Exits non-zero on the first failed check.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as vm from "node:vm";
import type * as pulumi from "@pulumi/pulumi";
import { buildPlan, previewMocks, runUnderMocks } from "medallion-lakehouse/testing";

const PACKAGE = fs.realpathSync(path.resolve("node_modules", "medallion-lakehouse"));
const RUNTIME = path.join(PACKAGE, "dist", "runtime");

/** A path the engine would read (relative to the program's folder), which must lie inside `root`. */
function insidePackage(file: string, root = PACKAGE): string {
  const absolute = fs.realpathSync(path.resolve(file));
  assert.ok(absolute.startsWith(`${root}${path.sep}`), `${file} is not inside ${root}`);
  return absolute;
}

type Recorded = pulumi.runtime.MockResourceArgs;

async function preview(cloud: string, program: () => unknown): Promise<Recorded[]> {
  const mocks = previewMocks({ awsRegion: "eu-west-1" });
  const recorded: Recorded[] = [];
  const result = await runUnderMocks({
    project: "medallion-consumer",
    stack: cloud,
    config: {},
    mocks: {
      call: (args) => mocks.call(args),
      newResource: (args) => {
        recorded.push(args);
        return mocks.newResource(args);
      },
    },
    program,
  });
  const plan = buildPlan("medallion-consumer", cloud, result.resources);
  assert.ok(plan.resources.length > 50, `only ${plan.resources.length} resources`);
  console.log(`${cloud}: ${plan.resources.length} resources previewed`);
  return recorded;
}

/** Every file of a Lambda archive: name → absolute path, checked to be inside the package. */
async function archiveFiles(code: unknown): Promise<Record<string, string>> {
  const assets = (await (code as pulumi.asset.AssetArchive).assets) as Record<string, unknown>;
  const files: Record<string, string> = {};
  for (const [name, asset] of Object.entries(assets)) {
    const file = (asset as { path?: Promise<string> | string }).path;
    if (file !== undefined) files[name] = insidePackage(await file, RUNTIME);
  }
  return files;
}

/** Image build contexts: inside the package, holding the Dockerfile and every file it COPYs. */
function checkImages(recorded: readonly Recorded[], expected: number): void {
  const images = recorded.filter((r) => r.type === "docker-build:index:Image");
  assert.equal(images.length, expected, "image count");
  for (const image of images) {
    const context = insidePackage(image.inputs.context.location, RUNTIME);
    const dockerfile = insidePackage(image.inputs.dockerfile.location, context);
    const copied = fs
      .readFileSync(dockerfile, "utf8")
      .split("\n")
      .filter((line) => line.startsWith("COPY "))
      .flatMap((line) => line.split(/\s+/).slice(1, -1));
    assert.ok(copied.length > 0, `${dockerfile} copies nothing`);
    for (const file of copied)
      assert.ok(fs.existsSync(path.join(context, file)), `${context} has no ${file}`);
    console.log(`  image ${image.name}: context ${path.relative(PACKAGE, context)} (${copied.join(", ")})`);
  }
}

async function checkAws(): Promise<void> {
  const recorded = await preview(
    "aws",
    // Loaded only for its cloud, so the AWS run proves an AWS-only program never loads Azure modules.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require("./aws"),
  );
  // An AWS-only team never loads azure-native (136 MB) or the Databricks provider.
  const azureModules = Object.keys(require.cache).filter((m) =>
    /@pulumi[\\/](azure-native|databricks)/.test(m),
  );
  assert.deepEqual(azureModules, [], "an AWS-only program loaded Azure modules");
  const functions = recorded.filter((r) => r.type === "aws:lambda/function:Function");
  // One per runtime Lambda entry: converter, control record, CDC transformer, API pull, event trigger.
  assert.equal(functions.length, 5, "Lambda function count");
  for (const fn of functions) {
    const files = await archiveFiles(fn.inputs.code);
    assert.ok(files["index.js"] && files["index.js.map"], `${fn.name}: no index.js and map`);
    const code = fs.readFileSync(files["index.js"], "utf8");
    new vm.Script(code, { filename: files["index.js"] }); // it is JavaScript (throws on a syntax error)
    assert.match(code, /handler/, `${fn.name}: index.js exports no handler`);
    assert.ok(code.length > 1000, `${fn.name}: index.js is not a bundle`);
    if ("parquet_wasm_bg.wasm" in files) {
      const magic = fs.readFileSync(files["parquet_wasm_bg.wasm"]).subarray(0, 4);
      assert.deepEqual([...magic], [0x00, 0x61, 0x73, 0x6d], "parquet_wasm_bg.wasm is not WebAssembly");
    }
    console.log(`  lambda ${fn.name}: ${Object.keys(files).join(", ")} (${code.length} bytes of code)`);
  }
  assert.ok(
    functions.some((fn) => fn.name.includes("converter")),
    "no converter function",
  );
  const runner = recorded.find(
    (r) => r.type === "aws:s3/bucketObjectv2:BucketObjectv2" && /spark_runner\.py$/.test(r.inputs.key),
  );
  assert.ok(runner && /spark/i.test(runner.inputs.content), "the Glue jobs upload no spark_runner.py");
  checkImages(recorded, 1);
}

async function checkAzure(): Promise<void> {
  const recorded = await preview(
    "azure",
    // Loaded only for its cloud, so the AWS run proves an AWS-only program never loads Azure modules.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require("./azure"),
  );
  const runner = recorded.find(
    (r) =>
      r.type === "databricks:index/workspaceFile:WorkspaceFile" && /spark_runner\.py$/.test(r.inputs.path),
  );
  assert.ok(runner, "no spark_runner.py workspace file");
  const source = insidePackage(runner.inputs.source);
  assert.match(fs.readFileSync(source, "utf8"), /spark/i, `${source} is not the Spark runner`);
  console.log(`  spark runner: ${path.relative(PACKAGE, source)}`);
  // The api-pull, CDC consumer and event trigger images (the spec has api, cdc and event tables).
  checkImages(recorded, 3);
}

const cloud = process.argv[2];
(cloud === "aws"
  ? checkAws()
  : cloud === "azure"
    ? checkAzure()
    : Promise.reject(new Error("usage: check.js aws|azure"))
).then(
  () => console.log(`${cloud}: package consumer checks passed`),
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
