import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { chunks, tableSpec } from "../../test/fixtures";
import { query } from "../../test/duck";
import { convert } from "./convert";
import { DirectorySink } from "./sinks";

/** Issue 11's value defects end to end: converted both ways (bytes, reference), read back with DuckDB. */

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "values-"));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const COLUMNS = [
  { name: "id", type: "bigint", nullable: false },
  { name: "s", type: "string" },
  { name: "d", type: "decimal(38,4)" },
  { name: "big", type: "decimal(25,0)" },
  { name: "n", type: "int" },
  { name: "day", type: "date" },
  { name: "at", type: "timestamp" },
] as const;

async function convertBothWays(format: "json" | "csv", input: string) {
  const outcomes = [];
  for (const fromBytes of [true, false]) {
    const out = path.join(dir, String(fromBytes));
    const result = await convert({
      table: tableSpec({ name: "t", source: { kind: "batch" }, format, columns: COLUMNS }),
      source: chunks(input, 13),
      sink: new DirectorySink(out),
      controlId: "c",
      ingestedAt: new Date("2026-11-21T10:00:00Z"),
      fromBytes,
    });
    const rows = await query(
      `SELECT id::VARCHAR id, s, d::VARCHAR d, big::VARCHAR big, n, "day"::VARCHAR "day", epoch_us("at")::VARCHAR "at"
       FROM '${result.outputs[0]}' ORDER BY id`,
    );
    const quarantine = result.quarantine.flatMap((file) =>
      fs
        .readFileSync(file, "utf8")
        .trim()
        .split("\n")
        .map((l) => {
          const { line, reason } = JSON.parse(l) as { line: number; reason: string };
          return [line, reason];
        }),
    );
    outcomes.push({ counts: [result.rowsIn, result.rowsWritten, result.rowsQuarantined], rows, quarantine });
  }
  expect(outcomes[0]).toEqual(outcomes[1]);
  return outcomes[0]!;
}

describe("convert: values read back with DuckDB (issue 11 defects 5, 6, 8, 12)", () => {
  it("keeps JSON numbers' text for string, decimal and bigint columns, and years 0001-0099, on both paths", async () => {
    const { counts, rows } = await convertBothWays(
      "json",
      [
        '{"id":1,"s":12345678901234567890,"d":1234567890123456789012345678901234.5678,"big":1e21,"day":"0050-03-01","at":"0050-03-01 12:00:00"}',
        '{"id":2,"s":1.50,"d":1.50000,"big":123,"day":"0099-12-31","at":"0001-01-01T00:00:00Z"}',
        '{"id":9007199254740993,"s":-0.0e+1,"d":-0.0001,"big":99999999999999999999999E0}',
        // Keys out of order: the reference path (JSON.parse) for this line on both runs.
        '{"s":{"a": 1.50, "b": [12345678901234567890]},"id":4,"d":12345678901234567890123456789012.1}',
      ].join("\n") + "\n",
    );
    expect(counts).toEqual([4, 4, 0]);
    expect(rows).toEqual([
      {
        id: "1",
        s: "12345678901234567890",
        d: "1234567890123456789012345678901234.5678",
        big: "1000000000000000000000",
        n: null,
        day: "0050-03-01",
        at: "-60584155200000000", // (-701206 days + 12 h) × 86400e6 µs
      },
      { id: "2", s: "1.50", d: "1.5000", big: "123", n: null, day: "0099-12-31", at: "-62135596800000000" },
      {
        id: "4",
        s: '{"a": 1.50, "b": [12345678901234567890]}',
        d: "12345678901234567890123456789012.1000",
        big: null,
        n: null,
        day: null,
        at: null,
      },
      {
        id: "9007199254740993",
        s: "-0.0e+1",
        d: "-0.0001",
        big: "99999999999999999999999",
        n: null,
        day: null,
        at: null,
      },
    ]);
  });

  it("quarantines out-of-range instants, bad zone offsets and lossy decimals, naming the column, the value and the line", async () => {
    const { counts, quarantine } = await convertBothWays(
      "json",
      [
        '{"id":1,"at":7766279631452}',
        '{"id":2,"at":"2026-01-01T00:00:00+25:00"}',
        '{"id":3,"at":"2026-01-01T00:00:00+05:99"}',
        '{"id":4,"d":1.23456}',
        '{"id":5,"day":"0000-01-01"}',
        '{"id":6,"big":1e25}',
        '{"id":7,"n":" 7","s":"ok"}',
        '{"id":12345678901234567890}',
      ].join("\n") + "\n",
    );
    expect(counts).toEqual([8, 1, 7]);
    expect(quarantine).toEqual([
      [1, "at: 7766279631452 is not a timestamp from 0001-01-01 to 9999-12-31 (UTC)"],
      [2, 'at: "2026-01-01T00:00:00+25:00" is not a timestamp (zone offsets go from -18:00 to +18:00)'],
      [3, 'at: "2026-01-01T00:00:00+05:99" is not a timestamp (zone offsets go from -18:00 to +18:00)'],
      [4, "d: 1.23456 has more than 4 decimal places"],
      [5, 'day: "0000-01-01" is not a date from 0001-01-01 to 9999-12-31'],
      [6, "big: 1e25 is out of range for decimal(25,0)"],
      // Shown as written: through a double it read 12345678901234567000.
      [8, "id: 12345678901234567890 is not a bigint (64-bit)"],
    ]);
  });

  it("quarantines a timestamp partition value beyond 9999-12-31 instead of crashing on it (defect 10's RangeError)", async () => {
    const result = await convert({
      table: tableSpec({
        name: "t",
        source: { kind: "batch" },
        format: "json",
        columns: [
          { name: "id", type: "bigint", nullable: false },
          { name: "at", type: "timestamp" },
        ],
        partitionBy: ["at"],
      }),
      source: chunks('{"id":1,"at":1e13}\n{"id":2,"at":"9999-12-31T23:59:59Z"}\n', 13),
      sink: new DirectorySink(dir),
      controlId: "c",
      ingestedAt: new Date("2026-11-21T10:00:00Z"),
    });
    expect([result.rowsIn, result.rowsWritten, result.rowsQuarantined]).toEqual([2, 1, 1]);
    expect(result.outputs[0]).toContain("at=9999-12-31T23%3A59%3A59.000Z");
  });

  it("trims ASCII whitespace around every non-string CSV value, and refuses U+00A0, on both paths", async () => {
    const { counts, rows, quarantine } = await convertBothWays(
      "csv",
      [
        "id,s,d,big,n,day,at",
        '" 1"," a ","\t2.50 ", 7 ," 8","2026-01-02 "," 2026-01-02T00:00:00Z"',
        "2,b,1.5,\u00a07,1,2026-01-02,2026-01-02T00:00:00Z",
        "3,c,1.5,7,\u00a01,2026-01-02,2026-01-02T00:00:00Z",
      ].join("\n") + "\n",
    );
    expect(counts).toEqual([3, 1, 2]);
    expect(rows).toEqual([
      { id: "1", s: " a ", d: "2.5000", big: "7", n: 8, day: "2026-01-02", at: "1767312000000000" },
    ]);
    expect(quarantine).toEqual([
      [3, 'big: "\u00a07" is not a decimal(25,0)'],
      [4, 'n: "\u00a01" is not an int (32-bit)'],
    ]);
  });
});
