import fc from "fast-check";

/**
 * Random CSV and JSON-lines files for the differential fuzz against DuckDB: a table of 1-5 nullable columns
 * of random types and 1-40 records whose values are spelled in the forms the converter and DuckDB both define
 * the same way (valid values in several spellings, values both refuse, nulls), with strings full of quotes,
 * delimiters, line breaks and non-ASCII. Spellings where the two differ by design are left out here and each
 * is shown by its own test in differences.test.ts.
 */
export type FuzzType =
  "string" | "int" | "bigint" | "double" | "boolean" | "date" | "timestamp" | `decimal(${number},${number})`;

export interface FuzzColumn {
  name: string;
  type: FuzzType;
}

/** One value as text (CSV field or JSON string), a JSON literal (number, boolean, null, object), or absent. */
export type FuzzValue =
  { kind: "text"; text: string } | { kind: "json"; literal: string } | { kind: "missing" };

export interface FuzzFile {
  columns: FuzzColumn[];
  /** Each record's values by column; a CSV record may also have a field too many or too few. */
  records: { values: FuzzValue[]; width: number }[];
  /** CSV: line endings, whether fields without special characters are quoted too, a final line ending. */
  crlf: boolean;
  quoteAll: boolean;
  finalNewline: boolean;
  /** JSON: records that are not objects or not JSON at all, by index. */
  junk: Map<number, string>;
  /** Records followed by a blank line (skipped by both readers; CSV: only with two columns or more). */
  blanks: Set<number>;
}

const text = (t: string): FuzzValue => ({ kind: "text", text: t });
const json = (literal: string): FuzzValue => ({ kind: "json", literal });

/** Characters that stress a CSV or JSON reader: quotes, delimiters, line breaks, escapes, multi-byte UTF-8. */
const awkward = fc.constantFrom(
  '"',
  '""',
  ",",
  "\n",
  "\r\n",
  " ",
  "\t",
  "'",
  "\\",
  "é",
  "ß",
  "€",
  "😀",
  "\u2028",
  "\u0000",
  "a",
  "Z",
  "0",
  "{",
  "}",
);

/** A string value: mostly awkward pieces, sometimes any Unicode (fast-check's grapheme strings). */
const stringValue: fc.Arbitrary<string> = fc.oneof(
  fc.array(fc.oneof(awkward, fc.string({ maxLength: 4 })), { maxLength: 8 }).map((parts) => parts.join("")),
  fc.string({ unit: "grapheme", maxLength: 12 }),
);

const pad = (n: number, width: number): string => String(n).padStart(width, "0");

const dateOf = (o: FuzzOptions) =>
  fc
    .record({
      year: o.smallYears ? fc.integer({ min: 1, max: 99 }) : fc.integer({ min: 100, max: 9999 }),
      month: fc.integer({ min: 1, max: 12 }),
      day: fc.integer({ min: 1, max: 31 }),
    })
    .map(({ year, month, day }) => `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`);

const timestampOf = (o: FuzzOptions) =>
  fc
    .record({
      date: dateOf(o),
      hour: fc.integer({ min: 0, max: 23 }),
      minute: fc.integer({ min: 0, max: 59 }),
      second: fc.integer({ min: 0, max: 59 }),
      fraction: fc.option(fc.stringMatching(/^[0-9]{1,6}$/), { nil: undefined }),
      separator: fc.constantFrom("T", " "),
      zone: fc.constantFrom("", "Z", "+00:00", "+02:00", "-05:30", "+14:00", "-12:00", "+0530"),
      form: fc.constantFrom("full", "minutes", "date"),
    })
    .map((t) => {
      if (t.form === "date") return t.date;
      const time = `${pad(t.hour, 2)}:${pad(t.minute, 2)}`;
      const seconds = t.form === "full" ? `:${pad(t.second, 2)}${t.fraction ? `.${t.fraction}` : ""}` : "";
      // DuckDB refuses a zone after HH:MM (differences.test.ts): minutes-only times go without one.
      return `${t.date}${t.separator}${time}${seconds}${t.form === "full" ? t.zone : ""}`;
    });

/** Text both readers refuse for every non-string type. */
const garbage = fc.constantFrom("zz", "--", "12-34-x", "0xZ", "on", "nul");

