import fc from "fast-check";
import { coercer, columnType, rangeCoercer } from "./coerce";
import { CsvFieldScanner, csvField, parseQuoted } from "./csv";

/** The scanner's fields as strings. */
function scanned(scanner: CsvFieldScanner, text: string): string[] | undefined {
  const n = scanner.scan(text);
  if (n < 0) return undefined;
  return Array.from(
    { length: Math.min(n, scanner.width) },
    (_, k) => scanner.unescaped[k] ?? text.slice(scanner.starts[k], scanner.ends[k]),
  );
}

describe("CsvFieldScanner (property: the reference parser's fields, or declines)", () => {
  const field = fc.string({ unit: fc.constantFrom("a", "b", ",", '"', " ", "é", "1", "") });

  it("reads any quoted single-line record exactly as parseQuoted does", () => {
    fc.assert(
      fc.property(fc.array(field, { minLength: 1, maxLength: 6 }), (fields) => {
        const text = fields.map(csvField).join(",");
        const scanner = new CsvFieldScanner(fields.length);
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
          const scanner = new CsvFieldScanner(8);
          const n = scanner.scan(text);
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
    const scanner = new CsvFieldScanner(2);
    expect(scanner.scan("a,b,c")).toBe(3);
    expect(scanned(scanner, "a,,")).toEqual(["a", ""]);
    expect(scanner.scan('a,"b')).toBe(-1);
    expect(scanner.scan('a,b"')).toBe(-1);
    expect(scanner.scan('"a"b,c')).toBe(-1);
  });
});

describe("rangeCoercer (property: the coercer's result or error for the slice)", () => {
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
  );

  for (const type of ["int", "bigint", "double", "timestamp", "string", "boolean", "date", "decimal(10,2)"]) {
    it(`reads ${type} fields in place exactly as the coercer reads them sliced, nullable or not`, () => {
      fc.assert(
        fc.property(text, fc.string({ maxLength: 3 }), fc.boolean(), (value, pad, nullable) => {
          const coerce = coercer("c", columnType(type), nullable);
          const read = rangeCoercer(columnType(type), coerce);
          const line = pad + value + pad;
          expect(outcome(() => read(line, pad.length, pad.length + value.length))).toEqual(
            outcome(() => coerce(value)),
          );
        }),
      );
    });
  }
});
