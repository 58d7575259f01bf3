import * as esbuild from "esbuild";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import type { TableSpec } from "../spec";

/** Where the code that runs in the cloud lives: `functions/` at the repository (or package) root. */
export const FUNCTIONS_ROOT = path.resolve(__dirname, "..", "..", "functions");
/** The project (or package) root: esbuild's working directory, so bundles do not depend on the cwd. */
const PROJECT_ROOT = path.dirname(FUNCTIONS_ROOT);
/**
 * Bundles on disk, one content-addressed folder each (`<hash>/index.js`, `index.js.map`), plus one
 * record per entry naming its folder and the size and mtime of every file esbuild read: a later run
 * reuses the bundle while none of them changed, so only the first preview or `pulumi up` after an edit
 * pays for esbuild.
 */
export const BUNDLE_CACHE_DIR = path.join(PROJECT_ROOT, "node_modules", ".cache", "medallion-bundles");

/** A bundled handler on disk: minified CommonJS and its source map. */
export interface Bundle {
  /** Absolute path of `index.js`. */
  readonly codeFile: string;
  /** Absolute path of `index.js.map`. */
  readonly sourceMapFile: string;
}

/**
 * One build per entry per run: several functions may share an entry, and the build runs in esbuild's
 * service process (`esbuild.build`, not `buildSync`) while Pulumi keeps registering resources, so
 * bundling never blocks the program. Pulumi awaits the promise when it serialises the archive.
 */
const bundles = new Map<string, Promise<Bundle>>();

/**
 * A Lambda deployment archive for `entry` (relative to `functions/`, e.g. `control-record/handler.ts`):
 * `index.js` (+ `index.js.map`) exporting `handler`, and `tables.json`, the spec of the tables the
 * function needs. The AWS SDK v3 is left out: the nodejs22.x runtime provides it. The code goes in as
 * file assets (the engine reads the files), so the program never carries megabytes of bundle text, and
 * the plan shows the bundle's content-addressed path: a code change is a changed path.
 */
export function functionArchive(entry: string, tables: readonly TableSpec[]): pulumi.asset.AssetArchive {
  const bundle = bundleEntry(entry);
  const relative = (file: string) => path.relative(process.cwd(), file) || file;
  return new pulumi.asset.AssetArchive({
    "index.js": new pulumi.asset.FileAsset(bundle.then((b) => relative(b.codeFile))),
    "index.js.map": new pulumi.asset.FileAsset(bundle.then((b) => relative(b.sourceMapFile))),
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

/** Builds (once per run, and only when its inputs changed) the bundle of one entry; fails loudly when missing. */
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

/** The record of one entry (absolute path) in the cache. */
export function bundleCacheFile(file: string): string {
  return path.join(BUNDLE_CACHE_DIR, `${sha256(file).slice(0, 32)}.json`);
}

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
const CACHE_VERSION = JSON.stringify({ esbuild: esbuild.version, options: BUILD_OPTIONS, format: 2 });

interface CacheRecord {
  readonly version: string;
  /** The bundle's folder, relative to the cache directory. */
  readonly folder: string;
  /** Input path (relative to the project root) → `size:mtimeMs`. */
  readonly inputs: Readonly<Record<string, string>>;
}

async function build(file: string): Promise<Bundle> {
  const result = await esbuild.build({ ...BUILD_OPTIONS, entryPoints: [file] });
  const code = textOf(result.outputFiles, ".js");
  const sourceMap = textOf(result.outputFiles, ".js.map");
  const folder = sha256(`${code}\u0000${sourceMap}`).slice(0, 32);
  const bundle = bundleIn(folder);
  await fs.promises.mkdir(path.dirname(bundle.codeFile), { recursive: true });
  await writeAtomically(bundle.sourceMapFile, sourceMap);
  await writeAtomically(bundle.codeFile, code);
  await writeRecord(file, folder, Object.keys(result.metafile.inputs)).catch(() => undefined);
  return bundle;
}

function bundleIn(folder: string): Bundle {
  const directory = path.join(BUNDLE_CACHE_DIR, folder);
  return { codeFile: path.join(directory, "index.js"), sourceMapFile: path.join(directory, "index.js.map") };
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
    const bundle = bundleIn(record.folder);
    await Promise.all([fs.promises.access(bundle.codeFile), fs.promises.access(bundle.sourceMapFile)]);
    return bundle;
  } catch {
    return undefined;
  }
}

async function writeRecord(file: string, folder: string, inputs: readonly string[]): Promise<void> {
  const stamps = await Promise.all(inputs.map(async (input) => [input, await stamp(input)] as const));
  const record: CacheRecord = { version: CACHE_VERSION, folder, inputs: Object.fromEntries(stamps) };
  await writeAtomically(bundleCacheFile(file), JSON.stringify(record));
}

/** Write then rename, so a concurrent run never reads half a file. */
async function writeAtomically(target: string, text: string): Promise<void> {
  const temporary = `${target}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  await fs.promises.writeFile(temporary, text);
  await fs.promises.rename(temporary, target);
}

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

function textOf(files: readonly esbuild.OutputFile[] | undefined, suffix: string): string {
  const file = (files ?? []).find(
    (f) => f.path.endsWith(suffix) && (suffix === ".js.map" || !f.path.endsWith(".map")),
  );
  if (!file) throw new Error(`esbuild produced no ${suffix} output`);
  return file.text;
}