function decimalValue(precision: number, scale: number): fc.Arbitrary<string> {
  return fc
    .record({
      negative: fc.boolean(),
      integer: fc.stringMatching(new RegExp(`^[0-9]{${precision === scale ? 0 : 1},${precision - scale}}$`)),
      fraction: fc.stringMatching(new RegExp(`^[0-9]{0,${scale}}$`)),
      // One digit too many in the integer part: out of range for both.
      tooBig: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
    })
    .map(({ negative, integer, fraction, tooBig }) => {
      const whole = tooBig ? "9".repeat(precision - scale + 1) : integer || "0";
      return `${negative ? "-" : ""}${whole}${fraction ? `.${fraction}` : ""}`;
    });
}

/** What the fuzz leaves out while a known defect of issue 11 is open (known-defects.ts has a variant with it). */
export interface FuzzOptions {
  /** CRLF inside a quoted CSV field (issue 11 defect 7, fixed: it was read as LF). */
  crlfInFields?: boolean;
  /**
   * Years 0001-0099 in dates and timestamps (issue 11 defect 5, fixed: they were read as 1900-1999). Year 0000
   * is left out: DuckDB takes it, the converter refuses it (differences.ts, year-0000).
   */
  smallYears?: boolean;
  /** Exactly this many columns. */
  width?: number;
}

/** Values of a column type in CSV: text only ("" is NULL for every non-string type, and an empty string for strings). */
function csvValue(type: FuzzType, options: FuzzOptions): fc.Arbitrary<FuzzValue> {
  const date = dateOf(options);
  const timestamp = timestampOf(options);
  const empty = fc.constant(text(""));
  switch (type) {
    case "string":
      return stringValue.map((s) => text(options.crlfInFields ? s : s.replaceAll("\r\n", "\n")));
    case "int":
      return fc.oneof(
        fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }).map((n) => text(String(n))),
        fc.constantFrom("2147483648", "-2147483649", "+7", "007").map(text),
        garbage.map(text),
        empty,
      );
    case "bigint":
      return fc.oneof(
        fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map((n) => text(String(n))),
        fc.constantFrom("9223372036854775808", "-9223372036854775809", "9007199254740993").map(text),
        garbage.map(text),
        empty,
      );
    case "double":
      return fc.oneof(
        fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => text(String(d))),
        fc
          .double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 })
          .map((d) => text(d.toExponential())),
        fc.constantFrom(".5", "5.", "-0", "+1.5", "1E-3", "12345678901234567890").map(text),
        garbage.map(text),
        empty,
      );
    case "boolean":
      return fc.oneof(
        fc
          .constantFrom("true", "false", "TRUE", "False", "t", "f", "1", "0", "yes", "no", "y", "n")
          .map(text),
        fc.constantFrom("on", "off", "2", "yess").map(text),
        empty,
      );
    case "date":
      return fc.oneof(
        date.map(text),
        fc.constantFrom("2024-02-29", "2023-02-29", "2026-04-31", "2026-13-01").map(text),
        garbage.map(text),
        empty,
      );
    case "timestamp":
      return fc.oneof(
        timestamp.map(text),
        fc.constantFrom("2026-02-30T00:00:00Z", "2026-01-01T25:00:00").map(text),
        garbage.map(text),
        empty,
      );
    default: {
      const [, p, s] = /^decimal\((\d+),(\d+)\)$/.exec(type)!;
      return fc.oneof(decimalValue(Number(p), Number(s)).map(text), garbage.map(text), empty);
    }
  }
}

