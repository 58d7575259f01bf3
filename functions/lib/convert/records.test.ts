import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { gzipSync } from "node:zlib";
import { beer, brewery, chunks, tableSpec } from "../../test/fixtures";
import { query } from "../../test/duck";
import { convert, type ConvertOptions } from "./convert";
import { DirectorySink } from "./sinks";

/**
 * Regression tests of issue 11's record-level defects (quotes out of step, headers, CRLF in quoted fields,
 * partition values, batches, blank lines, empty inputs), end to end through `convert()`, on both the byte
 * path and the reference path.
 */

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "records-"));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

let runs = 0;
function run(
  table: ConvertOptions["table"],
  input: string | Uint8Array,
  extra: Partial<ConvertOptions> = {},
) {
  // Each conversion in its own directory, so the byte path and the reference path can be compared.
  const out = path.join(dir, String(runs++));
  return convert({
    table,
    source: chunks(input, extra.batchBytes ? 64 * 1024 : 7),
    sink: new DirectorySink(out),
    controlId: "s3://raw/t/a.csv#e1",
    ingestedAt: new Date("2026-11-21T10:00:00Z"),
    ...extra,
  }).then((result) => ({ result, out }));
}

function quarantined(out: string, table: string): { line: number; reason: string; raw: string }[] {
  const root = path.join(out, "_quarantine", table, "ingest_date=2026-11-21");
  if (!fs.existsSync(root)) return [];
  return fs
    .readdirSync(root)
    .sort()
    .flatMap((f) => fs.readFileSync(path.join(root, f), "utf8").trim().split("\n"))
    .map((l) => JSON.parse(l));
}

/** Converts on both paths; expects the same result and quarantine, and returns the byte path's. */
async function both(
  table: ConvertOptions["table"],
  input: string | Uint8Array,
  extra: Partial<ConvertOptions> = {},
) {
  const fast = await run(table, input, extra);
  const reference = await run(table, input, { ...extra, fromBytes: false });
  expect(fast.result.rowsIn).toBe(fast.result.rowsWritten + fast.result.rowsQuarantined);
  expect({ ...fast.result, outputs: [], quarantine: [] }).toEqual({
    ...reference.result,
    outputs: [],
    quarantine: [],
  });
  expect(quarantined(fast.out, table.name)).toEqual(quarantined(reference.out, table.name));
  return { ...fast, quarantine: quarantined(fast.out, table.name) };
}

const HEADER = "brewery_id,name,city,state";

