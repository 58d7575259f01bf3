import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { gzipSync } from "node:zlib";
import { beer, brewery, chunks, review, tableSpec } from "../../test/fixtures";
import { query } from "../../test/duck";
import { controlHash } from "../control";
import { convert, type ConvertOptions } from "./convert";
import { DirectorySink } from "./sinks";

const INGESTED_AT = new Date("2026-11-21T10:00:00Z");
const CONTROL_ID = "s3://raw/beer/a.json#etag1";
const PART = `part-${controlHash(CONTROL_ID)}`;

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "convert-"));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function run(
  table: ConvertOptions["table"],
  input: string | Uint8Array,
  extra: Partial<ConvertOptions> = {},
) {
  return convert({
    table,
    source: chunks(input),
    sink: new DirectorySink(dir),
    controlId: CONTROL_ID,
    ingestedAt: INGESTED_AT,
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

const beerLines = [
  {
    beer_id: 1,
    name: "Pale",
    abv: "5.25",
    ibu: 40,
    rating: 4.5,
    organic: true,
    launched: "2020-02-29",
    updated_at: "2026-11-20T08:30:00.123456Z",
  },
  {
    beer_id: "9007199254740993",
    name: 'Stout, "dark"',
    abv: 12,
    ibu: "70",
    rating: "3.75",
    organic: "no",
    launched: null,
    updated_at: 1700000000,
  },
  {
    beer_id: 3,
    name: null,
    abv: -0.5,
    ibu: null,
    rating: null,
    organic: null,
    launched: "1999-12-31",
    updated_at: "2026-11-20 08:30:00-03:00",
  },
]
  .map((r) => JSON.stringify(r))
  .join("\n");

describe("convert (JSON lines)", () => {
  it("writes typed Parquet in an ingest_date partition with _ingested_at", async () => {
    const result = await run(beer, beerLines + "\n");
    expect(result).toMatchObject({ rowsIn: 3, rowsWritten: 3, rowsQuarantined: 0, batches: 1 });
    const file = path.join(dir, "beer", "ingest_date=2026-11-21", `${PART}-00000.parquet`);
    expect(result.outputs).toEqual([file]);

    const types = await query(`DESCRIBE SELECT * FROM read_parquet('${file}', hive_partitioning = false)`);
    expect(Object.fromEntries(types.map((t) => [t.column_name, t.column_type]))).toEqual({
      beer_id: "BIGINT",
      name: "VARCHAR",
      abv: "DECIMAL(4,2)",
      ibu: "INTEGER",
      rating: "DOUBLE",
      organic: "BOOLEAN",
      launched: "DATE",
      updated_at: "TIMESTAMP WITH TIME ZONE",
      _ingested_at: "TIMESTAMP WITH TIME ZONE",
      _source_file: "VARCHAR",
      _source_row: "BIGINT",
    });
    const rows = await query(
      `SELECT beer_id::VARCHAR id, name, abv::VARCHAR abv, ibu, rating, organic, launched::VARCHAR launched,
              epoch_us(updated_at) updated_us, epoch_ms(_ingested_at) ingested_ms FROM '${file}'`,
    );
    expect(rows).toEqual([
      {
        id: "1",
        name: "Pale",
        abv: "5.25",
        ibu: 40,
        rating: 4.5,
        organic: true,
        launched: "2020-02-29",
        updated_us: "1795163400123456",
        ingested_ms: String(INGESTED_AT.getTime()),
      },
      {
        id: "9007199254740993",
        name: 'Stout, "dark"',
        abv: "12.00",
        ibu: 70,
        rating: 3.75,
        organic: false,
        launched: null,
        updated_us: "1700000000000000",
        ingested_ms: String(INGESTED_AT.getTime()),
      },
      {
        id: "3",
        name: null,
        abv: "-0.50",
        ibu: null,
        rating: null,
        organic: null,
        launched: "1999-12-31",
        updated_us: "1795174200000000",
        ingested_ms: String(INGESTED_AT.getTime()),
      },
    ]);
  });

  it("reads gzip input the same as plain, and names outputs deterministically", async () => {
    const plain = await run(beer, beerLines);
    const gz = await run(beer, gzipSync(beerLines));
    expect({ ...gz, input: undefined }).toEqual({ ...plain, input: undefined });
    expect([gz.input?.gzip, plain.input?.gzip]).toEqual([true, false]);
  });

  it("quarantines malformed JSON, non-objects and wrong types with line and reason; counts balance", async () => {
    const input = [
      JSON.stringify({ beer_id: 1 }),
      "{not json",
      "[1,2]",
      "",
      JSON.stringify({ beer_id: null }),
      JSON.stringify({ beer_id: 2, ibu: 1.5 }),
      JSON.stringify({ beer_id: 3, abv: "123.4" }),
      JSON.stringify({ beer_id: 4, abv: "1.234" }),
      JSON.stringify({ beer_id: 5, launched: "2021-02-30" }),
      JSON.stringify({ beer_id: 6, updated_at: "yesterday" }),
      JSON.stringify({ beer_id: 7, organic: "maybe" }),
      JSON.stringify({ beer_id: 8, ibu: 3000000000 }),
    ].join("\n");
    const result = await run(beer, input);
    expect(result).toMatchObject({ rowsIn: 11, rowsWritten: 1, rowsQuarantined: 10 });
    expect(result.rowsIn).toBe(result.rowsWritten + result.rowsQuarantined);
    expect(quarantined("beer").map((q) => [q.line, q.reason])).toEqual([
      [2, expect.stringMatching(/^invalid JSON/)],
      [3, "not a JSON object"],
      [5, "beer_id: required value is missing"],
      [6, "ibu: 1.5 is not an int (32-bit)"],
      [7, 'abv: "123.4" is out of range for decimal(4,2)'],
      [8, 'abv: "1.234" has more than 2 decimal places'],
      [9, 'launched: "2021-02-30" is not a date (YYYY-MM-DD)'],
      [10, 'updated_at: "yesterday" is not a timestamp (ISO 8601 or epoch seconds)'],
      [11, 'organic: "maybe" is not a boolean'],
      [12, "ibu: 3000000000 is not an int (32-bit)"],
    ]);
    expect(quarantined("beer")[1]!.raw).toBe("[1,2]");
  });

  it("quarantines a truncated gzip's unreadable tail and keeps the rows before it", async () => {
    const many = Array.from({ length: 2000 }, (_, i) =>
      JSON.stringify({ beer_id: i, name: `beer ${i} `.repeat(5) }),
    ).join("\n");
    const gz = gzipSync(many);
    const result = await run(beer, gz.subarray(0, Math.floor(gz.length / 2)));
    expect(result.rowsIn).toBe(result.rowsWritten + result.rowsQuarantined);
    expect(result.rowsWritten).toBeGreaterThan(0);
    expect(quarantined("beer").at(-1)!.reason).toMatch(/gzip input is truncated or corrupt/);
  });

  it("quarantines binary (non-gzip, non-text) input without crashing", async () => {
    const result = await run(beer, Buffer.from([0x00, 0xff, 0x10, 0x0a, 0x42, 0x99]));
    expect(result).toMatchObject({ rowsIn: 2, rowsWritten: 0, rowsQuarantined: 2 });
  });

  it("converts an empty file to nothing", async () => {
    expect(await run(beer, "")).toMatchObject({
      rowsIn: 0,
      rowsWritten: 0,
      rowsQuarantined: 0,
      outputs: [],
      batches: 0,
    });
  });

  it("adds operation for CDC tables and quarantines an unknown operation", async () => {
    const input = [
      JSON.stringify({ review_id: 1, overall: 4, operation: "update", _ingested_at: "x" }),
      JSON.stringify({ review_id: 2, operation: "merge" }),
    ].join("\n");
    const result = await run(review, input);
    expect(result).toMatchObject({ rowsWritten: 1, rowsQuarantined: 1 });
    const rows = await query(`SELECT review_id::INT id, operation FROM '${result.outputs[0]}'`);
    expect(rows).toEqual([{ id: 1, operation: "update" }]);
    expect(quarantined("review")[0]!.reason).toBe('operation: "merge" is not insert, update or delete');
  });

  it("writes Hive partitions from the spec's partitionBy, without the partition columns in the files", async () => {
    const events = tableSpec({
      name: "events",
      source: { kind: "batch" },
      columns: [
        { name: "id", type: "int" },
        { name: "country", type: "string" },
        { name: "day", type: "date" },
      ],
      partitionBy: ["country", "day"],
    });
    const input = [
      { id: 1, country: "BR", day: "2026-01-02" },
      { id: 2, country: "US/East", day: "2026-01-02" },
      { id: 3, country: "BR", day: "2026-01-02" },
      { id: 4, country: null, day: "2026-01-03" },
    ]
      .map((r) => JSON.stringify(r))
      .join("\n");
    const result = await run(events, input);
    expect(result.outputs.map((o) => path.relative(dir, o)).sort()).toEqual([
      `events/country=BR/day=2026-01-02/${PART}-00000.parquet`,
      `events/country=US%2FEast/day=2026-01-02/${PART}-00000.parquet`,
      `events/country=__HIVE_DEFAULT_PARTITION__/day=2026-01-03/${PART}-00000.parquet`,
    ]);
    const rows = await query(
      `SELECT id, country, "day"::VARCHAR AS "day" FROM read_parquet('${dir}/events/*/*/*.parquet', hive_partitioning = true) ORDER BY id`,
    );
    expect(rows.map((r) => r.id)).toEqual([1, 2, 3, 4]);
    expect(rows[0]).toEqual({ id: 1, country: "BR", day: "2026-01-02" });
  });
});

describe("convert (Parquet encoding)", () => {
  it("dictionary-encodes short strings and small ints, not free text, 64-bit ids or doubles", async () => {
    const notes = tableSpec({
      name: "notes",
      source: { kind: "batch" },
      columns: [
        { name: "id", type: "bigint" },
        { name: "state", type: "string" },
        { name: "stars", type: "int" },
        { name: "score", type: "double" },
        { name: "body", type: "string" },
      ],
    });
    const input = Array.from({ length: 200 }, (_, i) =>
      JSON.stringify({
        id: i,
        state: ["SP", "RJ"][i % 2],
        stars: i % 5,
        score: i / 7,
        body: `note ${i} `.repeat(10),
      }),
    ).join("\n");
    const result = await run(notes, input);
    const meta = await query(
      `SELECT path_in_schema c, encodings e FROM parquet_metadata('${result.outputs[0]}')`,
    );
    const dictionary = Object.fromEntries(meta.map((m) => [m.c, String(m.e).includes("DICTIONARY")]));
    expect(dictionary).toEqual({
      id: false,
      state: true,
      stars: true,
      score: false,
      body: false,
      _ingested_at: false,
      _source_file: true,
      _source_row: false,
    });
  });
});

describe("convert (CSV)", () => {
  it("reads a BOM, quoted fields with delimiters, doubled quotes and embedded newlines", async () => {
    const csv =
      "\uFEFFbrewery_id,name,city,state\r\n" +
      '1,"Hill, Farmstead","Greensboro\r\nBend",VT\r\n' +
      '2,"The ""Alchemist""",Stowe,VT\n' +
      "3,Plain,,\n";
    const result = await run(brewery, csv);
    expect(result).toMatchObject({ rowsIn: 3, rowsWritten: 3, rowsQuarantined: 0 });
    const rows = await query(
      `SELECT brewery_id::INT id, name, city, state FROM '${result.outputs[0]}' ORDER BY id`,
    );
    expect(rows).toEqual([
      // The field's bytes as written, "\r\n" included (DuckDB's read_csv and Python's csv module keep it too).
      { id: 1, name: "Hill, Farmstead", city: "Greensboro\r\nBend", state: "VT" },
      { id: 2, name: 'The "Alchemist"', city: "Stowe", state: "VT" },
      { id: 3, name: "Plain", city: "", state: "" },
    ]);
  });

  it("quarantines broken quoting, wrong field counts and bad types with the starting line", async () => {
    const csv = [
      "brewery_id,name,city,state",
      '1,"ok",a,b',
      '2,bro"ken,a,b',
      '3,"closed"junk,a,b',
      "4,too,few",
      "x,bad id,a,b",
      "5,fine,a,b",
      '6,"never closed,a,b',
      "7,after,a,b",
    ].join("\n");
    const result = await run(brewery, csv);
    // The unterminated quote on line 8 is quarantined alone; line 9 is read as its own record.
    expect(result).toMatchObject({ rowsIn: 8, rowsWritten: 3, rowsQuarantined: 5 });
    expect(quarantined("brewery").map((q) => [q.line, q.reason])).toEqual([
      [3, "stray quote in unquoted column 2"],
      [4, "unexpected text after the closing quote in column 2"],
      [5, "expected 4 fields, got 3"],
      [6, 'brewery_id: "x" is not a bigint'],
      [8, "unterminated quoted field in column 2 (input ended)"],
    ]);
  });

  it("reads columns by header name, in any order, and ignores extra ones", async () => {
    const result = await run(brewery, "state,extra,brewery_id,name\nVT,zzz,10,Hill\n");
    const rows = await query(`SELECT brewery_id::INT id, name, city, state FROM '${result.outputs[0]}'`);
    expect(rows).toEqual([{ id: 10, name: "Hill", city: null, state: "VT" }]);
  });
});

describe("convert (bounded memory)", () => {
  it("streams a large generated input in batches, never holding more than batchRows rows", async () => {
    const rows = 25_000;
    let produced = 0;
    async function* generated(): AsyncGenerator<Uint8Array> {
      yield Buffer.from("brewery_id,name,city,state\n");
      for (let i = 0; i < rows; i += 500) {
        let text = "";
        for (let j = i; j < i + 500; j++) text += `${j},"Brewery ${j}, Inc",City ${j % 97},S${j % 50}\n`;
        produced += 500;
        yield Buffer.from(text);
      }
    }
    const result = await convert({
      table: brewery,
      source: generated(),
      sink: new DirectorySink(dir),
      controlId: CONTROL_ID,
      ingestedAt: INGESTED_AT,
      batchRows: 1000,
    });
    expect(produced).toBe(rows);
    expect(result).toMatchObject({ rowsIn: rows, rowsWritten: rows, rowsQuarantined: 0, batches: 25 });
    expect(result.maxBufferedRows).toBe(1000);
    expect(result.outputs).toHaveLength(25);
    expect(path.basename(result.outputs[24]!)).toBe(`${PART}-00024.parquet`);
    const [count] = await query(
      `SELECT count(*)::INT n, count(DISTINCT brewery_id)::INT d FROM '${dir}/brewery/*/*.parquet'`,
    );
    expect(count).toEqual({ n: rows, d: rows });
  });
});