/** Values of a column type in JSON: strings, literals of the type, null, absent, and values of a wrong type. */
function jsonValue(type: FuzzType, options: FuzzOptions): fc.Arbitrary<FuzzValue> {
  const date = dateOf(options);
  const timestamp = timestampOf(options);
  const nullish = fc.constantFrom(json("null"), { kind: "missing" } as FuzzValue);
  const asString = (t: string): FuzzValue => json(JSON.stringify(t));
  switch (type) {
    case "string":
      return fc.oneof(
        { weight: 4, arbitrary: stringValue.map(asString) },
        // Escaped forms of the same characters: \uXXXX (surrogate pairs too), \/ and the short escapes.
        stringValue.map((s) => json(`"${[...s].map(escapeChar).join("")}"`)),
        fc.constantFrom("true", "false").map(json),
        fc
          .dictionary(fc.constantFrom("k", "l"), fc.oneof(fc.string({ maxLength: 3 }), fc.integer()))
          .map((o) => json(JSON.stringify(o))),
        nullish,
      );
    case "int":
      return fc.oneof(
        fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }).map((n) => json(String(n))),
        fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }).map((n) => asString(String(n))),
        fc.constantFrom("2147483648", "true", '"zz"', "[1]", '{"a":1}').map(json),
        nullish,
      );
    case "bigint":
      return fc.oneof(
        fc.maxSafeInteger().map((n) => json(String(n))),
        fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map((n) => asString(String(n))),
        fc.constantFrom('"9223372036854775808"', "false", '"zz"').map(json),
        nullish,
      );
    case "double":
      return fc.oneof(
        fc
          .double({ noNaN: true, noDefaultInfinity: true })
          .map((d) => json(Object.is(d, -0) ? "-0.0" : String(d))),
        fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => asString(String(d))),
        fc.constantFrom("1E+2", "-0.5e-3", "1e308", '"zz"', "true").map(json),
        nullish,
      );
    case "boolean":
      return fc.oneof(
        fc.constantFrom("true", "false").map(json),
        fc.constantFrom("t", "no", "1").map(asString),
        fc.constantFrom('"on"', "2").map(json),
        nullish,
      );
    case "date":
      return fc.oneof(
        date.map(asString),
        fc.constantFrom('"2023-02-29"', '"zz"', "20260101").map(json),
        nullish,
      );
    case "timestamp":
      return fc.oneof(
        timestamp.map(asString),
        fc.constantFrom('"2026-02-30T00:00:00Z"', '"zz"', "true").map(json),
        nullish,
      );
    default: {
      const [, p, s] = /^decimal\((\d+),(\d+)\)$/.exec(type)!;
      return fc.oneof(
        decimalValue(Number(p), Number(s)).map(asString),
        fc.constantFrom('"zz"', "true").map(json),
        nullish,
      );
    }
  }
}

function escapeChar(c: string): string {
  const code = c.codePointAt(0)!;
  if (c === '"' || c === "\\") return `\\${c}`;
  if (c === "/") return "\\/";
  if (c === "\n") return "\\n";
  if (code < 0x20 || code > 0x7e) {
    return [...c].length === 1 && c.length === 2
      ? c
          .split("")
          .map((u) => `\\u${u.charCodeAt(0).toString(16).padStart(4, "0")}`)
          .join("")
      : `\\u${code.toString(16).padStart(4, "0")}`;
  }
  return c;
}

const fuzzType: fc.Arbitrary<FuzzType> = fc.oneof(
  { weight: 3, arbitrary: fc.constant("string" as const) },
  fc.constantFrom("int", "bigint", "double", "boolean", "date", "timestamp" as const),
  fc
    .integer({ min: 1, max: 38 })
    .chain((p) => fc.integer({ min: 0, max: p }).map((s) => `decimal(${p},${s})` as FuzzType)),
);

