import fc from "fast-check";
import { csvField } from "../lib/convert/csv";
import type { OutputSink } from "../lib/convert/sinks";
import { tableSpec } from "./fixtures";

/**
 * Generated and damaged CSV and JSON lines for the converter's property tests (bytepath.test.ts: byte path vs
 * reference path; workers.test.ts: worker threads vs one thread).
 */

/** Keeps what a conversion writes, by key. */
export class MemorySink implements OutputSink {
  readonly files = new Map<string, Buffer>();
  async put(key: string, body: Uint8Array): Promise<void> {
    this.files.set(key, Buffer.from(body));
  }
  describe(key: string): string {
    return key;
  }
}

export const COLUMNS = [
  { name: "id", type: "bigint", nullable: false },
  { name: "name", type: "string" },
  { name: "n", type: "int" },
  { name: "price", type: "decimal(6,2)" },
  { name: "score", type: "double" },
  { name: "ok", type: "boolean" },
  { name: "day", type: "date" },
  { name: "at", type: "timestamp" },
] as const;

export const tablesOf = (format: "csv" | "json") => ({
  plain: tableSpec({ name: "t", source: { kind: "batch" }, format, columns: COLUMNS }),
  partitioned: tableSpec({
    name: "t",
    source: { kind: "batch" },
    format,
    columns: COLUMNS,
    partitionBy: ["name", "day"],
  }),
  cdc: tableSpec({ name: "t", source: { kind: "cdc" }, format, columns: COLUMNS }),
});
export const tables = tablesOf("csv");

/** Any field text: valid and invalid forms of every type, empty, quotes, commas, CR, non-ASCII. */
export const anyText = fc.oneof(
  fc.integer({ min: -3_000_000_000, max: 3_000_000_000 }).map(String),
  fc.bigInt({ min: -(2n ** 64n), max: 2n ** 64n }).map(String),
  fc.double({ noNaN: true }).map(String),
  fc.constantFrom("1.5", "-0.25", "12.345", "true", "no", "2024-02-29", "2023-02-29", "x", "", " 7"),
  fc.constantFrom("2026-11-20T08:30:00Z", "2026-11-20T25:30:00Z", "2026-11-20 08:30:00-03:00", "1700000000"),
  fc.constantFrom("insert", "UPDATE", "delete", "merge"),
  fc.string({ unit: fc.constantFrom("a", "é", "€", '"', ",", " ", "\r", "1"), maxLength: 8 }),
  // Issue 11: whitespace around values, years 0000-0099, offsets and epochs out of range, exponents.
  fc.constantFrom(" 5", "5\t", "\u00a05", " 1.50 ", "0050-03-01", "0000-01-01", "0099-12-31T23:59:59Z"),
  fc.constantFrom("2026-01-01T00:00:00+25:00", "2026-01-01T00:00:00+05:99", "2026-01-01 00:00:00-18:00"),
  fc.constantFrom("7766279631452", "253402300800", "1e21", "1.2345e2", "-0.0", "9007199254740993"),
);

export const instant = fc.date({
  min: new Date("0000-01-01T00:00:00Z"),
  max: new Date("9999-12-31T23:59:59Z"),
  noInvalidDate: true,
});

/** Mostly valid text for each column (so rows get written), sometimes anything. */
export const validText: Record<string, fc.Arbitrary<string>> = {
  id: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map(String),
  // "\n" and "\r\n" make records spanning lines (quoted by csvField), read by CsvRecords on both paths.
  name: fc.string({
    unit: fc.oneof(
      { weight: 12, arbitrary: fc.constantFrom("a", "é", "€", '"', ",", " ", "\r", "1") },
      { weight: 1, arbitrary: fc.constantFrom("\n", "\r\n") },
    ),
    maxLength: 60,
  }),
  n: fc.integer().map(String),
  price: fc.integer({ min: -999_999, max: 999_999 }).map((c) => (c / 100).toFixed(2)),
  score: fc.oneof(
    fc.double({ noNaN: true, noDefaultInfinity: true }).map(String),
    fc.constantFrom("4.5", "-0.125"),
  ),
  ok: fc.constantFrom("true", "false", "yes", "N", "1", "0"),
  day: instant.map((d) => d.toISOString().slice(0, 10)),
  at: instant.map((d) => d.toISOString().replace(/\.\d{3}Z$/, "Z")),
  operation: fc.constantFrom("insert", "update", "delete", "UPDATE"),
};

export const header = [...COLUMNS.map((c) => c.name), "operation"];

export const record = fc
  .tuple(
    fc.tuple(
      ...header.map((name) =>
        fc.oneof({ weight: 12, arbitrary: validText[name]! }, { weight: 1, arbitrary: anyText }),
      ),
    ),
    fc.constantFrom(0, 0, 0, 0, 0, 0, 1, -1),
    fc.boolean(),
  )
  .map(([fields, extra, quoteAll]) => {
    const row: string[] = extra < 0 ? fields.slice(1) : extra > 0 ? [...fields, "extra"] : fields;
    return row.map((f) => (quoteAll ? `"${f.replace(/"/g, '""')}"` : csvField(f))).join(",");
  });

