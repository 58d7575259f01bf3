import { makeVector } from "apache-arrow";
import fc from "fast-check";
import { byteCoercer } from "./bytes";
import { coercer, columnType, NumberText, parseDecimal, type Converted } from "./coerce";
import { columnBuffer, type ColumnBuffer } from "./columns";
import { decimalBytes, decimalUnscaled } from "./decimal";
import { memberTexts } from "./json";

/**
 * Issue 11's value defects (5, 6, 8, 12): each read three ways that must agree — the coercer on text (the
 * reference), the byte coercer (partition columns) and the column buffer's byte reader (every other column).
 */

type Kind = Parameters<typeof columnType>[0];

/** A value read by the coercer on text, by the byte coercer and by a column buffer, as bigint or the reason. */
function readAllWays(type: Kind, text: string): { text: unknown; bytes: unknown; buffer: unknown } {
  const t = columnType(type);
  const coerce = coercer("c", t, true);
  const bytes = Buffer.from(text);
  const outcome = (read: () => Converted): unknown => {
    try {
      const v = read();
      return typeof v === "number" || typeof v === "bigint" ? BigInt(v) : v;
    } catch (error) {
      return (error as Error).message;
    }
  };
  const buffer = columnBuffer("c", t, true, coerce);
  const fromBuffer = outcome(() => {
    buffer.read(bytes, 0, bytes.length);
    return storedValue(buffer);
  });
  return {
    text: outcome(() => coerce(text)),
    bytes: outcome(() => byteCoercer(t, coerce)(bytes, 0, bytes.length)),
    buffer: fromBuffer,
  };
}

/** The last value a buffer holds, as the coercer would return it (a 64/128-bit word as a number or bigint). */
function storedValue(buffer: ColumnBuffer): Converted {
  const data = buffer.toData();
  const i = data.length - 1;
  const values = data.values as unknown;
  if (values instanceof BigInt64Array) return values[i]!;
  if (values instanceof Uint32Array) {
    let big = 0n;
    for (let w = 3; w >= 0; w--) big = (big << 32n) | BigInt(values[4 * i + w]!);
    return BigInt.asIntN(128, big);
  }
  if (values instanceof Int32Array || values instanceof Float64Array) return values[i]!;
  return makeVector(data).get(i) as string | boolean;
}

/** Expects the three readings to agree and returns the one result. */
function agreed(type: Kind, text: string): unknown {
  const all = readAllWays(type, text);
  expect([text, all.bytes, all.buffer]).toEqual([text, all.text, all.text]);
  return all.text;
}

const pad = (n: number, width: number) => String(n).padStart(width, "0");
const MICROS_PER_DAY = 86_400_000_000n;

/** Any calendar instant in years 0000-9999, with its fields. */
const civil = fc
  .record({
    year: fc.integer({ min: 0, max: 9999 }),
    month: fc.integer({ min: 1, max: 12 }),
    day: fc.integer({ min: 1, max: 31 }),
    hour: fc.integer({ min: 0, max: 23 }),
    minute: fc.integer({ min: 0, max: 59 }),
    second: fc.integer({ min: 0, max: 59 }),
    micros: fc.integer({ min: 0, max: 999_999 }),
  })
  .filter(({ year, month, day }) => {
    // An independent oracle for the calendar: Date with setUTCFullYear (which, unlike Date.UTC, takes 0-99 as is).
    const d = new Date(0);
    d.setUTCFullYear(year, month - 1, day);
    return d.getUTCDate() === day;
  });

/** Microseconds since the epoch of the fields, by Date.setUTCFullYear (the oracle). */
function oracleMicros(c: {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}) {
  const d = new Date(0);
  d.setUTCFullYear(c.year, c.month - 1, c.day);
  d.setUTCHours(c.hour, c.minute, c.second, 0);
  return BigInt(d.getTime()) * 1000n;
}

