import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import type * as esbuild from "esbuild";
import * as pulumi from "@pulumi/pulumi";
import type { TableSpec } from "../spec";

/**
 * Where the code that runs in the cloud lives, found from this module's own location (never the working
 * directory): in a checkout, `functions/` holds its TypeScript sources; in the installed package this is
 * `dist/functions/` (compiled library code only) and the runnable code is pre-bundled in {@link RUNTIME_ROOT}.
 */
export const FUNCTIONS_ROOT = path.resolve(__dirname, "..", "..", "functions");
/** The project root in a checkout: esbuild's working directory, so bundles do not depend on the cwd. */
const PROJECT_ROOT = path.dirname(FUNCTIONS_ROOT);
/**
 * The package's pre-built bundles (`npm run build`, scripts/build-package.ts): `dist/runtime/` beside
 * `dist/components/`, one folder per entry and a manifest. A checkout has no `runtime/` at its root, so
 * there the same bundles are built from the sources on first use: `npm ci && npm run preview` needs no
 * build step, and the package needs neither the sources nor esbuild.
 */
export const RUNTIME_ROOT = path.resolve(__dirname, "..", "..", "runtime");
/** `{ version, bundles: { entry: folder } }`, written by the package build. */
export const RUNTIME_MANIFEST = path.join(RUNTIME_ROOT, "manifest.json");
/**
 * Bundles built from the sources, one content-addressed folder each, plus one record per entry naming
 * its folder and the size and mtime of every file that went in: a later run reuses the bundle while none
 * of them changed, so only the first preview or `pulumi up` after an edit pays for esbuild.
 */
export const BUNDLE_CACHE_DIR = path.join(PROJECT_ROOT, "node_modules", ".cache", "medallion-bundles");

/** How an entry runs, which decides how it is bundled and what goes beside it. */
export interface RuntimeEntry {
  /** `lambda`: the AWS SDK v3 is left out (the nodejs22.x runtime provides it); `image`: all is bundled. */
  readonly kind: "lambda" | "image";
  /**
   * Files the code loads from beside itself at run time, which esbuild cannot inline (parquet-wasm's Node
   * build reads its WebAssembly module from `__dirname`): name in the bundle folder → where the file is.
   */
  readonly files?: Readonly<Record<string, () => string>>;
  /** For images: the Dockerfile (under `functions/`) that runs the bundle; it is copied into the folder. */
  readonly dockerfile?: string;
}

const PARQUET_WASM = {
  "parquet_wasm_bg.wasm": () => require.resolve("parquet-wasm/node/parquet_wasm_bg.wasm"),
};

/** Every entry the components deploy: the package build bundles exactly these (relative to `functions/`). */
export const RUNTIME_ENTRIES: Readonly<Record<string, RuntimeEntry>> = {
  "api-pull/handler.ts": { kind: "lambda" },
  "control-record/handler.ts": { kind: "lambda" },
  "db-pull/handler.ts": { kind: "lambda" },
  "converter/handler.ts": { kind: "lambda", files: PARQUET_WASM },
  "event-trigger/handler.ts": { kind: "lambda" },
  "firehose-transformer/handler.ts": { kind: "lambda" },
  "converter/task.ts": { kind: "image", files: PARQUET_WASM, dockerfile: "converter/Dockerfile" },
  "api-pull/azure-job.ts": { kind: "image", dockerfile: "api-pull/Dockerfile" },
  "azure/cdc-job.ts": { kind: "image", dockerfile: "azure/Dockerfile.cdc" },
  "azure/event-job.ts": { kind: "image", dockerfile: "azure/Dockerfile.event" },
};

/** A bundle on disk: a folder holding everything its code needs at run time, and nothing else. */
export interface Bundle {
  /** Absolute path of the folder (an image's build context). */
  readonly directory: string;
  /** Absolute path of `index.js` (minified CommonJS). */
  readonly codeFile: string;
  /** Absolute path of `index.js.map`. */
  readonly sourceMapFile: string;
}

/**
 * One bundle per entry per run: several functions may share an entry, and the build runs in esbuild's
 * service process (`esbuild.build`, not `buildSync`) while Pulumi keeps registering resources, so
 * bundling never blocks the program. Pulumi awaits the promise when it serialises the archive.
 */
const bundles = new Map<string, Promise<Bundle>>();

/** Paths as Pulumi records them: relative to the program's directory, where the engine reads the files. */
const relative = (file: string) => path.relative(process.cwd(), file) || file;

/**
 * A Lambda deployment archive for `entry` (relative to `functions/`, e.g. `control-record/handler.ts`):
 * `index.js` (+ `index.js.map`) exporting `handler`, the files it loads from beside itself, and
 * `tables.json`, the spec of the tables the function needs. The code goes in as file assets (the engine
 * reads the files), so the program never carries megabytes of bundle text, and the plan shows the
 * bundle's content-addressed folder: a code change is a changed path.
 */
