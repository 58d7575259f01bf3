import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import fc from "fast-check";
import { chunks, tableSpec } from "../../test/fixtures";
import { query } from "../../test/duck";
import { convert } from "./convert";
import { DirectorySink } from "./sinks";

/**
 * The bronze row contract: every row carries `_source_file` (the control id) and `_source_row`, the
 * 1-based ordinal of its record in the file counting quarantined records too, on every reader path.
 */

const CONTROL_ID = "s3://raw/t/a#v1";

function table(format: "json" | "csv", partitioned: boolean, cdc: boolean) {
  return tableSpec({
    name: "t",
    source: cdc ? { kind: "cdc" } : { kind: "batch" },
    format,
    columns: [
      { name: "id", type: "bigint", nullable: false },
      { name: "part", type: "string" },
    ],
    partitionBy: partitioned ? ["part"] : [],
  });
}

/** A record as a line: good (id = its ordinal) or bad (an id that is not a bigint). */
function line(format: "json" | "csv", cdc: boolean, ordinal: number, good: boolean, part: string): string {
  const id = good ? String(ordinal) : "x";
  if (format === "csv") return cdc ? `${id},${part},insert` : `${id},${part}`;
  return JSON.stringify({ id: good ? ordinal : "x", part, ...(cdc ? { operation: "insert" } : {}) });
}

describe("converter: _source_file and _source_row", () => {
  it("numbers every record of the file from 1, quarantined ones included, on every path", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<"json" | "csv">("json", "csv"),
        fc.boolean(),
        fc.boolean(),
        fc.boolean(),
        fc.integer({ min: 1, max: 4 }),
        fc.array(fc.tuple(fc.boolean(), fc.constantFrom("a", "b")), { minLength: 1, maxLength: 12 }),
        async (format, partitioned, cdc, fromBytes, batchRows, records) => {
          const dir = fs.mkdtempSync(path.join(os.tmpdir(), "source-columns-"));
          try {
            const header = format === "csv" ? [cdc ? "id,part,operation" : "id,part"] : [];
            const text = [
              ...header,
              ...records.map(([good, part], i) => line(format, cdc, i + 1, good, part)),
            ].join("\n");
            const result = await convert({
              table: table(format, partitioned, cdc),
              source: chunks(text, 5),
              sink: new DirectorySink(dir),
              controlId: CONTROL_ID,
              ingestedAt: new Date("2026-01-01T00:00:00Z"),
              batchRows,
              fromBytes,
            });
            const expected = records.flatMap(([good], i) => (good ? [i + 1] : []));
            expect(result.rowsWritten).toBe(expected.length);
            if (expected.length === 0) return;
            const files = result.outputs.map((f) => `'${f}'`).join(", ");
            const rows = await query(
              `SELECT id::VARCHAR id, _source_file f, _source_row::VARCHAR r FROM read_parquet([${files}]) ORDER BY _source_row`,
            );
            // Good records have id = ordinal, so each row's number is its position in the file.
            expect(rows).toEqual(expected.map((n) => ({ id: String(n), f: CONTROL_ID, r: String(n) })));
          } finally {
            fs.rmSync(dir, { recursive: true, force: true });
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});