describe("one quote out of step swallows the records after it (issue 11, defect 2)", () => {
  it("quarantines an unterminated quote's line alone and reads every line after it as its own record", async () => {
    const rows = Array.from({ length: 3000 }, (_, i) =>
      i === 99 || i === 2989 ? `${i + 1},"never closed,c,s` : `${i + 1},name ${i + 1},city,ST`,
    );
    const { result, quarantine } = await both(brewery, [HEADER, ...rows].join("\n") + "\n");
    // Before: rowsIn 100, one entry holding lines 101-3001.
    expect(result).toMatchObject({ rowsIn: 3000, rowsWritten: 2998, rowsQuarantined: 2 });
    expect(quarantine).toEqual([
      {
        line: 101,
        reason: "unterminated quoted field in column 2 (still open after 1000 lines)",
        raw: '100,"never closed,c,s',
      },
      {
        line: 2991,
        reason: "unterminated quoted field in column 2 (input ended)",
        raw: '2990,"never closed,c,s',
      },
    ]);
  });

  it("accepts a record spanning lines only when it closes into the header's width; else one entry per line", async () => {
    const csv = [
      HEADER,
      '1,"Hill', // 2: a record on two lines, read as one
      'Farm",Greensboro,VT',
      '2,"open', // 4: its quote closes on line 7 into a malformed record
      "3,b,c,d",
      "4,e,f,g",
      '5,h"i,j,k',
      '6,"wide', // 8: closes on line 9 into 6 fields
      'x",c,d,e,f',
      '7,a,b,c,"', // 10: a quote opened past the header's 4 columns
      "8,z,y,x",
    ].join("\r\n");
    const { result, out, quarantine } = await both(brewery, csv);
    // Before: rowsIn 4 (lines 4-7 one entry, 8-9 one record, 10-11 one entry).
    expect(result).toMatchObject({ rowsIn: 9, rowsWritten: 4, rowsQuarantined: 5 });
    expect(quarantine.map((q) => [q.line, q.reason, q.raw])).toEqual([
      [
        4,
        "unterminated quoted field in column 2 (closed on line 7 into a malformed record: unexpected text after the closing quote in column 2)",
        '2,"open',
      ],
      [7, "stray quote in unquoted column 2", '5,h"i,j,k'],
      [8, "unterminated quoted field in column 2 (closed on line 9 into 6 fields, not 4)", '6,"wide'],
      [9, "stray quote in unquoted column 1", 'x",c,d,e,f'],
      [10, "unterminated quoted field in column 5, beyond the header's 4 columns", '7,a,b,c,"'],
    ]);
    const rows = await query(`SELECT brewery_id::INT id, name FROM '${out}/brewery/*/*.parquet' ORDER BY id`);
    expect(rows).toEqual([
      { id: 1, name: "Hill\r\nFarm" },
      { id: 3, name: "b" },
      { id: 4, name: "e" },
      { id: 8, name: "z" },
    ]);
  });

  it("reads the lines of a record left open when the gzip input breaks off, before counting the break", async () => {
    const gz = gzipSync(`${HEADER}\n1,a,b,c\n2,"open\n3,b,c,d\n4,e,f,g\n`);
    // Without its trailer (CRC and size) zlib delivers every line, then fails.
    const { result, quarantine } = await both(brewery, gz.subarray(0, gz.length - 4));
    // Before: rowsIn 2, lines 4 and 5 held by the open quote and lost.
    expect(result).toMatchObject({ rowsIn: 5, rowsWritten: 3, rowsQuarantined: 2 });
    expect(quarantine.map((q) => [q.line, q.reason])).toEqual([
      [3, "unterminated quoted field in column 2 (input ended)"],
      [6, expect.stringMatching(/^gzip input is truncated/)],
    ]);
  });
});

describe("CRLF inside a quoted CSV field becomes LF (issue 11, defect 7)", () => {
  it("keeps each line ending inside a quoted field as written", async () => {
    const csv =
      `${HEADER}\r\n` +
      '1,"two\r\nlines",x,y\r\n' +
      '2,"lf\nonly",x,y\r\n' +
      '3,"mixed\r\nand\nlf\r\n",x,y\n';
    const { result, out } = await both(brewery, csv);
    expect(result).toMatchObject({ rowsIn: 3, rowsWritten: 3 });
    const rows = await query(`SELECT brewery_id::INT id, name FROM '${out}/brewery/*/*.parquet' ORDER BY id`);
    // As DuckDB's read_csv and Python's csv module read them.
    expect(rows.map((r) => r.name)).toEqual(["two\r\nlines", "lf\nonly", "mixed\r\nand\nlf\r\n"]);
  });
});

describe("a header that matches no declared column passes silently (issue 11, defects 3 and 12)", () => {
  it("matches header names trimmed and case-insensitively", async () => {
    const { result, out } = await both(brewery, " BREWERY_ID , Name,CITY,state\n1,a,b,c\n");
    expect(result).toMatchObject({ rowsIn: 1, rowsWritten: 1 });
    const rows = await query(
      `SELECT brewery_id::INT id, name, city, state FROM '${out}/brewery/*/*.parquet'`,
    );
    expect(rows).toEqual([{ id: 1, name: "a", city: "b", state: "c" }]);
  });

  const expected = "expected brewery_id, name, city, state";
  it.each([
    [
      "no header (the first line is data)",
      "1,Hill,Greensboro,VT\n2,Alchemist,Stowe,VT\n",
      2,
      `the CSV header (line 1) matches none of the table's columns (${expected}; found "1", "Hill", "Greensboro", "VT")`,
    ],
    [
      "a non-nullable column missing",
      "name,city,state\na,b,c\n",
      2,
      `the CSV header (line 1) lacks the required column(s) brewery_id (${expected}; found "name", "city", "state")`,
    ],
    [
      "a duplicate header name",
      "brewery_id,name,NAME,city\n1,a,b,c\n",
      2,
      'the CSV header (line 1) names column "name" twice (fields 2 and 3)',
    ],
  ])("refuses the file, every record quarantined with one reason: %s", async (_, csv, rows, reason) => {
    const { result, quarantine } = await both(brewery, csv);
    expect(result).toMatchObject({ rowsIn: rows, rowsWritten: 0, rowsQuarantined: rows });
    expect(quarantine.map((q) => [q.line, q.reason])).toEqual(
      Array.from({ length: rows }, (_, i) => [i + 1, reason]),
    );
  });

  it("reads a UTF-16 file by its byte-order mark (text.ts decodes it)", async () => {
    const utf16 = Buffer.from(`\uFEFF${HEADER}\n1,a,b,c\n`, "utf16le");
    const { result } = await both(brewery, utf16);
    expect(result).toMatchObject({ rowsIn: 1, rowsWritten: 1, rowsQuarantined: 0 });
  });

  it("refuses a UTF-16 file without a byte-order mark, saying so", async () => {
    const utf16 = Buffer.from(`${HEADER}\n1,a,b,c\n`, "utf16le");
    const { result, quarantine } = await both(brewery, utf16);
    // Lines split at the 0x0A of each "\n" (0A 00): the header, the row, and the last 00.
    expect(result).toMatchObject({ rowsIn: 3, rowsWritten: 0, rowsQuarantined: 3 });
    for (const q of quarantine)
      expect(q.reason).toMatch(
        /^the CSV header \(line 1\) matches none .* \(the file looks like UTF-16; CSV is read as UTF-8\)$/,
      );
  });
});

