import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { TableSpec } from "../spec";
import {
  bundleCacheFile,
  bundleEntry,
  functionArchive,
  RUNTIME_ENTRIES,
  tablesJson,
  type Bundle,
} from "./bundle";

const table = (name: string) =>
  ({
    name,
    source: { kind: "batch" },
    format: "json",
    columns: [{ name: "id", type: "bigint", nullable: false }],
    primaryKey: ["id"],
    partitionBy: [],
    pii: {},
    quality: [],
    overrides: {},
  }) as TableSpec;

const codeOf = (bundle: Bundle) => fs.readFileSync(bundle.codeFile, "utf8");

/** A handler in a temporary folder; removed with its cache record afterwards. */
function temporaryEntry(source: string): { entry: string; cleanUp: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bundle-"));
  const entry = path.join(dir, "handler.ts");
  fs.writeFileSync(entry, source);
  return {
    entry,
    cleanUp: () => {
      fs.rmSync(dir, { recursive: true });
      fs.rmSync(bundleCacheFile(entry), { force: true });
    },
  };
}

describe("function bundles", () => {
  it("bundles an entry once per run into minified CommonJS with a linked source map", async () => {
    const first = bundleEntry("control-record/handler.ts");
    expect(bundleEntry("control-record/handler.ts")).toBe(first);
    const bundle = await first;
    expect(codeOf(bundle)).toContain("handler");
    expect(codeOf(bundle)).toMatch(/\/\/# sourceMappingURL=index\.js\.map\s*$/);
    expect(JSON.parse(fs.readFileSync(bundle.sourceMapFile, "utf8")).version).toBe(3);
    expect(path.dirname(bundle.codeFile)).toMatch(/node_modules\/\.cache\/medallion-bundles\/[0-9a-f]{32}$/);
  });

  it("leaves the AWS SDK out of the bundle (the nodejs22.x runtime provides it)", async () => {
    const { entry, cleanUp } = temporaryEntry(
      'import { S3Client } from "@aws-sdk/client-s3";\nexport const handler = async () => new S3Client({});\n',
    );
    expect(codeOf(await bundleEntry(entry))).toContain('require("@aws-sdk/client-s3")');
    cleanUp();
  });

  it("writes tables.json sorted by name, so reordering the spec changes no archive", () => {
    expect(JSON.parse(tablesJson([table("b"), table("a")])).map((t: TableSpec) => t.name)).toEqual([
      "a",
      "b",
    ]);
    expect(tablesJson([table("b"), table("a")])).toBe(tablesJson([table("a"), table("b")]));
  });

  it("puts index.js and its map as files, and tables.json, in the archive", async () => {
    const archive = functionArchive("event-trigger/handler.ts", [table("a")]);
    const assets = (await archive.assets) as Record<string, { path?: Promise<string> }>;
    expect(Object.keys(assets).sort()).toEqual(["index.js", "index.js.map", "tables.json"]);
    expect(await assets["index.js"].path).toMatch(
      /^node_modules\/\.cache\/medallion-bundles\/[0-9a-f]{32}\/index\.js$/,
    );
  });

  it("ships the converter with the WebAssembly module parquet-wasm loads beside the bundle", async () => {
    const archive = functionArchive("converter/handler.ts", [table("a")]);
    const assets = (await archive.assets) as Record<string, { path?: Promise<string> | string }>;
    expect(Object.keys(assets).sort()).toEqual([
      "index.js",
      "index.js.map",
      "parquet_wasm_bg.wasm",
      "tables.json",
    ]);
    // Unpacked as Lambda would, the archive loads with plain node (no ENOENT for the .wasm).
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "converter-archive-"));
    for (const name of ["index.js", "parquet_wasm_bg.wasm"]) {
      fs.copyFileSync(path.resolve(await assets[name].path!), path.join(dir, name));
    }
    fs.writeFileSync(path.join(dir, "tables.json"), tablesJson([table("a")]));
    const result = spawnSync(process.execPath, ["-e", "require('./index.js')"], {
      cwd: dir,
      encoding: "utf8",
      // NODE_PATH stands in for the runtime's own AWS SDK, the one thing the bundle leaves out.
      env: {
        PATH: process.env.PATH,
        NODE_PATH: path.resolve(__dirname, "..", "..", "node_modules", "@aws-sdk", ".."),
        AWS_REGION: "us-east-1",
        CONTROL_TABLE: "c",
        BRONZE_BUCKET: "b",
      },
    });
    fs.rmSync(dir, { recursive: true });
    expect(result.stderr).not.toMatch(/Error|ENOENT/); // the SDK may warn about Node 20; nothing else
    expect(result.status).toBe(0);
  });

  it("reuses a bundle from an earlier run while its inputs are unchanged, and rebuilds after an edit", async () => {
    const { entry, cleanUp } = temporaryEntry('export const handler = async () => "v1";\n');
    // Each isolated load is a new run: the in-memory map is empty, the cache on disk is not.
    const freshRun = () => {
      let loaded: typeof import("./bundle") | undefined;
      jest.isolateModules(() => {
        loaded = jest.requireActual<typeof import("./bundle")>("./bundle");
      });
      return loaded as typeof import("./bundle");
    };
    const first = await freshRun().bundleEntry(entry);
    expect(codeOf(first)).toContain('"v1"');
    const record = fs.readFileSync(bundleCacheFile(entry), "utf8");
    expect(await freshRun().bundleEntry(entry)).toEqual(first);
    fs.writeFileSync(entry, 'export const handler = async () => "version 2";\n');
    const second = await freshRun().bundleEntry(entry);
    expect(second.codeFile).not.toBe(first.codeFile);
    expect(codeOf(second)).toContain('"version 2"');
    expect(fs.readFileSync(bundleCacheFile(entry), "utf8")).not.toBe(record);
    cleanUp();
  });

  it("fails if the entry does not exist", () => {
    expect(() => bundleEntry("nope/handler.ts")).toThrow(
      /^function entry nope\/handler\.ts not found at .*functions\/nope\/handler\.ts; every function needs functions\/nope\/handler\.ts$/,
    );
  });
});