export function functionArchive(entry: string, tables: readonly TableSpec[]): pulumi.asset.AssetArchive {
  const bundle = bundleEntry(entry);
  const names = ["index.js", "index.js.map", ...Object.keys(entryOf(entry).files ?? {})];
  return new pulumi.asset.AssetArchive({
    ...Object.fromEntries(
      names.map((name) => [
        name,
        new pulumi.asset.FileAsset(bundle.then((b) => relative(path.join(b.directory, name)))),
      ]),
    ),
    "tables.json": new pulumi.asset.StringAsset(tablesJson(tables)),
  });
}

/**
 * The docker-build `context` and `dockerfile` of an image entry: its bundle folder, which holds the
 * Dockerfile too, so the image never depends on the deploying project's files or lockfile.
 */
export function imageBuild(entry: string): {
  context: { location: pulumi.Output<string> };
  dockerfile: { location: pulumi.Output<string> };
} {
  if (!entryOf(entry).dockerfile) throw new Error(`function entry ${entry} is not an image entry`);
  const bundle = bundleEntry(entry);
  return {
    context: { location: pulumi.output(bundle.then((b) => relative(b.directory))) },
    dockerfile: {
      location: pulumi.output(bundle.then((b) => relative(path.join(b.directory, "Dockerfile")))),
    },
  };
}

/** `tables.json`: the TableSpec objects, stable (name order) so unrelated spec edits change no archive. */
export function tablesJson(tables: readonly TableSpec[]): string {
  return `${JSON.stringify(
    [...tables].sort((a, b) => a.name.localeCompare(b.name)),
    null,
    2,
  )}\n`;
}

/** An entry's settings; entries outside the list (tests' temporary handlers) are plain Lambda code. */
function entryOf(entry: string): RuntimeEntry {
  return RUNTIME_ENTRIES[entry] ?? { kind: "lambda" };
}

interface RuntimeManifest {
  readonly version: 1;
  /** Entry → its folder under RUNTIME_ROOT. */
  readonly bundles: Readonly<Record<string, string>>;
}

let manifest: RuntimeManifest | null | undefined;
/** The installed package's manifest, or null in a checkout (read once). */
function prebuilt(): RuntimeManifest | null {
  if (manifest === undefined) {
    manifest = fs.existsSync(RUNTIME_MANIFEST)
      ? (JSON.parse(fs.readFileSync(RUNTIME_MANIFEST, "utf8")) as RuntimeManifest)
      : null;
  }
  return manifest;
}

/**
 * The bundle of one entry: the package's pre-built folder when installed; in a checkout, built (once per
 * run, and only when its inputs changed) from the sources. Fails loudly when the entry is missing.
 */
export function bundleEntry(entry: string): Promise<Bundle> {
  const shipped = prebuilt();
  if (shipped) {
    const folder = shipped.bundles[entry];
    if (!folder) {
      throw new Error(
        `function entry ${entry} is not in this package's bundles (${RUNTIME_MANIFEST} lists ${Object.keys(shipped.bundles).join(", ")})`,
      );
    }
    return Promise.resolve(bundleIn(path.join(RUNTIME_ROOT, folder)));
  }
  const file = path.resolve(FUNCTIONS_ROOT, entry);
  const cached = bundles.get(file);
  if (cached) return cached;
  if (!fs.existsSync(file)) {
    throw new Error(`function entry ${entry} not found at ${file}; every function needs functions/${entry}`);
  }
  const built = readCachedBundle(file).then((hit) => hit ?? buildIntoCache(entry, file));
  // A failed build must surface once, through the archive, not as an unhandled rejection.
  built.catch(() => undefined);
  bundles.set(file, built);
  return built;
}

/** The record of one entry (absolute path) in the cache. */
export function bundleCacheFile(file: string): string {
  return path.join(BUNDLE_CACHE_DIR, `${sha256(file).slice(0, 32)}.json`);
}

/**
 * Packages that ship only ESM builds read `import.meta.url` (@azure/storage-common's crc64.js loads its
 * WebAssembly beside itself), which a CommonJS bundle would leave undefined and crash at start
 * (`createRequire(undefined)`): it becomes the bundle file's own URL.
 */
export const IMPORT_META_URL_SHIM = {
  define: { "import.meta.url": "__bundle_import_meta_url" },
  banner: { js: 'var __bundle_import_meta_url = require("url").pathToFileURL(__filename).href;' },
} as const;

const BUILD_OPTIONS = {
  ...IMPORT_META_URL_SHIM,
  bundle: true,
  platform: "node",
  target: "node22",
  format: "cjs",
  minify: true,
  sourcemap: true,
  sourcesContent: false,
  outfile: "index.js",
  write: false,
  logLevel: "silent",
  legalComments: "none",
  metafile: true,
  absWorkingDir: PROJECT_ROOT,
} satisfies esbuild.BuildOptions;

/** Only a checkout bundles, so esbuild is loaded only there (the package does not depend on it). */
const loadEsbuild = (): Promise<typeof esbuild> => import("esbuild");

