import fc from "fast-check";
import { plainDecimalBytes } from "./bytes";
import { coercer, columnType, parseDecimal } from "./coerce";
import { csvField, CsvRecords, type CsvLine } from "./csv";

/** Physical lines as the CSV reader hands them over: split at "\n", a "\r" before it taken off and noted. */
function physicalLines(text: string): CsvLine[] {
  return text.split("\n").map((t, i) => {
    const crlf = t.endsWith("\r");
    return { line: i + 1, text: crlf ? t.slice(0, -1) : t, crlf };
  });
}

describe("CSV quoting round-trip (property)", () => {
  it("parses back exactly the fields that were quoted and joined, across line splits, CRLF kept", () => {
    const field = fc.string({ unit: fc.constantFrom("a", "b", ",", '"', "\n", "\r\n", "\r", " ", "é", "1") });
    fc.assert(
      fc.property(
        fc.array(fc.array(field, { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 10 }),
        fc.constantFrom("\n", "\r\n"),
        (rows, newline) => {
          const text = rows.map((fields) => fields.map(csvField).join(",")).join(newline);
          const parser = new CsvRecords();
          const records = [...parser.push(physicalLines(text)), ...parser.end()];
          expect(records.map((r) => r.fields)).toEqual(rows);
        },
      ),
    );
  });

  it("with the header's width set, reads back records of that width spanning lines", () => {
    const field = fc.string({ unit: fc.constantFrom("a", ",", '"', "\n", "\r\n", " ") });
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 4 })
          .chain((width) =>
            fc.array(fc.array(field, { minLength: width, maxLength: width }), { minLength: 1, maxLength: 8 }),
          ),
        (rows) => {
          const parser = new CsvRecords();
          parser.width = rows[0]!.length;
          const text = rows.map((fields) => fields.map(csvField).join(",")).join("\r\n");
          const records = [...parser.push(physicalLines(text)), ...parser.end()];
          expect(records.map((r) => r.fields)).toEqual(rows);
        },
      ),
    );
  });

  it("quotes out of step: every physical line is in exactly one record, and an error holds one line", () => {
    // Lines of valid records broken anywhere, with quotes added or removed: the resynchronisation's promise.
    const piece = fc.constantFrom("a", ",", '"', '""', "\n", "\r\n", "1", " ");
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 80 }), fc.integer({ min: 1, max: 4 }), (pieces, width) => {
        const lines = physicalLines(pieces.join(""));
        const parser = new CsvRecords();
        parser.width = width;
        const records = [...parser.push(lines), ...parser.end()];
        let next = 1;
        for (const record of records) {
          expect(record.line).toBe(next);
          const span = record.raw.split("\n").length;
          if (record.error !== undefined) expect(span).toBe(1);
          else if (span > 1) expect(record.fields).toHaveLength(width);
          next += span;
        }
        expect(next).toBe(lines.length + 1);
      }),
      { numRuns: 300 },
    );
  });
});