/** A random file of the format: its table and records (see `FuzzFile`). */
export function fuzzFile(format: "csv" | "json", options: FuzzOptions = {}): fc.Arbitrary<FuzzFile> {
  const types = options.width
    ? fc.array(fuzzType, { minLength: options.width, maxLength: options.width })
    : fc.array(fuzzType, { minLength: 1, maxLength: 5 });
  return types.chain((types) => {
    const columns = types.map((type, i) => ({ name: `c${i}`, type }));
    const record = fc.record({
      values: fc.tuple(
        ...columns.map((c) => (format === "csv" ? csvValue(c.type, options) : jsonValue(c.type, options))),
      ),
      // Now and then a field too many or too few (CSV): both refuse the record.
      width: fc
        .constantFrom(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, -1)
        .map((d) => Math.max(1, columns.length + d)),
    });
    // A record of the wrong width spanning lines is refused per physical line by the converter, as one record
    // by DuckDB (differences.ts, csv-wrong-width-record-spanning-lines): such records stay on one line.
    const oneLine = (r: { values: FuzzValue[]; width: number }) =>
      format === "json" || r.width === columns.length
        ? r
        : {
            ...r,
            values: r.values.map((v) => (v.kind === "text" ? text(v.text.replace(/[\r\n]/g, " ")) : v)),
          };
    return fc.record({
      columns: fc.constant(columns),
      records: fc.array(record.map(oneLine), { minLength: 1, maxLength: 40 }),
      crlf: fc.boolean(),
      quoteAll: fc.boolean(),
      finalNewline: fc.boolean(),
      junk: fc
        .array(
          fc.tuple(
            fc.nat(40),
            fc.constantFrom("[1]", "5", '"x"', "null", '{"c0":', "not json", "{'c0':1}", '{"c0":1 "c1":2}'),
          ),
          { maxLength: format === "json" ? 3 : 0 },
        )
        .map((pairs) => new Map(pairs)),
      blanks: fc
        .array(fc.nat(40), { maxLength: format === "json" || columns.length > 1 ? 3 : 0 })
        .map((at) => new Set(at)),
    });
  });
}

/** A rendered file: its bytes, and for each record the physical line it starts on (1 = the CSV header). */
export interface Rendered {
  bytes: Uint8Array;
  /**
   * Records in file order: the line each starts on, whether it is one of the table's records, and its number
   * as DuckDB counts (CSV: rows, blank ones included, a multi-line record one; JSON: non-blank lines).
   */
  lines: { line: number; record: boolean; duck: number }[];
}

function csvField(value: FuzzValue, quote: boolean): string {
  const t = value.kind === "text" ? value.text : "";
  return quote || /[",\r\n]/.test(t) ? `"${t.replaceAll('"', '""')}"` : t;
}

/**
 * The file as CSV: a header of the column names, then a record per line (quoted fields may span lines). A
 * record of one empty field is quoted (`""`) unless `blankRecords`: unquoted it is a blank line, which both
 * the converter (since issue 11 defect 12's fix) and DuckDB read as a record in a one-column file.
 */
export function renderCsv(file: FuzzFile, blankRecords = false): Rendered {
  const eol = file.crlf ? "\r\n" : "\n";
  const out = [file.columns.map((c) => c.name).join(",")];
  const lines: Rendered["lines"] = [];
  let line = 2;
  let blanks = 0;
  file.records.forEach((r, k) => {
    const fields: string[] = [];
    for (let i = 0; i < r.width; i++)
      fields.push(i < r.values.length ? csvField(r.values[i]!, file.quoteAll) : "x");
    // A blank last record without a final line ending would be no line at all: it is quoted then.
    const last = k === file.records.length - 1 && !file.finalNewline;
    const record = fields.join(",") === "" && (!blankRecords || last) ? '""' : fields.join(",");
    lines.push({ line, record: true, duck: k + 1 + blanks });
    line += record.split("\n").length;
    out.push(record);
    if (file.blanks.has(k)) {
      out.push("");
      line++;
      blanks++;
    }
  });
  return { bytes: Buffer.from(out.join(eol) + (file.finalNewline ? eol : ""), "utf8"), lines };
}

/** The file as JSON lines: an object per record (absent values left out), junk lines among them. */
export function renderJson(file: FuzzFile): Rendered {
  const eol = file.crlf ? "\r\n" : "\n";
  const out: string[] = [];
  const lines: Rendered["lines"] = [];
  file.records.forEach((r, k) => {
    const junk = file.junk.get(k);
    if (junk !== undefined) {
      out.push(junk);
      lines.push({ line: out.length, record: false, duck: lines.length + 1 });
    }
    const members = file.columns.flatMap((c, i) => {
      const v = r.values[i]!;
      return v.kind === "missing"
        ? []
        : [`"${c.name}":${v.kind === "json" ? v.literal : JSON.stringify(v.text)}`];
    });
    out.push(`{${members.join(",")}}`);
    lines.push({ line: out.length, record: true, duck: lines.length + 1 });
    if (file.blanks.has(k)) out.push(k % 2 === 0 ? "" : " \t");
  });
  return { bytes: Buffer.from(out.join(eol) + (file.finalNewline ? eol : ""), "utf8"), lines };
}
