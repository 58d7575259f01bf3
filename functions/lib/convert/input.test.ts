import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { gzipSync } from "node:zlib";
import { beer, brewery, chunks } from "../../test/fixtures";
import { query } from "../../test/duck";
import { convert, type ConvertOptions } from "./convert";
import { DirectorySink } from "./sinks";

/** Issue 11's input defects, end to end through convert(): the real counts, files and quarantine entries. */

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "convert-input-"));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function run(
  table: ConvertOptions["table"],
  source: AsyncIterable<Uint8Array> | string | Uint8Array,
  extra: Partial<ConvertOptions> = {},
) {
  return convert({
    table,
    source: typeof source === "string" || source instanceof Uint8Array ? chunks(source, 4096) : source,
    sink: new DirectorySink(dir),
    controlId: "file:///raw/input.csv",
    ingestedAt: new Date("2026-11-21T10:00:00Z"),
    ...extra,
  });
}

function quarantined(table: string): { line: number; reason: string; raw: string }[] {
  const root = path.join(dir, "_quarantine", table, "ingest_date=2026-11-21");
  if (!fs.existsSync(root)) return [];
  return fs
    .readdirSync(root)
    .sort()
    .flatMap((f) => fs.readFileSync(path.join(root, f), "utf8").trim().split("\n"))
    .map((l) => JSON.parse(l));
}

async function breweries(outputs: string[]): Promise<unknown[]> {
  return query(
    `SELECT brewery_id::INT id, name, city FROM read_parquet([${outputs.map((o) => `'${o}'`).join(",")}]) ORDER BY id`,
  );
}

const CSV_ROWS = [
  "brewery_id,name,city",
  "1,Anchor,San Francisco",
  '2,"Bell\'s, Inc",Comstock',
  "3,Cigar City,Tampa",
];
const EXPECTED = [
  { id: 1, name: "Anchor", city: "San Francisco" },
  { id: 2, name: "Bell's, Inc", city: "Comstock" },
  { id: 3, name: "Cigar City", city: "Tampa" },
];