describe("coercion (property)", () => {
  it("reads back any int32 and any safe bigint from text and from numbers", () => {
    const int = coercer("n", columnType("int"), true);
    const big = coercer("n", columnType("bigint"), true);
    fc.assert(
      fc.property(fc.integer(), (n) => {
        expect(int(String(n))).toBe(n);
        expect(int(n)).toBe(n);
      }),
    );
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), (n) => {
        expect(BigInt(big(String(n)) as number | bigint)).toBe(n);
      }),
    );
  });

  it("reads back any finite double from its text, and refuses hex, infinities and blanks", () => {
    const double = coercer("d", columnType("double"), true);
    fc.assert(
      fc.property(
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        (d) => expect(double(String(d))).toBe(d + 0), // String(-0) is "0"
      ),
    );
    for (const bad of ["0x1F", "Infinity", "-Infinity", "  ", "1,5", "--1"])
      expect(() => double(bad)).toThrow("is not a double");
  });

  it("stores decimal(p,s) text exactly as its unscaled integer", () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 38 })
          .chain((p) => fc.tuple(fc.constant(p), fc.integer({ min: 0, max: p }))),
        fc.bigInt(),
        ([p, s], raw) => {
          const limit = 10n ** BigInt(p);
          const unscaled = raw % limit;
          const digits = (unscaled < 0n ? -unscaled : unscaled).toString().padStart(s + 1, "0");
          const text = `${unscaled < 0n ? "-" : ""}${s === 0 ? digits : `${digits.slice(0, -s)}.${digits.slice(-s)}`}`;
          expect(BigInt(parseDecimal("d", text, p, s))).toBe(unscaled);
        },
      ),
    );
  });

  it("fails if a value does not fit the type, naming the column", () => {
    expect(() => coercer("qty", columnType("int"), true)("12.5")).toThrow(
      'qty: "12.5" is not an int (32-bit)',
    );
    expect(() => coercer("id", columnType("bigint"), false)(null)).toThrow("id: required value is missing");
    expect(() => columnType("decimal(40,2)")).toThrow("precision must be 1-38");
  });

  it("reads canonical UTC timestamps (fast path) exactly as Date does", () => {
    const ts = coercer("t", columnType("timestamp"), true);
    fc.assert(
      fc.property(
        fc.date({
          min: new Date("0001-01-01T00:00:00Z"),
          max: new Date("9999-12-31T23:59:59Z"),
          noInvalidDate: true,
        }),
        (date) => {
          const seconds = Math.floor(date.getTime() / 1000) * 1000;
          const text = new Date(seconds).toISOString().replace(".000Z", "Z");
          expect(ts(text)).toBe(seconds * 1000);
        },
      ),
    );
    expect(() => ts("2023-02-29T00:00:00Z")).toThrow("is not a timestamp");
  });

  it("reads timestamps as UTC microseconds, honouring offsets and fractions", () => {
    const ts = coercer("t", columnType("timestamp"), true);
    expect(ts("2026-01-01T00:00:00Z")).toBe(Date.UTC(2026, 0, 1) * 1000);
    expect(ts("2026-01-01 01:00:00.5+01:00")).toBe(Date.UTC(2026, 0, 1) * 1000 + 500_000);
    expect(ts("2026-01-01")).toBe(Date.UTC(2026, 0, 1) * 1000);
    expect(ts(1.25)).toBe(1_250_000);
    expect(() => ts("2026-13-01")).toThrow("is not a timestamp");
  });
});

const plainDecimal = (text: string, from = 0, to?: number): number => {
  const bytes = Buffer.from(text, "latin1");
  return plainDecimalBytes(bytes, from, to ?? bytes.length);
};

describe("plainDecimalBytes (property: equals Number for plain decimal text)", () => {
  it("reads any double's short decimal text exactly as Number() does", () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (d) => {
        const text = String(d);
        const n = plainDecimal(text);
        if (!Number.isNaN(n)) expect(n).toBe(Number(text));
      }),
    );
    fc.assert(
      fc.property(fc.integer({ min: -1e9, max: 1e9 }), fc.nat({ max: 6 }), (unscaled, scale) => {
        const digits = String(Math.abs(unscaled)).padStart(scale + 1, "0");
        const text = `${unscaled < 0 ? "-" : ""}${scale ? `${digits.slice(0, -scale)}.${digits.slice(-scale)}` : digits}`;
        expect(plainDecimal(text)).toBe(Number(text));
      }),
    );
  });

  it("declines anything but -?digits(.digits) of at most 15 digits", () => {
    for (const text of ["", "-", ".5", "5.", "1e3", "+1", "0x1F", "1.2.3", " 1", "1234567890123456"])
      expect(plainDecimal(text)).toBeNaN();
    expect(plainDecimal("x12.50y", 1, 6)).toBe(12.5);
  });
});
