import type { FuzzColumn } from "./fuzz-files";

/**
 * Where the converter and DuckDB 1.5.5 (the @duckdb/node-api we pin) read the same file differently on
 * purpose, and so where the differential fuzz does not go. Each entry is shown by its own test in
 * differences.test.ts: the converter's outcome and DuckDB's, each as rows written and records refused (by
 * position, 1 = the first record). `duckdb-wrong`: DuckDB loses or alters data; `policy`: DuckDB accepts what
 * the converter's contract refuses (or the other way), and the converter's behaviour is the intended one.
 */
export interface Difference {
  id: string;
  kind: "duckdb-wrong" | "policy";
  why: string;
  format: "csv" | "json";
  columns: FuzzColumn[];
  input: string | Uint8Array;
  /**
   * DuckDB reads with the declared types itself (read_csv's TIMESTAMPTZ columns, read_json's `columns`), not
   * as the fuzz does (timestamps as text cast after; JSON through read_json_objects and TRY_CAST).
   */
  declared?: boolean;
  converter: { rows: Record<string, unknown>[]; refused: number[] };
  /** What DuckDB returns, or the start of the error it fails the whole read with. */
  duckdb: { rows: Record<string, unknown>[]; refused: number[] } | { error: string };
}

const text = (name: string): FuzzColumn => ({ name, type: "string" });

