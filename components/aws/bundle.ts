import * as esbuild from "esbuild";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import type { TableSpec } from "../spec";

/** Where the code that runs in the cloud lives: `functions/` at the repository (or package) root. */
export const FUNCTIONS_ROOT = path.resolve(__dirname, "..", "..", "functions");

/** The bundled handler: minified CommonJS plus its source map. */
interface Bundle {
  readonly code: string;
  readonly sourceMap: string;
}

/**
 * One build per entry per run: several functions may share an entry, and the build runs in esbuild's
 * service process (`esbuild.build`, not `buildSync`) while Pulumi keeps registering resources, so
 * bundling never blocks the program. Pulumi awaits the promise when it serialises the archive. Across
 * runs, bundles are reused from `BUNDLE_CACHE_DIR` while their inputs are unchanged.
 */
const bundles = new Map<string, Promise<Bundle>>();

/**
 * A Lambda deployment archive for `entry` (relative to `functions/`, e.g. `control-record/handler.ts`):
 * `index.js` (+ `index.js.map`) exporting `handler`, and `tables.json`, the spec of the tables the
 * function needs. The AWS SDK v3 is left out: the nodejs22.x runtime provides it.
 */
export function functionArchive(entry: string, tables: readonly TableSpec[]): pulumi.asset.AssetArchive {
  const bundle = bundleEntry(entry);
  return new pulumi.asset.AssetArchive({
    "index.js": new pulumi.asset.StringAsset(bundle.then((b) => b.code)),
    "index.js.map": new pulumi.asset.StringAsset(bundle.then((b) => b.sourceMap)),
    "tables.json": new pulumi.asset.StringAsset(tablesJson(tables)),
  });
}

/** `tables.json`: the TableSpec objects, stable (name order) so unrelated spec edits change no archive. */
export function tablesJson(tables: readonly TableSpec[]): string {
  return `${JSON.stringify(
    [...tables].sort((a, b) => a.name.localeCompare(b.name)),
    null,
    2,
  )}\n`;
}

/** Builds (once per run) the bundle of one entry; fails loudly naming the missing file. */
export function bundleEntry(entry: string): Promise<Bundle> {
  const file = path.resolve(FUNCTIONS_ROOT, entry);
  const cached = bundles.get(file);
  if (cached) return cached;
  if (!fs.existsSync(file)) {
    throw new Error(`function entry ${entry} not found at ${file}; every function needs functions/${entry}`);
  }
  const built = readCachedBundle(file).then((hit) => hit ?? build(file));
  // A failed build must surface once, through the archive, not as an unhandled rejection.
  built.catch(() => undefined);
  bundles.set(file, built);
  return built;
}

/** The project (or package) root: esbuild's working directory, so bundles do not depend on the cwd. */
const PROJECT_ROOT = path.dirname(FUNCTIONS_ROOT);
/**
 * Bundles from earlier runs, reused while none of their input files changed (size and mtime of every
 * file esbuild read), so a preview or `pulumi up` pays for esbuild only after an edit.
 */
export const BUNDLE_CACHE_DIR = path.join(PROJECT_ROOT, "node_modules", ".cache", "medallion-bundles");

const BUILD_OPTIONS = {
  bundle: true,
  platform: "node",
  target: "node22",
  format: "cjs",
  minify: true,
  sourcemap: true,
  sourcesContent: false,
  external: ["@aws-sdk/*"],
  outfile: "index.js",
  write: false,
  logLevel: "silent",
  legalComments: "none",
  metafile: true,
  absWorkingDir: PROJECT_ROOT,
} satisfies esbuild.BuildOptions;
/** A cached bundle is valid only for the same esbuild and the same options. */
const CACHE_VERSION = JSON.stringify({ esbuild: esbuild.version, options: BUILD_OPTIONS, format: 1 });

interface CacheRecord extends Bundle {
  readonly version: string;
  /** Input path (relative to the project root) → `size:mtimeMs`. */
  readonly inputs: Readonly<Record<string, string>>;
}

async function build(file: string): Promise<Bundle> {
  const result = await esbuild.build({ ...BUILD_OPTIONS, entryPoints: [file] });
  const bundle = {
    code: textOf(result.outputFiles, ".js"),
    sourceMap: textOf(result.outputFiles, ".js.map"),
  };
  await writeCachedBundle(file, bundle, Object.keys(result.metafile.inputs)).catch(() => undefined);
  return bundle;
}

/** The cache record of one entry (absolute path). */
export function bundleCacheFile(file: string): string {
  return path.join(BUNDLE_CACHE_DIR, `${createHash("sha256").update(file).digest("hex").slice(0, 32)}.json`);
}

async function stamp(input: string): Promise<string> {
  const stat = await fs.promises.stat(path.resolve(PROJECT_ROOT, input));
  return `${stat.size}:${stat.mtimeMs}`;
}

/** The cached bundle of `file` if every input is unchanged; undefined on a miss or an unreadable cache. */
async function readCachedBundle(file: string): Promise<Bundle | undefined> {
  try {
    const record = JSON.parse(await fs.promises.readFile(bundleCacheFile(file), "utf8")) as CacheRecord;
    if (record.version !== CACHE_VERSION) return undefined;
    const entries = Object.entries(record.inputs);
    const stamps = await Promise.all(entries.map(([input]) => stamp(input)));
    if (entries.some(([, expected], i) => stamps[i] !== expected)) return undefined;
    return { code: record.code, sourceMap: record.sourceMap };
  } catch {
    return undefined;
  }
}

async function writeCachedBundle(file: string, bundle: Bundle, inputs: readonly string[]): Promise<void> {
  const stamps = await Promise.all(inputs.map(async (input) => [input, await stamp(input)] as const));
  const record: CacheRecord = { version: CACHE_VERSION, inputs: Object.fromEntries(stamps), ...bundle };
  await fs.promises.mkdir(BUNDLE_CACHE_DIR, { recursive: true });
  // Write then rename, so a concurrent run never reads half a record.
  const target = bundleCacheFile(file);
  const temporary = `${target}.${process.pid}.tmp`;
  await fs.promises.writeFile(temporary, JSON.stringify(record));
  await fs.promises.rename(temporary, target);
}

function textOf(files: readonly esbuild.OutputFile[] | undefined, suffix: string): string {
  const file = (files ?? []).find(
    (f) => f.path.endsWith(suffix) && (suffix === ".js.map" || !f.path.endsWith(".map")),
  );
  if (!file) throw new Error(`esbuild produced no ${suffix} output`);
  return file.text;
}