describe("convert: input defects of issue 11", () => {
  it("reads a CSV file with CR-only line endings (defect 1: was 0 in, 0 written, 0 quarantined)", async () => {
    const result = await run(brewery, CSV_ROWS.join("\r") + "\r");
    expect(result).toMatchObject({ rowsIn: 3, rowsWritten: 3, rowsQuarantined: 0 });
    expect(result.input?.lineEnding).toBe("cr");
    expect(await breweries(result.outputs)).toEqual(EXPECTED);
  });

  it("reads JSON lines with CR-only line endings (defect 1)", async () => {
    const lines = [1, 2, 3].map((i) => JSON.stringify({ beer_id: i, name: `b${i}` }));
    expect(await run(beer, lines.join("\r"))).toMatchObject({
      rowsIn: 3,
      rowsWritten: 3,
      rowsQuarantined: 0,
    });
  });

  it("writes every row of a gzip member followed by garbage and quarantines the tail once (defect 4: 20 → 0)", async () => {
    const rows = Array.from({ length: 20 }, (_, i) => `${i + 1},brewery ${i + 1},City`);
    const gz = gzipSync([CSV_ROWS[0], ...rows].join("\n") + "\n");
    const result = await run(brewery, Buffer.concat([gz, Buffer.from("not gzip at all\n")]));
    expect(result).toMatchObject({ rowsIn: 21, rowsWritten: 20, rowsQuarantined: 1 });
    expect(quarantined("brewery")).toEqual([
      {
        line: 22,
        reason: `gzip input has data that is not gzip after its last complete member, at byte ${gz.length}`,
        raw: "",
      },
    ]);
  });

  it("writes all 100,000 rows before trailing garbage (defect 4: 99,582 were written)", async () => {
    const text = Array.from({ length: 100_000 }, (_, i) =>
      JSON.stringify({ beer_id: i, name: `b${i % 991}` }),
    );
    const gz = Buffer.concat([gzipSync(text.join("\n") + "\n"), Buffer.from("\x00\x01garbage")]);
    const result = await run(beer, gz, { batchRows: 50_000 });
    expect(result).toMatchObject({ rowsIn: 100_001, rowsWritten: 100_000, rowsQuarantined: 1 });
  });

  it("reads every member of a multi-member gzip (`cat a.gz b.gz`)", async () => {
    const gz = Buffer.concat([
      gzipSync(CSV_ROWS.slice(0, 2).join("\n") + "\n"),
      gzipSync(CSV_ROWS.slice(2).join("\n")),
    ]);
    const result = await run(brewery, gz);
    expect(result).toMatchObject({ rowsIn: 3, rowsWritten: 3, rowsQuarantined: 0 });
    expect(result.input).toMatchObject({ gzip: true, gzipMembers: 2 });
    expect(await breweries(result.outputs)).toEqual(EXPECTED);
  });

  it("detects gzip from a source that yields one byte at a time (defect 9)", async () => {
    const result = await run(brewery, chunks(gzipSync(CSV_ROWS.join("\n")), 1));
    expect(result).toMatchObject({ rowsIn: 3, rowsWritten: 3, rowsQuarantined: 0 });
  });

  it("rethrows a source stream error (ECONNRESET) so that the caller retries, rather than quarantining it", async () => {
    const reset = Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" });
    const gz = gzipSync(Array.from({ length: 5000 }, (_, i) => `${i},b,c`).join("\n"));
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield gz.subarray(0, gz.length >> 1);
      throw reset;
    }
    await expect(run(brewery, failing())).rejects.toBe(reset);
  });

  it("quarantines corrupt gzip data as the input's unreadable tail (a zlib error is an input error)", async () => {
    const gz = gzipSync(CSV_ROWS.join("\n"));
    gz.fill(0xff, 12, 20);
    const result = await run(brewery, gz);
    expect(result.rowsQuarantined).toBe(1);
    expect(result.rowsIn).toBe(result.rowsWritten + result.rowsQuarantined);
    expect(quarantined("brewery")[0]!.reason).toMatch(/^gzip input is truncated or corrupt: /);
  });

  it("quarantines a line over maxRecordBytes as one record with its line number, the rest read (defect 10/11)", async () => {
    const long = `4,${"x".repeat(3 * 1024 * 1024)},Big`;
    const text = [...CSV_ROWS.slice(0, 3), long, CSV_ROWS[3]].join("\n");
    const result = await run(brewery, text, { maxRecordBytes: 1024 * 1024 });
    expect(result).toMatchObject({ rowsIn: 4, rowsWritten: 3, rowsQuarantined: 1 });
    const [entry] = quarantined("brewery");
    expect([entry!.line, entry!.reason, entry!.raw.length]).toEqual([
      4,
      `record exceeds 1 MiB (a line of ${long.length} bytes, not read)`,
      64 * 1024,
    ]);
    expect(await breweries(result.outputs)).toEqual(EXPECTED);
  });

  it("counts a line over maxRecordBytes once in a one-column CSV, where a blank line is a record", async () => {
    const oneColumn = {
      ...brewery,
      columns: [{ name: "name", type: "string" as const, nullable: true }],
      primaryKey: ["name"],
      partitionBy: [],
    };
    const text = ["name", "a", "x".repeat(2 * 1024 * 1024), "", "b"].join("\n");
    const result = await run(oneColumn, text, { maxRecordBytes: 1024 * 1024 });
    // a, the blank line (an empty value), b written; the long line quarantined once, at its own line.
    expect(result).toMatchObject({ rowsIn: 4, rowsWritten: 3, rowsQuarantined: 1 });
    expect(quarantined("brewery").map((q) => q.line)).toEqual([3]);
  });

  it("quarantines a JSON line over the default 8 MiB maximum, streamed without buffering it (defect 10/11)", async () => {
    const open = '{"beer_id":2,"name":"';
    async function* source(): AsyncGenerator<Uint8Array> {
      yield Buffer.from(`{"beer_id":1}\n${open}`);
      const block = Buffer.alloc(1024 * 1024, "y");
      for (let i = 0; i < 9; i++) yield block;
      yield Buffer.from('"}\n{"beer_id":3}\n');
    }
    const result = await run(beer, source());
    expect(result).toMatchObject({ rowsIn: 3, rowsWritten: 2, rowsQuarantined: 1 });
    expect(quarantined("beer").map((q) => [q.line, q.reason])).toEqual([
      [2, `record exceeds 8 MiB (a line of ${open.length + 9 * 1024 * 1024 + 2} bytes, not read)`],
    ]);
  });

  it("reads a UTF-16 CSV by its byte-order mark", async () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(CSV_ROWS.join("\r\n"), "utf16le")]);
    const result = await run(brewery, utf16);
    expect(result).toMatchObject({ rowsIn: 3, rowsWritten: 3, input: { encoding: "utf-16le" } });
    expect(await breweries(result.outputs)).toEqual(EXPECTED);
  });

  it("tells an empty input from a file of quarantined rows: input.textBytes is 0", async () => {
    expect((await run(beer, "")).input?.textBytes).toBe(0);
    expect((await run(beer, gzipSync(""))).input).toMatchObject({ textBytes: 0, gzip: true });
    expect((await run(beer, "\n")).input?.textBytes).toBe(1);
  });
});
