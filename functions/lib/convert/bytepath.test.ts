import fc from "fast-check";
import type { TableSpec } from "../../../components/spec/schema";
import { chunks } from "../../test/fixtures";
import { document, header, jsonLine, MemorySink, tables, tablesOf } from "../../test/convert-inputs";
import { query } from "../../test/duck";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { convert } from "./convert";
import { DirectorySink } from "./sinks";

/**
 * The CSV fast path reads fields from the input's bytes straight into the column buffers; CsvRecords and the
 * coercers on decoded text are the reference (`csvFromBytes: false`, and what a chunk of invalid UTF-8 takes).
 * Both must write the same files, byte for byte.
 */

async function run(table: TableSpec, input: Buffer, chunkSize: number, fromBytes = true, batchRows = 4) {
  const sink = new MemorySink();
  const result = await convert({
    table,
    source: chunks(input, chunkSize),
    sink,
    controlId: "c",
    ingestedAt: new Date("2026-11-21T10:00:00Z"),
    batchRows,
    fromBytes,
  });
  return { result, sink };
}

/** Converts `input` both ways and expects the same counts and the same files, byte for byte. */
async function expectSameAsReference(
  table: TableSpec,
  input: Buffer,
  chunkSize: number,
  batchRows = 4,
): Promise<void> {
  const fast = await run(table, input, chunkSize, true, batchRows);
  const reference = await run(table, input, chunkSize, false, batchRows);
  expect(fast.result).toEqual(reference.result);
  expect(fast.result.rowsIn).toBe(fast.result.rowsWritten + fast.result.rowsQuarantined);
  expect([...fast.sink.files.keys()]).toEqual([...reference.sink.files.keys()]);
  for (const [key, body] of reference.sink.files) {
    if (key.endsWith(".jsonl")) expect(fast.sink.files.get(key)!.toString()).toBe(body.toString());
    else expect(fast.sink.files.get(key)!.equals(body)).toBe(true);
  }
}

describe("CSV byte path (property: the reference path's output, byte for byte)", () => {
  for (const table of Object.keys(tables) as (keyof typeof tables)[]) {
    it(`converts a ${table} table's rows exactly as CsvRecords and the coercers on text do`, async () => {
      await fc.assert(
        fc.asyncProperty(
          document,
          fc.integer({ min: 1, max: 512 }),
          fc.constantFrom(3, 7, 100),
          async ([lines, newline], size, batchRows) => {
            const text = [header.join(","), ...lines].join(newline) + newline;
            await expectSameAsReference(tables[table], Buffer.from(text), size, batchRows);
          },
        ),
        { numRuns: 60 },
      );
    });
  }
});

describe("JSON byte path (property: the reference path's output, byte for byte)", () => {
  const jsonTables = tablesOf("json");
  for (const table of Object.keys(jsonTables) as (keyof typeof jsonTables)[]) {
    it(`converts a ${table} table's lines exactly as JSON.parse and the coercers do`, async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(jsonLine, { maxLength: 12 }),
          fc.constantFrom("\n", "\r\n"),
          fc.integer({ min: 1, max: 64 }),
          async (lines, newline, size) => {
            await expectSameAsReference(jsonTables[table], Buffer.from(lines.join(newline) + newline), size);
          },
        ),
        { numRuns: 80 },
      );
    });
  }
});

describe("convert (CSV from bytes)", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "bytepath-"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("takes a row back out of every column when a later field fails, and keeps invalid UTF-8 as U+FFFD", async () => {
    const input = Buffer.concat([
      Buffer.from(`${header.join(",")}\n`),
      Buffer.from('1,"first, row",1,1.50,0.5,true,2026-01-01,2026-11-20T08:30:00Z,insert\n'),
      Buffer.from("2,second row,2,2.00,1.5,false,2026-01-02,not a time,insert\n"),
      Buffer.from("3,bad "),
      Buffer.from([0xc3, 0x28]),
      Buffer.from(" byte,3,3.00,2.5,true,2026-01-03,2026-11-20T08:30:01Z,insert\n"),
    ]);
    const result = await convert({
      table: tables.plain,
      source: chunks(input, 16),
      sink: new DirectorySink(dir),
      controlId: "c",
      ingestedAt: new Date("2026-11-21T10:00:00Z"),
    });
    expect(result).toMatchObject({ rowsIn: 3, rowsWritten: 2, rowsQuarantined: 1 });
    const rows = await query(
      `SELECT id::INT id, name, n, price::VARCHAR price FROM '${result.outputs[0]}' ORDER BY id`,
    );
    expect(rows).toEqual([
      { id: 1, name: "first, row", n: 1, price: "1.50" },
      { id: 3, name: "bad \uFFFD( byte", n: 3, price: "3.00" },
    ]);
  });
});
