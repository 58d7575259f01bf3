import fc from "fast-check";
import { byteCoercer } from "./bytes";
import { coercer, columnType } from "./coerce";
import { CsvByteScanner, csvField, parseQuoted, unescapeQuotes } from "./csv";

/** Scans `text` as one line of a chunk (a prefix before it, a newline after it); -1 when the scanner declines. */
function scanCount(scanner: CsvByteScanner, text: string, ending = "\n"): { n: number; bytes: Buffer } {
  const bytes = Buffer.from("x\n" + text + ending + "tail\n");
  const n = scanner.scan(bytes, 2);
  if (n >= 0) expect(scanner.next).toBe(2 + Buffer.byteLength(text) + ending.length);
  return { n, bytes };
}

/** The scanner's fields as strings (unescaped as the converter does). */
function scanned(scanner: CsvByteScanner, text: string, ending = "\n"): string[] | undefined {
  const { n, bytes } = scanCount(scanner, text, ending);
  if (n < 0) return undefined;
  return Array.from({ length: Math.min(n, scanner.width) }, (_, k) => {
    const [from, to] = [scanner.starts[k]!, scanner.ends[k]!];
    if (scanner.escaped[k] !== 1) return bytes.toString("utf8", from, to);
    const out = Buffer.alloc(to - from);
    return out.toString("utf8", 0, unescapeQuotes(bytes, from, to, out, 0));
  });
}

describe("CsvByteScanner (property: the reference parser's fields, or declines)", () => {
  // Long fields too: past 24 bytes the scanner hands the search to memchr.
  const field = fc.oneof(
    fc.string({ unit: fc.constantFrom("a", "b", ",", '"', " ", "é", "1", "") }),
    fc.string({
      unit: fc.constantFrom("a", "b", ",", '"', " ", "é", "1", "\r"),
      minLength: 20,
      maxLength: 80,
    }),
  );

  it("reads any quoted single-line record exactly as parseQuoted does", () => {
    fc.assert(
      fc.property(fc.array(field, { minLength: 1, maxLength: 6 }), (fields) => {
        const text = fields.map(csvField).join(",");
        const scanner = new CsvByteScanner(fields.length);
        expect(scanned(scanner, text)).toEqual(fields);
        expect(parseQuoted(text, 1).fields).toEqual(fields);
      }),
    );
  });

  it("after random damage, declines whatever parseQuoted rejects and otherwise agrees with it", () => {
    fc.assert(
      fc.property(
        fc.array(field, { minLength: 1, maxLength: 6 }),
        fc.nat(),
        fc.constantFrom("", '"', ",", '""', "x"),
        fc.nat({ max: 2 }),
        (fields, at, insert, remove) => {
          const clean = fields.map(csvField).join(",");
          const i = at % (clean.length + 1);
          const text = clean.slice(0, i) + insert + clean.slice(i + remove);
          const reference = parseQuoted(text, 1);
          const scanner = new CsvByteScanner(8);
          const { n } = scanCount(scanner, text);
          if (reference.error !== undefined) expect(n).toBe(-1);
          else {
            expect(n).toBe(reference.fields.length);
            expect(scanned(scanner, text)).toEqual(reference.fields);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("counts every field but keeps ranges only for the header's width", () => {
    const scanner = new CsvByteScanner(2);
    expect(scanCount(scanner, "a,b,c").n).toBe(3);
    expect(scanned(scanner, "a,,")).toEqual(["a", ""]);
    expect(scanCount(scanner, 'a,"b').n).toBe(-1);
    expect(scanCount(scanner, 'a,b"').n).toBe(-1);
    expect(scanCount(scanner, '"a"b,c').n).toBe(-1);
  });

  it("leaves a CRLF line ending out of the last field, quoted or not, and keeps a lone CR", () => {
    const scanner = new CsvByteScanner(3);
    expect(scanned(scanner, "a,b", "\r\n")).toEqual(["a", "b"]);
    expect(scanned(scanner, 'a,"b"', "\r\n")).toEqual(["a", "b"]);
    expect(scanned(scanner, "a,", "\r\n")).toEqual(["a", ""]);
    expect(scanned(scanner, "a\rb,c")).toEqual(["a\rb", "c"]);
    expect(scanCount(scanner, '"a"\rb').n).toBe(-1);
  });

  it("finds the ends of long fields natively and still sees quotes and newlines in them", () => {
    const long = "x".repeat(40);
    const scanner = new CsvByteScanner(3);
    expect(scanned(scanner, `${long},"${long}""${long}",${long}`)).toEqual([long, `${long}"${long}`, long]);
    expect(scanCount(scanner, `a,${long}"${long}`).n).toBe(-1);
    expect(scanCount(scanner, `a,"${long}`).n).toBe(-1);
    // The quote on the next line ("tail" follows in the chunk) is not this record's.
    const bytes = Buffer.from(`${long},${long}\n"q"\n`);
    expect(scanner.scan(bytes, 0)).toBe(2);
    expect(scanner.scan(bytes, scanner.next)).toBe(1);
    expect(scanner.starts[0]).toBe(2 * long.length + 3);
  });

  it("declines a quoted field that goes on past the end of the line (CsvRecords joins the lines)", () => {
    const scanner = new CsvByteScanner(2);
    expect(scanCount(scanner, 'a,"b').n).toBe(-1);
    expect(scanCount(scanner, 'a,"b""').n).toBe(-1);
  });
});

describe("byteCoercer (property: the coercer's result or error for the decoded bytes)", () => {
  const outcome = (f: () => unknown): unknown => {
    try {
      return { value: f() };
    } catch (error) {
      return { error: (error as Error).message };
    }
  };
  const text = fc.oneof(
    fc.string({ unit: fc.constantFrom("0", "1", "9", "-", "+", ".", "e", " ", "x") }),
    fc.double({ noNaN: true }).map(String),
    fc.integer().map(String),
    fc.bigInt({ min: -(2n ** 64n), max: 2n ** 64n }).map(String),
    fc
      .date({
        min: new Date("0001-01-01T00:00:00Z"),
        max: new Date("9999-12-31T23:59:59Z"),
        noInvalidDate: true,
      })
      .map((d) => d.toISOString().replace(/\.\d{3}Z$/, "Z")),
    fc.constantFrom("2023-02-29T00:00:00Z", "2024-02-29T24:00:00Z", "2024-1-01T00:00:00Z", ""),
    // The canonical shape with anything in the digits' places (the fast path reads them without a regex).
    fc
      .array(fc.constantFrom("0", "1", "2", "5", "9", "/", ":", "a", " ", "é"), {
        minLength: 14,
        maxLength: 14,
      })
      .map(
        (c) =>
          `${c.slice(0, 4).join("")}-${c[4]}${c[5]}-${c[6]}${c[7]}T${c[8]}${c[9]}:${c[10]}${c[11]}:${c[12]}${c[13]}Z`,
      ),
  );

  for (const type of ["int", "bigint", "double", "timestamp", "string", "boolean", "date", "decimal(10,2)"]) {
    it(`reads ${type} fields from bytes exactly as the coercer reads their text, nullable or not`, () => {
      fc.assert(
        fc.property(text, fc.string({ maxLength: 3 }), fc.boolean(), (value, pad, nullable) => {
          const coerce = coercer("c", columnType(type), nullable);
          const read = byteCoercer(columnType(type), coerce);
          const line = Buffer.from(pad + value + pad);
          const from = Buffer.byteLength(pad);
          expect(outcome(() => read(line, from, from + Buffer.byteLength(value)))).toEqual(
            outcome(() => coerce(value)),
          );
        }),
      );
    });
  }
});
