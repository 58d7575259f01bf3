import * as esbuild from "esbuild";
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
 * bundling never blocks the program. Pulumi awaits the promise when it serialises the archive.
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
  const built = esbuild
    .build({
      entryPoints: [file],
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
    })
    .then((result) => ({
      code: textOf(result.outputFiles, ".js"),
      sourceMap: textOf(result.outputFiles, ".js.map"),
    }));
  // A failed build must surface once, through the archive, not as an unhandled rejection.
  built.catch(() => undefined);
  bundles.set(file, built);
  return built;
}

function textOf(files: readonly esbuild.OutputFile[] | undefined, suffix: string): string {
  const file = (files ?? []).find(
    (f) => f.path.endsWith(suffix) && (suffix === ".js.map" || !f.path.endsWith(".map")),
  );
  if (!file) throw new Error(`esbuild produced no ${suffix} output`);
  return file.text;
}