describe("dates and timestamps of years 0000-0099 (issue 11 defect 5)", () => {
  it("reads years 0001-0099 as themselves, not as 1901-1999, in every spelling and on every path", () => {
    expect(agreed("date", "0050-03-01")).toBe(-701206n);
    expect(agreed("timestamp", "0050-03-01 00:00:00")).toBe(-701206n * MICROS_PER_DAY);
    expect(agreed("timestamp", "0050-03-01T00:00:00Z")).toBe(-701206n * MICROS_PER_DAY);
    expect(agreed("timestamp", "0001-01-01")).toBe(-719162n * MICROS_PER_DAY);
  });

  it("agrees for every instant of years 0000-9999: canonical and other spellings, bytes and text, date and timestamp (property)", () => {
    fc.assert(
      fc.property(civil, fc.constantFrom("Z", "z", "+00:00", "-0000", "+00", ""), (c, zone) => {
        const date = `${pad(c.year, 4)}-${pad(c.month, 2)}-${pad(c.day, 2)}`;
        const time = `${pad(c.hour, 2)}:${pad(c.minute, 2)}:${pad(c.second, 2)}`;
        const spellings = [
          `${date}T${time}Z`,
          `${date} ${time}${zone}`,
          `${date}T${time}.${pad(c.micros, 6)}${zone}`,
          ` ${date}T${time}${zone}\t`,
        ];
        const results = spellings.map((s) => agreed("timestamp", s));
        const day = agreed("date", date);
        if (c.year === 0) {
          // Spark's DateType and TimestampType start at 0001-01-01: every path refuses year 0 alike.
          expect(results.slice(0, 2)).toEqual([
            `c: "${spellings[0]}" is not a timestamp from 0001-01-01 to 9999-12-31 (UTC)`,
            `c: "${spellings[1]}" is not a timestamp from 0001-01-01 to 9999-12-31 (UTC)`,
          ]);
          expect(day).toBe(`c: "${date}" is not a date from 0001-01-01 to 9999-12-31`);
          return;
        }
        const micros = oracleMicros(c);
        expect(results).toEqual([micros, micros, micros + BigInt(c.micros), micros]);
        expect(day).toBe(
          (micros - BigInt(c.hour * 3600 + c.minute * 60 + c.second) * 1_000_000n) / MICROS_PER_DAY,
        );
      }),
      { numRuns: 300 },
    );
  });
});

describe("timestamps beyond what the engines hold, and zone offsets (issue 11 defect 6)", () => {
  const ts = coercer("at", columnType("timestamp"), true);

  it("refuses epoch seconds outside 0001-01-01 to 9999-12-31 instead of writing a wrapped int64", () => {
    // 7.8e12 s was written as year 248073; 1e300 s wrapped around the int64 words.
    for (const seconds of [7_766_279_631_452, 1e300, 253_402_300_800, -62_135_596_801])
      expect(() => ts(seconds)).toThrow(
        `at: ${seconds} is not a timestamp from 0001-01-01 to 9999-12-31 (UTC)`,
      );
    expect(() => ts("253402300800")).toThrow("is not a timestamp from 0001-01-01 to 9999-12-31 (UTC)");
    expect(BigInt(ts(253_402_300_799) as number)).toBe(253_402_300_799_000_000n);
    expect(BigInt(ts(-62_135_596_800) as number)).toBe(-62_135_596_800_000_000n);
    expect(agreed("timestamp", "9999-12-31T23:59:59.999999Z")).toBe(253_402_300_799_999_999n);
  });

  it("refuses an instant that an offset moves out of range", () => {
    expect(() => ts("0001-01-01T00:30:00+01:00")).toThrow("is not a timestamp from 0001-01-01");
    expect(() => ts("9999-12-31T23:30:00-01:00")).toThrow("is not a timestamp from 0001-01-01");
    expect(agreed("timestamp", "9999-12-31T23:30:00+01:00")).toBe(253_402_295_400_000_000n);
  });

  it("refuses zone offsets with minutes above 59 or beyond ±18:00 (java.time ZoneOffset's range)", () => {
    for (const zone of ["+25:00", "+05:99", "+18:01", "-18:30", "+1860", "+19"])
      expect(agreed("timestamp", `2026-01-01T00:00:00${zone}`)).toBe(
        `c: "2026-01-01T00:00:00${zone}" is not a timestamp (zone offsets go from -18:00 to +18:00)`,
      );
    const midnight = 1_767_225_600_000_000n;
    expect(agreed("timestamp", "2026-01-01T00:00:00+18:00")).toBe(midnight - 18n * 3_600_000_000n);
    expect(agreed("timestamp", "2026-01-01T00:00:00-18:00")).toBe(midnight + 18n * 3_600_000_000n);
    expect(agreed("timestamp", "2026-01-01T00:00:00+0530")).toBe(midnight - 330n * 60_000_000n);
    expect(agreed("timestamp", "2026-01-01T00:00:00-05")).toBe(midnight + 5n * 3_600_000_000n);
  });
});