const events = (partitionBy: string[], format: "csv" | "json" = "csv") =>
  tableSpec({
    name: "events",
    source: { kind: "batch" },
    format,
    columns: [
      { name: "id", type: "int" },
      { name: "at", type: "timestamp" },
      { name: "country", type: "string" },
    ],
    partitionBy,
  });

function partitionDirs(out: string): string[] {
  return fs.readdirSync(path.join(out, "events")).sort();
}

describe("partition values that crash the converter (issue 11, defects 10 and 12)", () => {
  it("quarantines a timestamp partition value beyond the JavaScript Date range, on every retry", async () => {
    // 9e12 epoch seconds (year ~287,000) fits int64 microseconds but not a Date: RangeError: Invalid time value.
    // The value is refused first by the timestamp range every engine holds (0001-9999, coerce.ts/temporal.ts).
    const csv = "id,at,country\n1,2026-01-01T00:00:00Z,BR\n2,9000000000000,BR\n";
    for (let attempt = 0; attempt < 2; attempt++) {
      const { result, out, quarantine } = await both(events(["at"]), csv);
      expect(result).toMatchObject({ rowsIn: 2, rowsWritten: 1, rowsQuarantined: 1 });
      expect(quarantine.map((q) => [q.line, q.reason])).toEqual([
        [3, 'at: "9000000000000" is not a timestamp from 0001-01-01 to 9999-12-31 (UTC)'],
      ]);
      expect(partitionDirs(out)).toEqual(["at=2026-01-01T00%3A00%3A00.000Z"]);
    }
  });

  it("quarantines a string partition value whose path segment is longer than a file name (255 bytes)", async () => {
    const long = "x".repeat(300);
    const accented = "é".repeat(123); // "country=" + 246 bytes: 254
    const slashes = "/".repeat(83); // each escaped as %2F: 8 + 249 bytes
    const csv = ["id,at,country", `1,,${long}`, `2,,${accented}`, `3,,${slashes}`].join("\n");
    const { result, out, quarantine } = await both(events(["country"]), csv);
    expect(result).toMatchObject({ rowsIn: 3, rowsWritten: 1, rowsQuarantined: 2 });
    const reason = (bytes: number) =>
      `country: the partition path segment of ${bytes} bytes is longer than the limit of 255 (a file name, within S3's 1024-byte key)`;
    expect(quarantine.map((q) => [q.line, q.reason])).toEqual([
      [2, reason(308)],
      [4, reason(257)],
    ]);
    expect(partitionDirs(out)).toEqual([`country=${accented}`]);
  });

  it("writes an empty partition value to Hive's default partition, not `k=`", async () => {
    const { out } = await both(events(["country"]), 'id,at,country\n1,,""\n2,,BR\n');
    // Spark's ExternalCatalogUtils.getPartitionPathString: null or empty is DEFAULT_PARTITION_NAME.
    expect(partitionDirs(out)).toEqual(["country=BR", "country=__HIVE_DEFAULT_PARTITION__"]);
  });
});

