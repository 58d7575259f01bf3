import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { bundleEntry, functionArchive, tablesJson } from "./bundle";
import type { TableSpec } from "../spec";

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

describe("function bundles", () => {
  it("bundles an entry once per run into minified CommonJS with a linked source map", async () => {
    const first = bundleEntry("control-record/handler.ts");
    expect(bundleEntry("control-record/handler.ts")).toBe(first);
    const { code, sourceMap } = await first;
    expect(code).toContain("handler");
    expect(code).toMatch(/\/\/# sourceMappingURL=index\.js\.map\s*$/);
    expect(JSON.parse(sourceMap).version).toBe(3);
  });

  it("leaves the AWS SDK out of the bundle (the nodejs22.x runtime provides it)", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bundle-"));
    const entry = path.join(dir, "handler.ts");
    fs.writeFileSync(
      entry,
      'import { S3Client } from "@aws-sdk/client-s3";\nexport const handler = async () => new S3Client({});\n',
    );
    const { code } = await bundleEntry(entry);
    expect(code).toContain('require("@aws-sdk/client-s3")');
    fs.rmSync(dir, { recursive: true });
  });

  it("writes tables.json sorted by name, so reordering the spec changes no archive", () => {
    expect(JSON.parse(tablesJson([table("b"), table("a")])).map((t: TableSpec) => t.name)).toEqual([
      "a",
      "b",
    ]);
    expect(tablesJson([table("b"), table("a")])).toBe(tablesJson([table("a"), table("b")]));
  });

  it("puts index.js, its map and tables.json in the archive", async () => {
    const archive = functionArchive("event-trigger/handler.ts", [table("a")]);
    const assets = (await archive.assets) as Record<string, unknown>;
    expect(Object.keys(assets).sort()).toEqual(["index.js", "index.js.map", "tables.json"]);
  });

  it("fails if the entry does not exist", () => {
    expect(() => bundleEntry("nope/handler.ts")).toThrow(
      /^function entry nope\/handler\.ts not found at .*functions\/nope\/handler\.ts; every function needs functions\/nope\/handler\.ts$/,
    );
  });
});