describe("the package's runtime code (issue 15)", () => {
  it("bundles every entry the components deploy, so the package build ships each one", () => {
    const deployed = new Set<string>();
    const scan = (dir: string) => {
      for (const item of fs.readdirSync(dir, { withFileTypes: true })) {
        const file = path.join(dir, item.name);
        if (item.isDirectory()) scan(file);
        else if (file.endsWith(".ts") && !file.endsWith(".test.ts")) {
          const text = fs.readFileSync(file, "utf8");
          for (const m of text.matchAll(/(?:entry: |_IMAGE_ENTRY = )"([^"]+\.ts)"/g)) deployed.add(m[1]);
        }
      }
    };
    scan(path.resolve(__dirname, ".."));
    expect(deployed.size).toBeGreaterThanOrEqual(7);
    expect([...deployed].filter((entry) => !(entry in RUNTIME_ENTRIES))).toEqual([]);
  });

  it("makes an image's bundle folder its whole build context: its Dockerfile and every file that COPYs", async () => {
    for (const entry of Object.keys(RUNTIME_ENTRIES).filter((e) => RUNTIME_ENTRIES[e].kind === "image")) {
      const { directory } = await bundleEntry(entry);
      const dockerfile = fs.readFileSync(path.join(directory, "Dockerfile"), "utf8");
      const copied = dockerfile
        .split("\n")
        .filter((line) => line.startsWith("COPY "))
        .flatMap((line) => line.split(/\s+/).slice(1, -1));
      expect(copied).toContain("index.js");
      // BuildKit fails a COPY of a file the context does not have.
      expect(copied.filter((file) => !fs.existsSync(path.join(directory, file)))).toEqual([]);
      // Images run on Fargate / Container Apps, which provide no AWS SDK: nothing is left out.
      expect(fs.readFileSync(path.join(directory, "index.js"), "utf8")).not.toMatch(
        /require\("@aws-sdk\/client-/,
      );
    }
  });
});