describe("batches bounded by rows only (issue 11, defect 11)", () => {
  it("flushes a batch of wide rows once it holds batchBytes of input", async () => {
    const name = "n".repeat(64 * 1024);
    const csv = [HEADER, ...Array.from({ length: 40 }, (_, i) => `${i},${name},c,s`)].join("\n") + "\n";
    const { result } = await both(brewery, csv, { batchBytes: 256 * 1024 });
    // Rows of 65,544 bytes come one per 64 KiB chunk; four of them reach 256 KiB. Before: one batch of 40.
    expect(result).toMatchObject({ rowsIn: 40, rowsWritten: 40, maxBufferedRows: 4, batches: 10 });
  });

  it("flushes a batch of wide JSON lines once it holds batchBytes of input", async () => {
    const name = "n".repeat(64 * 1024);
    const json = Array.from({ length: 40 }, (_, i) => JSON.stringify({ beer_id: i, name })).join("\n");
    const { result } = await both(beer, json, { batchBytes: 256 * 1024 });
    expect(result).toMatchObject({ rowsIn: 40, rowsWritten: 40, maxBufferedRows: 4, batches: 10 });
  });

  it.each(["csv", "json"] as const)(
    "flushes a batch once it fills maxPartitions partitions (%s)",
    async (format) => {
      const rows = Array.from({ length: 300 }, (_, i) =>
        format === "csv" ? `${i},,c${i}` : JSON.stringify({ id: i, country: `c${i}` }),
      );
      const input = (format === "csv" ? ["id,at,country", ...rows] : rows).join("\n");
      const table = events(["country"], format);
      const { result } = await both(table, input);
      // 256 + 44 partitions, a file each. Before: one batch holding 300 partitions.
      expect(result).toMatchObject({ rowsWritten: 300, batches: 2, maxBufferedRows: 256 });
      expect(result.outputs).toHaveLength(300);
      expect((await run(table, input, { maxPartitions: 100 })).result.batches).toBe(3);
    },
  );
});

describe("blank lines in a one-column CSV are dropped uncounted (issue 11, defect 12)", () => {
  it("reads a blank line of a one-column file as a record with an empty value", async () => {
    const one = (type: string) =>
      tableSpec({ name: "tags", source: { kind: "batch" }, format: "csv", columns: [{ name: "v", type }] });
    const strings = await both(one("string"), "v\na\n\nb\r\n\r\n");
    expect(strings.result).toMatchObject({ rowsIn: 4, rowsWritten: 4 });
    const text = await query(`SELECT v FROM '${strings.out}/tags/*/*.parquet'`);
    expect(text.map((r) => r.v)).toEqual(["a", "", "b", ""]);
    const ints = await both(one("int"), "v\n1\n\n2\n");
    expect(ints.result).toMatchObject({ rowsIn: 3, rowsWritten: 3 });
    const numbers = await query(`SELECT v FROM '${ints.out}/tags/*/*.parquet'`);
    // As DuckDB's read_csv reads a one-column file: the blank line is NULL.
    expect(numbers.map((r) => r.v)).toEqual([1, null, 2]);
  });
});

describe("an empty or header-only file gives 0/0/0 with no signal (issue 11, defect 12)", () => {
  it.each([
    ["an empty file", brewery, "", "no-bytes"],
    ["an empty gzip member", beer, gzipSync(""), "no-bytes"],
    ["a CSV header alone", brewery, `${HEADER}\r\n`, "header-only"],
    ["blank lines (CSV)", brewery, "\n\r\n\n", "blank-lines"],
    ["blank lines (JSON)", beer, "\n  \n", "blank-lines"],
  ] as const)("says the input was empty: %s", async (_, table, input, empty) => {
    const { result } = await both(table, input);
    expect({ ...result, input: undefined }).toEqual({
      rowsIn: 0,
      rowsWritten: 0,
      rowsQuarantined: 0,
      maxBufferedRows: 0,
      batches: 0,
      outputs: [],
      quarantine: [],
      empty,
      input: undefined,
    });
  });

  it("says nothing once a record was read", async () => {
    expect((await both(brewery, `${HEADER}\n1,a,b,c\n`)).result.empty).toBeUndefined();
  });
});
