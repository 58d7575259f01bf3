/**
 * `npm run build` (and `prepack`): the package as published. Compiles the library (components/ and only
 * what it imports) to dist/, pre-bundles every runtime entry the components deploy into
 * dist/runtime/<content hash>/ with a manifest (components/aws/bundle.ts resolves them from there, beside
 * itself), ships spark_runner.py where runnerScriptPath() finds it, bundles the `medallion` command into
 * dist/bin/medallion.js (plain JavaScript for `node`: no tsx or ts-node at run time), and refuses a dist/
 * holding tests or test helpers.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { bundleBin } from "./bundle-bin";
import { RUNTIME_ENTRIES, writeBundle } from "../components/aws/bundle";

const ROOT = path.resolve(__dirname, "..");
const DIST = path.join(ROOT, "dist");
const RUNTIME = path.join(DIST, "runtime");
/** Files that are tests or serve only tests; none may ship. */
const TEST_ONLY = /(\.test\.|(^|\/)test\/|test-support|dev-spec|sample-data|fixtures)/;

async function main(): Promise<void> {
  fs.rmSync(DIST, { recursive: true, force: true });
  const tsc = spawnSync(
    process.execPath,
    [require.resolve("typescript/bin/tsc"), "-p", "tsconfig.build.json"],
    {
      cwd: ROOT,
      stdio: "inherit",
    },
  );
  if (tsc.status !== 0) throw new Error(`tsc -p tsconfig.build.json failed (${tsc.status})`);

  const bundles: Record<string, string> = {};
  for (const entry of Object.keys(RUNTIME_ENTRIES).sort()) {
    bundles[entry] = (await writeBundle(entry, RUNTIME)).folder;
  }
  fs.writeFileSync(
    path.join(RUNTIME, "manifest.json"),
    `${JSON.stringify({ version: 1, bundles }, null, 2)}\n`,
  );

  // runnerScriptPath() is `__dirname/spark_runner.py` of functions/transform, compiled to dist/.
  const transform = path.join(DIST, "functions", "transform");
  if (!fs.existsSync(path.join(transform, "index.js")))
    throw new Error(`${transform}/index.js was not built`);
  fs.copyFileSync(
    path.join(ROOT, "functions", "transform", "spark_runner.py"),
    path.join(transform, "spark_runner.py"),
  );

  await bundleBin(path.join(DIST, "bin", "medallion.js"));

  const shipped = listFiles(DIST).map((file) => path.relative(DIST, file));
  const testOnly = shipped.filter((file) => TEST_ONLY.test(file));
  if (testOnly.length > 0) throw new Error(`dist/ would ship test code: ${testOnly.join(", ")}`);
  console.log(`dist/: ${shipped.length} files, ${Object.keys(bundles).length} runtime bundles`);
}

function listFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((d) => (d.isDirectory() ? listFiles(path.join(dir, d.name)) : [path.join(dir, d.name)]));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