/** A cached bundle is valid only for the same esbuild and the same options. */
async function cacheVersion(): Promise<string> {
  const { version } = await loadEsbuild();
  return JSON.stringify({ esbuild: version, options: BUILD_OPTIONS, format: 3 });
}

/** What {@link writeBundle} produced: the folder's name (a content hash) and every file that went in. */
export interface WrittenBundle {
  readonly folder: string;
  /** Absolute paths of the sources, runtime files and Dockerfile the folder was made from. */
  readonly inputs: readonly string[];
}

/**
 * Bundles `entry` (relative to `functions/`, or absolute) into `<root>/<content hash>/`: `index.js`,
 * `index.js.map`, its runtime files and, for images, its Dockerfile. The package build and a checkout's
 * first use both go through here, so the package ships exactly what the repository previews.
 */
export async function writeBundle(entry: string, root: string): Promise<WrittenBundle> {
  const settings = entryOf(entry);
  const file = path.resolve(FUNCTIONS_ROOT, entry);
  const { build } = await loadEsbuild();
  const result = await build({
    ...BUILD_OPTIONS,
    entryPoints: [file],
    // pg loads its optional native binding only when asked (`pg.native`), which the pulls never do.
    external: [...(settings.kind === "lambda" ? ["@aws-sdk/*"] : []), "pg-native"],
  });
  const extra = Object.entries(settings.files ?? {}).map(([name, locate]) => [name, locate()] as const);
  if (settings.dockerfile) extra.push(["Dockerfile", path.join(FUNCTIONS_ROOT, settings.dockerfile)]);
  const contents: [string, Buffer][] = [
    ["index.js", Buffer.from(textOf(result.outputFiles, ".js"))],
    ["index.js.map", Buffer.from(textOf(result.outputFiles, ".js.map"))],
    ...(await Promise.all(
      extra.map(async ([name, source]) => [name, await fs.promises.readFile(source)] as [string, Buffer]),
    )),
  ];
  const hash = createHash("sha256");
  for (const [name, content] of contents) hash.update(`${name}\u0000${content.length}\u0000`).update(content);
  const folder = hash.digest("hex").slice(0, 32);
  const directory = path.join(root, folder);
  await fs.promises.mkdir(directory, { recursive: true });
  // index.js last: a folder with an index.js is complete.
  for (const [name, content] of [...contents].reverse()) {
    await writeAtomically(path.join(directory, name), content);
  }
  const sources = Object.keys(result.metafile.inputs).map((input) => path.resolve(PROJECT_ROOT, input));
  return { folder, inputs: [...sources, ...extra.map(([, source]) => source)] };
}

interface CacheRecord {
  readonly version: string;
  /** The bundle's folder, relative to the cache directory. */
  readonly folder: string;
  /** Input path (absolute) → `size:mtimeMs`. */
  readonly inputs: Readonly<Record<string, string>>;
}

async function buildIntoCache(entry: string, file: string): Promise<Bundle> {
  const written = await writeBundle(entry, BUNDLE_CACHE_DIR);
  await writeRecord(file, written).catch(() => undefined);
  return bundleIn(path.join(BUNDLE_CACHE_DIR, written.folder));
}

function bundleIn(directory: string): Bundle {
  return {
    directory,
    codeFile: path.join(directory, "index.js"),
    sourceMapFile: path.join(directory, "index.js.map"),
  };
}

async function stamp(input: string): Promise<string> {
  const stat = await fs.promises.stat(input);
  return `${stat.size}:${stat.mtimeMs}`;
}

/** The cached bundle of `file` if every input is unchanged; undefined on a miss or an unreadable cache. */
async function readCachedBundle(file: string): Promise<Bundle | undefined> {
  try {
    const record = JSON.parse(await fs.promises.readFile(bundleCacheFile(file), "utf8")) as CacheRecord;
    if (record.version !== (await cacheVersion())) return undefined;
    const entries = Object.entries(record.inputs);
    const stamps = await Promise.all(entries.map(([input]) => stamp(input)));
    if (entries.some(([, expected], i) => stamps[i] !== expected)) return undefined;
    const bundle = bundleIn(path.join(BUNDLE_CACHE_DIR, record.folder));
    await Promise.all([fs.promises.access(bundle.codeFile), fs.promises.access(bundle.sourceMapFile)]);
    return bundle;
  } catch {
    return undefined;
  }
}

async function writeRecord(file: string, written: WrittenBundle): Promise<void> {
  const stamps = await Promise.all(written.inputs.map(async (input) => [input, await stamp(input)] as const));
  const record: CacheRecord = {
    version: await cacheVersion(),
    folder: written.folder,
    inputs: Object.fromEntries(stamps),
  };
  await writeAtomically(bundleCacheFile(file), JSON.stringify(record));
}

/** Write then rename, so a concurrent run never reads half a file. */
async function writeAtomically(target: string, content: string | Buffer): Promise<void> {
  const temporary = `${target}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  await fs.promises.writeFile(temporary, content);
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
