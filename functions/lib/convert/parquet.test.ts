import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { build } from "esbuild";
import { Field, makeData, RecordBatch, Schema, Struct, Table, tableToIPC } from "apache-arrow";
import { query } from "../../test/duck";
import type { Converted } from "./coerce";
import { columnBuffer, type ColumnBuffer } from "./columns";
import { ipcStream, parquetFile } from "./parquet";
import { WASM_TIERING_BUDGET } from "./wasm-tiering";

type Column = [ColumnBuffer, (i: number) => Converted];

/** Every column kind, nullable, with `rows` rows of which every third value (from the first) is null. */
function columns(rows: number): ColumnBuffer[] {
  const all: Column[] = [
    [columnBuffer("code", { kind: "string" }, true), (i) => ["SP", "RJ", "ção"][i % 3]!],
    [columnBuffer("body", { kind: "string" }, true), (i) => `note ${i}, é ✓ `.repeat(6)],
    [columnBuffer("i", { kind: "int" }, true), (i) => i - 50],
    [columnBuffer("b", { kind: "bigint" }, true), (i) => (i % 2 ? 9007199254740993n : -i)],
    [columnBuffer("d", { kind: "double" }, true), (i) => i / 7],
    [columnBuffer("t", { kind: "boolean" }, true), (i) => i % 2 === 0],
    [columnBuffer("dt", { kind: "date" }, true), (i) => 18000 + i],
    [columnBuffer("ts", { kind: "timestamp" }, true), (i) => 1795163400123456 + i],
    [columnBuffer("m", { kind: "decimal", precision: 20, scale: 2 }, true), (i) => (i % 2 ? -i : 10n ** 19n)],
  ];
  for (let i = 0; i < rows; i++) for (const [column, value] of all) column.append(i % 3 ? value(i) : null);
  return all.map(([column]) => column);
}

function batch(buffers: ColumnBuffer[]): RecordBatch {
  const fields: Field[] = buffers.map((c) => c.field);
  const length = buffers[0]!.length;
  return new RecordBatch(
    new Schema(fields),
    makeData({ type: new Struct(fields), length, nullCount: 0, children: buffers.map((c) => c.toData()) }),
  );
}

describe("ipcStream", () => {
  it("writes the same bytes as apache-arrow's tableToIPC, also after a larger batch reused its buffer", () => {
    for (const rows of [1000, 10, 0, 333]) {
      const data = batch(columns(rows));
      const expected = tableToIPC(new Table([data]), "stream");
      expect(Buffer.from(ipcStream(data)).equals(Buffer.from(expected))).toBe(true);
    }
  });
});

describe("parquetFile", () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "parquet-"))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  function write(buffers: ColumnBuffer[]): string {
    const file = path.join(dir, "x.parquet");
    fs.writeFileSync(file, parquetFile(buffers));
    return file;
  }

  it("is read back by DuckDB with every type and value, nulls included", async () => {
    const file = write(columns(4));
    const types = await query(`DESCRIBE SELECT * FROM '${file}'`);
    expect(Object.fromEntries(types.map((t) => [t.column_name, t.column_type]))).toEqual({
      code: "VARCHAR",
      body: "VARCHAR",
      i: "INTEGER",
      b: "BIGINT",
      d: "DOUBLE",
      t: "BOOLEAN",
      dt: "DATE",
      ts: "TIMESTAMP WITH TIME ZONE",
      m: "DECIMAL(20,2)",
    });
    const rows = await query(
      `SELECT code, body, i, b::VARCHAR b, d, t, dt::VARCHAR dt, epoch_us(ts) ts, m::VARCHAR m FROM '${file}'`,
    );
    const body = (i: number) => `note ${i}, é ✓ `.repeat(6);
    expect(rows).toEqual([
      { code: null, body: null, i: null, b: null, d: null, t: null, dt: null, ts: null, m: null },
      ...[1, 2].map((i) => ({
        code: ["SP", "RJ", "ção"][i % 3],
        body: body(i),
        i: i - 50,
        b: i % 2 ? "9007199254740993" : String(-i),
        d: i / 7,
        t: i % 2 === 0,
        dt: new Date((18000 + i) * 86400000).toISOString().slice(0, 10),
        ts: String(1795163400123456 + i),
        m: i % 2 ? `-0.0${i}` : "100000000000000000.00",
      })),
      { code: null, body: null, i: null, b: null, d: null, t: null, dt: null, ts: null, m: null },
    ]);
  });

  it("keeps min/max statistics for every column but free text", async () => {
    const file = write(columns(100));
    const meta = await query(
      `SELECT path_in_schema c, stats_min_value IS NOT NULL has_min FROM parquet_metadata('${file}')`,
    );
    expect(Object.fromEntries(meta.map((m) => [m.c, m.has_min]))).toEqual({
      code: true,
      body: false,
      i: true,
      b: true,
      d: true,
      t: true,
      dt: true,
      ts: true,
      m: true,
    });
  });
});

describe("wasm tiering", () => {
  it("sets V8's WebAssembly tiering budget before parquet-wasm compiles its module", async () => {
    const bundled = await build({
      entryPoints: [path.join(__dirname, "parquet.ts")],
      bundle: true,
      platform: "node",
      format: "cjs",
      external: ["parquet-wasm", "apache-arrow"],
      write: false,
      logLevel: "silent",
    });
    const code = bundled.outputFiles[0]!.text;
    const flag = code.indexOf("--wasm-tiering-budget=");
    expect(flag).toBeGreaterThan(-1);
    expect(flag).toBeLessThan(code.indexOf('require("parquet-wasm/node")'));
    expect(WASM_TIERING_BUDGET).toBe(100_000_000);
  });
});