/** decimal(p,s) of text by BigInt arithmetic alone, the oracle: the unscaled value, or why it does not fit. */
function oracleDecimal(
  digits: string,
  fraction: string,
  exponent: number,
  p: number,
  s: number,
): bigint | string {
  const significand = BigInt(digits + fraction || "0");
  const shift = exponent - fraction.length + s;
  let unscaled: bigint;
  if (shift >= 0) unscaled = significand * 10n ** BigInt(shift);
  else {
    const divisor = 10n ** BigInt(-shift);
    if (significand % divisor !== 0n) return "scale";
    unscaled = significand / divisor;
  }
  return unscaled >= 10n ** BigInt(p) ? "range" : unscaled;
}

describe("decimals and JSON numbers read exactly (issue 11 defect 8)", () => {
  const digitText = fc.string({ unit: fc.constantFrom("0", "1", "5", "9"), maxLength: 40 });

  it("reads any decimal text, exponent included, as BigInt arithmetic does (property)", () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 38 })
          .chain((p) => fc.tuple(fc.constant(p), fc.integer({ min: 0, max: p }))),
        fc.boolean(),
        digitText,
        digitText,
        fc.option(fc.integer({ min: -45, max: 45 }), { nil: undefined }),
        ([p, s], negative, digits, fraction, exponent) => {
          if (digits === "" && fraction === "") return;
          const text = `${negative ? "-" : ""}${digits}${fraction ? `.${fraction}` : ""}${exponent === undefined ? "" : `e${exponent}`}`;
          const expected = oracleDecimal(digits, fraction, exponent ?? 0, p, s);
          const got = decimalUnscaled(text, p, s);
          if (typeof expected === "string") expect([text, got]).toEqual([text, expected]);
          else {
            expect([text, BigInt(got as number | bigint)]).toEqual([text, negative ? -expected : expected]);
            // As a JSON number's source text too, and the byte reader agrees wherever it reads in place.
            expect(BigInt(parseDecimal("d", new NumberText(text), p, s))).toBe(
              BigInt(got as number | bigint),
            );
          }
          const bytes = Buffer.from(text);
          const fast = decimalBytes(bytes, 0, bytes.length, p, s);
          if (!Number.isNaN(fast)) expect(BigInt(fast)).toBe(BigInt(got as number));
        },
      ),
      { numRuns: 500 },
    );
  });

  it("keeps every digit of a decimal(38,4) and takes a decimal from 1e21 up that fits", () => {
    const d = coercer("d", columnType("decimal(38,4)"), true);
    expect(d(new NumberText("1234567890123456789012345678901234.5678"))).toBe(
      12345678901234567890123456789012345678n,
    );
    expect(d(new NumberText("1e21"))).toBe(10n ** 25n);
    expect(d(1e21)).toBe(10n ** 25n);
    expect(d(new NumberText("1.50000"))).toBe(15000);
    expect(() => d(new NumberText("1.23456"))).toThrow("d: 1.23456 has more than 4 decimal places");
    expect(() => d(new NumberText("1e34"))).toThrow("d: 1e34 is out of range for decimal(38,4)");
  });

  it("stores a JSON number bound for a string column as written, and reads long bigints exactly", () => {
    const s = coercer("s", columnType("string"), true);
    expect(s(new NumberText("12345678901234567890"))).toBe("12345678901234567890");
    expect(s(new NumberText("1.50"))).toBe("1.50");
    const b = coercer("b", columnType("bigint"), true);
    expect(b(new NumberText("9007199254740993"))).toBe(9007199254740993n);
    expect(b(new NumberText("1.0e2"))).toBe(100);
    expect(b(new NumberText("1e18"))).toBe(10n ** 18n);
    expect(() => b(new NumberText("1e19"))).toThrow("b: 1e19 is not a bigint (64-bit)");
    expect(() => b(new NumberText("1.5"))).toThrow("b: 1.5 is not a bigint");
    expect(() => b(new NumberText("12345678901234567890"))).toThrow(
      "b: 12345678901234567890 is not a bigint (64-bit)",
    );
  });

  it("reads any integer text as a bigint, exactly, on every path: in place up to 2^63 (property)", () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(2n ** 64n), max: 2n ** 64n }),
        fc.constantFrom("", "0", "000"),
        (n, zeros) => {
          const text = n < 0n ? `-${zeros}${-n}` : `${zeros}${n}`;
          const got = agreed("bigint", text);
          if (n >= -(2n ** 63n) && n < 2n ** 63n) expect(got).toBe(n);
          else expect(got).toBe(`c: "${text}" is not a bigint (64-bit)`);
        },
      ),
      { numRuns: 500 },
    );
    for (const edge of [2n ** 63n - 1n, -(2n ** 63n), 2n ** 53n + 1n, -(2n ** 32n), 2n ** 32n, -1n])
      expect(agreed("bigint", String(edge))).toBe(edge);
    expect(agreed("bigint", "9223372036854775808")).toBe('c: "9223372036854775808" is not a bigint (64-bit)');
  });

  it("finds each top-level member's source text, the last of a repeated key, escaped keys decoded", () => {
    const texts = memberTexts(
      ' { "a" : 1.50 ,"n":{"x":[1, "}"], "y":"\\""},"\\u0062":-0.0e+1,"a":12345678901234567890,"z":"s"} ',
    );
    expect([...texts]).toEqual([
      ["a", "12345678901234567890"],
      ["n", '{"x":[1, "}"], "y":"\\""}'],
      ["b", "-0.0e+1"],
      ["z", '"s"'],
    ]);
  });
});