export const DIFFERENCES: Difference[] = [
  {
    id: "csv-unterminated-quote-at-end",
    kind: "duckdb-wrong",
    why:
      "An unterminated quote running to the end of the file: DuckDB returns the records before it and drops " +
      "the rest silently, with no error and no reject even with store_rejects. The converter quarantines the " +
      "opening line and reads the lines after it as records of their own (csv.ts, resynchronisation).",
    format: "csv",
    columns: [text("a"), text("b")],
    input: 'a,b\n1,2\n3,"abc\n4,5\n',
    converter: {
      rows: [
        { a: "1", b: "2" },
        { a: "4", b: "5" },
      ],
      refused: [2],
    },
    duckdb: { rows: [{ a: "1", b: "2" }], refused: [] },
  },
  {
    id: "csv-timestamptz-cast-failure-is-null",
    kind: "duckdb-wrong",
    why:
      "read_csv with a TIMESTAMPTZ column turns a value it cannot cast into NULL and keeps the record, even with " +
      "store_rejects (a DATE or INTEGER column rejects it); the converter quarantines the record. The fuzz " +
      "reads timestamps as text and casts them after (duck-reference.ts).",
    format: "csv",
    columns: [{ name: "t", type: "timestamp" }],
    input: "t\nzz\n2026-02-30T00:00:00Z\n",
    declared: true,
    converter: { rows: [], refused: [1, 2] },
    duckdb: { rows: [{ t: null }, { t: null }], refused: [] },
  },
  {
    id: "json-read-json-cast-failure-is-null",
    kind: "duckdb-wrong",
    why:
      "read_json with `columns` (and ignore_errors, without which one bad line fails the whole read) turns a " +
      "value that does not cast into NULL and keeps the row, rounds 1.5 into an INTEGER (2) and reads a line " +
      "that is not JSON as a row of NULLs; the converter quarantines each. The fuzz reads JSON through " +
      "read_json_objects and TRY_CAST instead (duck-reference.ts).",
    format: "json",
    columns: [
      { name: "i", type: "int" },
      { name: "d", type: "date" },
    ],
    input: '{"i":1,"d":"2026-13-01"}\n{"i":1.5}\nnot json\n{"i":2,"d":"2026-01-02"}\n',
    declared: true,
    converter: { rows: [{ i: "2", d: "2026-01-02" }], refused: [1, 2, 3] },
    duckdb: {
      rows: [
        { i: "1", d: null },
        { i: "2", d: null },
        { i: null, d: null },
        { i: "2", d: "2026-01-02" },
      ],
      refused: [],
    },
  },
  {
    id: "csv-quadruple-quote-field",
    kind: "duckdb-wrong",
    why:
      'Issue 11 reports DuckDB dropping the rest of a file after a """" field followed by another field. Not ' +
      "so on 1.5.5 with strict_mode = true (what the fuzz uses): it reads one quote and every record after. " +
      'With strict_mode = false it reads """" as two quotes (RFC 4180 §2.7: one); that is shown in the test.',
    format: "csv",
    columns: [text("a"), text("b")],
    input: 'a,b\n"""",x\n1,2\n',
    converter: {
      rows: [
        { a: '"', b: "x" },
        { a: "1", b: "2" },
      ],
      refused: [],
    },
    duckdb: {
      rows: [
        { a: '"', b: "x" },
        { a: "1", b: "2" },
      ],
      refused: [],
    },
  },
  {
    id: "csv-wrong-width-record-spanning-lines",
    kind: "policy",
    why:
      "A quoted field spanning lines in a record of the wrong number of fields: DuckDB rejects the record as " +
      "one; the converter takes a wrong-width close for a quote out of step and quarantines each physical " +
      "line as a record of its own (csv.ts, resynchronisation), so a stray quote cannot swallow the rows after it.",
    format: "csv",
    columns: [text("a"), text("b")],
    input: 'a,b\n"x\ny"\n1,2\n',
    converter: { rows: [{ a: "1", b: "2" }], refused: [1, 2] },
    duckdb: { rows: [{ a: "1", b: "2" }], refused: [1] },
  },
  {
    id: "csv-mixed-line-endings",
    kind: "policy",
    why:
      "LF and CRLF records in one file (a blank CRLF line in an LF file): DuckDB's strict_mode fails the whole " +
      "read; the converter takes either ending on every line (RFC 4180 says CRLF, files say both).",
    format: "csv",
    columns: [text("a"), text("b")],
    input: "a,b\n1,2\n\r\n3,4\r\n5,6\n",
    converter: {
      rows: [
        { a: "1", b: "2" },
        { a: "3", b: "4" },
        { a: "5", b: "6" },
      ],
      refused: [],
    },
    duckdb: { error: "Invalid Input Error: The CSV Parser state machine reached an invalid state" },
  },
  {
    id: "csv-stray-quote-in-unquoted-field",
    kind: "policy",
    why:
      'RFC 4180 §2.5: a field that is not quoted may not hold a quote. DuckDB (strict_mode too) reads x"y as ' +
      "it is; the converter quarantines the record (csv-spectrum's location_coordinates expects the former).",
    format: "csv",
    columns: [text("a"), text("b")],
    input: 'a,b\n1,x"y\n2,3\n',
    converter: { rows: [{ a: "2", b: "3" }], refused: [1] },
    duckdb: {
      rows: [
        { a: "1", b: 'x"y' },
        { a: "2", b: "3" },
      ],
      refused: [],
    },
  },
  {
    id: "csv-invalid-utf8",
    kind: "policy",
    why:
      "Invalid UTF-8: DuckDB rejects the record (INVALID ENCODING); the converter keeps it with U+FFFD in place " +
      "of each bad sequence (WHATWG decoding), so a stray Latin-1 byte does not cost the row.",
    format: "csv",
    columns: [text("a"), text("b")],
    input: Buffer.from([...Buffer.from("a,b\n1,"), 0xff, 0x78, ...Buffer.from("\n2,3\n")]),
    converter: {
      rows: [
        { a: "1", b: "\uFFFDx" },
        { a: "2", b: "3" },
      ],
      refused: [],
    },
    duckdb: { rows: [{ a: "2", b: "3" }], refused: [1] },
  },
  {
    id: "integer-spellings",
    kind: "policy",
    why:
      "DuckDB casts 1.5 to INTEGER 2 (rounding), and takes 0x1F (31), 1_000 and 1e3; the converter takes " +
      "decimal digits only and never rounds a value into an integer column.",
    format: "csv",
    columns: [{ name: "i", type: "int" }],
    input: "i\n1.5\n0x1F\n1_000\n1e3\n",
    converter: { rows: [], refused: [1, 2, 3, 4] },
    duckdb: { rows: [{ i: "2" }, { i: "31" }, { i: "1000" }, { i: "1000" }], refused: [] },
  },
  {
    id: "decimal-extra-digits",
    kind: "policy",
    why:
      "DuckDB rounds 1.234 into DECIMAL(10,2) (1.23); the converter refuses digits past the scale (no silent " +
      "rounding of money). Both take an exponent (1e2 is 100.00), as Spark and DuckDB read decimal text (decimal.ts).",
    format: "csv",
    columns: [{ name: "d", type: "decimal(10,2)" }],
    input: "d\n1.234\n1e2\n",
    converter: { rows: [{ d: "100.00" }], refused: [1] },
    duckdb: { rows: [{ d: "1.23" }, { d: "100.00" }], refused: [] },
  },
  {
    id: "date-spellings",
    kind: "policy",
    why: "DuckDB takes 1-2-3 (0001-02-03), 2026/01/02 and a date with a time; the converter takes YYYY-MM-DD only.",
    format: "csv",
    columns: [{ name: "d", type: "date" }],
    input: "d\n1-2-3\n2026/01/02\n2026-01-02T00:00:00\n",
    converter: { rows: [], refused: [1, 2, 3] },
    duckdb: { rows: [{ d: "0001-02-03" }, { d: "2026-01-02" }, { d: "2026-01-02" }], refused: [] },
  },
  {
    id: "timestamp-spellings",
    kind: "policy",
    why:
      "The converter's timestamp contract (coerce.ts): ISO 8601 with a zone after HH:MM too, lower-case t/z, " +
      "and epoch seconds; DuckDB refuses those, and takes 24:00:00 (the next day) and a ' UTC' suffix, which " +
      "the converter refuses.",
    format: "csv",
    columns: [{ name: "t", type: "timestamp" }],
    input:
      "t\n2026-01-02T03:04Z\n2026-01-02t03:04:05z\n1700000000\n2026-01-02T24:00:00\n2026-01-02 03:04:05 UTC\n",
    converter: {
      rows: [{ t: "1767323040000000" }, { t: "1767323045000000" }, { t: "1700000000000000" }],
      refused: [4, 5],
    },
    duckdb: { rows: [{ t: "1767398400000000" }, { t: "1767323045000000" }], refused: [1, 2, 3] },
  },
  {
    id: "zone-offsets-out-of-range",
    kind: "policy",
    why:
      "DuckDB takes +25:00 and +05:99 as offsets (25 hours; 5 hours 99 minutes); an offset is at most " +
      "±18:00 with minutes below 60 (java.time.ZoneOffset's range, which Spark reads with), so the converter " +
      "refuses them (temporal.ts).",
    format: "csv",
    columns: [{ name: "t", type: "timestamp" }],
    input: "t\n2026-01-02T03:04:05+25:00\n2026-01-02T03:04:05+05:99\n",
    converter: { rows: [], refused: [1, 2] },
    duckdb: { rows: [{ t: "1767233045000000" }, { t: "1767299105000000" }], refused: [] },
  },
  {
    id: "year-0000",
    kind: "policy",
    why:
      "DuckDB takes year 0000 as 1 BC (astronomical year numbering); the converter takes years 0001-9999, the range of " +
      "Spark's DateType and TimestampType (and so Glue and Athena; temporal.ts), and refuses year 0000.",
    format: "csv",
    columns: [{ name: "d", type: "date" }],
    input: "d\n0000-02-26\n0001-01-01\n",
    converter: { rows: [{ d: "0001-01-01" }], refused: [1] },
    duckdb: { rows: [{ d: "0001-02-26 (BC)" }, { d: "0001-01-01" }], refused: [] },
  },
  {
    id: "double-special-values",
    kind: "policy",
    why:
      "DuckDB takes inf, Infinity, nan and 1_0 as DOUBLE; the converter refuses them (JSON has no such numbers, " +
      "and a NaN in bronze breaks comparisons downstream).",
    format: "csv",
    columns: [{ name: "x", type: "double" }],
    input: "x\ninf\nInfinity\nnan\n1_0\n",
    converter: { rows: [], refused: [1, 2, 3, 4] },
    duckdb: { rows: [{ x: "Infinity" }, { x: "Infinity" }, { x: "NaN" }, { x: 10 }], refused: [] },
  },
  {
    id: "json-formfeed-or-vtab-line",
    kind: "policy",
    why:
      "JSON's whitespace is space, tab, LF and CR (RFC 8259 §2): DuckDB skips a line of only \\f or \\v as " +
      "blank (it refuses U+00A0, U+FEFF, U+2028 and U+3000 lines, findings.test.ts); the converter quarantines " +
      "it as invalid JSON, as it does every line of other space characters.",
    format: "json",
    columns: [text("a")],
    input: '{"a":"1"}\n\f\n\v\n{"a":"2"}\n',
    converter: { rows: [{ a: "1" }, { a: "2" }], refused: [2, 3] },
    duckdb: { rows: [{ a: "1" }, { a: "2" }], refused: [] },
  },
  {
    id: "json-trailing-comma",
    kind: "policy",
    why: 'RFC 8259 §4 has no trailing comma: DuckDB reads {"a":"1",} as an object, the converter quarantines it.',
    format: "json",
    columns: [text("a")],
    input: '{"a":"1",}\n{"a":"2"}\n',
    converter: { rows: [{ a: "2" }], refused: [1] },
    duckdb: { rows: [{ a: "1" }, { a: "2" }], refused: [] },
  },
];