export const document = fc.tuple(
  fc.array(
    fc.oneof(
      { weight: 8, arbitrary: record },
      // Damage: blank lines, quotes out of step (opened and never closed, closed on a later line, opened past
      // the header's width), which resynchronise line by line.
      {
        weight: 1,
        arbitrary: fc.constantFrom(
          "",
          '1,"open',
          'x"',
          'x",1,2',
          '"',
          '2,"half\r\nopen',
          '1,2,3,4,5,6,7,8,9,"',
        ),
      },
    ),
    { maxLength: 40 },
  ),
  fc.constantFrom("\n", "\r\n"),
);

/** A JSON value for a column: mostly what it should hold, sometimes text, odd numbers, literals or nesting. */
export const jsonValue: Record<string, fc.Arbitrary<unknown>> = {
  id: fc.oneof(fc.integer(), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map(String)),
  name: fc.string({
    unit: fc.constantFrom("a", "é", "€", '"', "\\", "/", "\n", "\t", "\u0001", "\ud800", " "),
    maxLength: 10,
  }),
  n: fc.oneof(fc.integer(), fc.constantFrom(3.0, 2.5, 1e3, -0, 2 ** 31)),
  price: fc.oneof(
    fc.integer({ min: -999_999, max: 999_999 }).map((c) => c / 100),
    fc.constantFrom("12.5", "1e-2"),
  ),
  score: fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constantFrom("4.5", 1e21, 5e-7)),
  ok: fc.constantFrom(true, false, "yes", 0, 1),
  day: instant.map((d) => d.toISOString().slice(0, 10)),
  at: fc.oneof(
    instant.map((d) => d.toISOString().replace(/\.\d{3}Z$/, "Z")),
    instant.map((d) => d.getTime() / 1000),
    fc.constantFrom("2026-11-20T08:30:00.5+01:00"),
  ),
  operation: fc.constantFrom("insert", "update", "delete", "UPDATE", "merge", 1),
};
/** A JSON number written as is (JSON.stringify would respell it): the columns that keep its text must see this. */
export class RawNumber {
  constructor(readonly text: string) {}
}
export const rawNumber = (...texts: string[]) => fc.constantFrom(...texts.map((t) => new RawNumber(t)));
export const rawNumbers: Record<string, fc.Arbitrary<RawNumber>> = {
  id: rawNumber("9007199254740993", "12345678901234567890", "1.0e2", "-0", "123456789012345678"),
  name: rawNumber("1.50", "12345678901234567890", "-0.0e+1", "1E400", "0.1000000000000000055511151231257827"),
  price: rawNumber("1.50", "1.2e2", "1.234", "9999.99", "1E-2", "10000", "-0.001", "1e21"),
  score: rawNumber("1.50", "1E400", "12345678901234567890"),
  at: rawNumber("7766279631452", "1700000000.5", "-62135596801"),
};
export const oddValue = fc.oneof(
  fc.constantFrom(null, true, "", "x", [1], { a: 1 }, -1, "2026-02-30"),
  fc.string({ maxLength: 4 }),
);

export const jsonObject = fc
  .tuple(
    fc.tuple(
      ...header.map((name) =>
        fc.option(
          fc.oneof(
            { weight: 10, arbitrary: jsonValue[name]! },
            { weight: 1, arbitrary: oddValue },
            ...(rawNumbers[name] ? [{ weight: 2, arbitrary: rawNumbers[name] }] : []),
          ),
          {
            freq: 12,
            nil: undefined,
          },
        ),
      ),
    ),
    fc.constantFrom("none", "none", "none", "shuffle", "extra", "duplicate", "spaces"),
  )
  .map(([values, twist]) => {
    let entries = header.flatMap((name, i) => (values[i] === undefined ? [] : [[name, values[i]] as const]));
    if (twist === "shuffle") entries = [...entries].reverse();
    if (twist === "extra") entries = [["zzz", { nested: [1, "x"] }], ...entries, ["tail", "t"]];
    if (twist === "duplicate" && entries.length > 0) entries = [...entries, entries[0]!];
    const body = entries.map(
      ([k, v]) => `${JSON.stringify(k)}:${v instanceof RawNumber ? v.text : JSON.stringify(v)}`,
    );
    return twist === "spaces" ? `\t{ ${body.join(" ,  ")} }  ` : `{${body.join(",")}}`;
  });

export const jsonLine = fc.oneof(
  { weight: 10, arbitrary: jsonObject },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      "",
      "   ",
      "[1]",
      "null",
      "{",
      "{}",
      '{"id":1}x',
      '{"id":01}',
      '{"id":1,}',
      '{"id":1,"score":1e400}',
      '{"id":1.0e2}',
      '{"id":"a\x01"}',
    ),
  },
  { weight: 1, arbitrary: fc.tuple(jsonObject, fc.nat()).map(([o, at]) => o.slice(0, at % (o.length + 1))) },
);