describe("whitespace around values (issue 11 defect 12)", () => {
  const cases: [Kind, string, unknown][] = [
    ["int", "5", 5n],
    ["bigint", "5", 5n],
    ["bigint", "12345678901234567", 12345678901234567n],
    ["double", "5", 5n],
    ["decimal(4,2)", "5", 500n],
    ["boolean", "true", true],
    ["date", "2026-01-02", 20455n],
    ["timestamp", "2026-01-02T00:00:00Z", 20455n * MICROS_PER_DAY],
  ];

  it("trims ASCII whitespace (space, tab, LF, VT, FF, CR) around every non-string type, on every path", () => {
    for (const [type, text, value] of cases)
      for (const spaced of [` ${text}`, `${text} `, `\t${text}\r\n`, `\v\f${text}`])
        expect([type, spaced, agreed(type, spaced)]).toEqual([type, spaced, value]);
  });

  it("refuses Unicode spaces (U+00A0, U+FEFF) and whitespace alone, on every path, and keeps strings as they are", () => {
    for (const [type, text] of cases)
      for (const spaced of [`\u00a0${text}`, `${text}\ufeff`, "  "])
        expect([type, spaced, agreed(type, spaced)]).toEqual([
          type,
          spaced,
          expect.stringMatching(/^c: ".*" (is not|has more)/),
        ]);
    expect(agreed("string", " 5 ")).toBe(" 5 ");
  });
});

describe("quarantine reasons (issue 11 defect 12): the column, the value as JSON up to 80 characters", () => {
  it("words each refusal the same on every path (the stable wording)", () => {
    const reasons = (
      [
        ["int", "x", 'c: "x" is not an int (32-bit)'],
        ["int", "3000000000", 'c: "3000000000" is not an int (32-bit)'],
        ["bigint", "9223372036854775808", 'c: "9223372036854775808" is not a bigint (64-bit)'],
        ["bigint", "1.5", 'c: "1.5" is not a bigint'],
        ["double", "0x1F", 'c: "0x1F" is not a double'],
        ["boolean", "maybe", 'c: "maybe" is not a boolean'],
        ["date", "2026-02-30", 'c: "2026-02-30" is not a date (YYYY-MM-DD)'],
        ["timestamp", "yesterday", 'c: "yesterday" is not a timestamp (ISO 8601 or epoch seconds)'],
        ["decimal(4,2)", "123.4", 'c: "123.4" is out of range for decimal(4,2)'],
        ["decimal(4,2)", "1.234", 'c: "1.234" has more than 2 decimal places'],
        ["decimal(4,2)", "1,5", 'c: "1,5" is not a decimal(4,2)'],
      ] as const
    ).map(([type, text, reason]) => [type, text, agreed(type, text), reason]);
    for (const [type, text, got, reason] of reasons) expect([type, text, got]).toEqual([type, text, reason]);
  });

  it("shows a long value's first 80 characters with an ellipsis inside the quotes, and a JSON number as written", () => {
    const long = `${"x".repeat(79)}"${"y".repeat(200)}`;
    expect(agreed("int", long)).toBe(`c: ${JSON.stringify(`${long.slice(0, 80)}…`)} is not an int (32-bit)`);
    // A surrogate pair is not split at the cut.
    const emoji = `${"x".repeat(79)}😀tail`;
    expect(agreed("int", emoji)).toBe(`c: ${JSON.stringify(`${"x".repeat(79)}…`)} is not an int (32-bit)`);
    const n = coercer("n", columnType("int"), true);
    expect(() => n({ nested: "x".repeat(100) })).toThrow(`n: {"nested":"${"x".repeat(69)}… is not an int`);
    const d = coercer("d", columnType("decimal(4,2)"), true);
    expect(() => d(new NumberText("1.2345000000000000001"))).toThrow(
      "d: 1.2345000000000000001 has more than 2 decimal places",
    );
  });
});
