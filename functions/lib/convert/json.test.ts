import fc from "fast-check";
import { plainDecimal } from "./coerce";
import { FlatJsonReader } from "./json";

const NAMES = ["id", "name", "score", "ok", "at"];

/** The reference: what the converter reads through JSON.parse, or undefined when JSON.parse rejects the line. */
function reference(text: string): unknown[] | undefined {
  let row: unknown;
  try {
    row = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof row !== "object" || row === null || Array.isArray(row)) return undefined;
  return NAMES.map((n) =>
    Object.hasOwn(row as object, n) ? (row as Record<string, unknown>)[n] : undefined,
  );
}

const flatValue = fc.oneof(
  fc.string(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
);
const key = fc.oneof(fc.constantFrom(...NAMES), fc.string({ maxLength: 4 }));
const object = fc.array(fc.tuple(key, fc.oneof(flatValue, fc.jsonValue())), { maxLength: 8 });

function serialize(entries: [string, unknown][], spaces: boolean): string {
  const sep = spaces ? " " : "";
  return `${sep}{${sep}${entries.map(([k, v]) => `${JSON.stringify(k)}${sep}:${sep}${JSON.stringify(v)}`).join(`${sep},${sep}`)}${sep}}${sep}`;
}

describe("FlatJsonReader (property: same values as JSON.parse, or declines)", () => {
  const reader = new FlatJsonReader(NAMES);
  const values: unknown[] = new Array(NAMES.length);

  it("reads generated objects exactly as JSON.parse does, including duplicate keys and unknown ones", () => {
    fc.assert(
      fc.property(object, fc.boolean(), (entries, spaces) => {
        const text = serialize(entries, spaces);
        if (reader.read(text, values)) expect(values).toEqual(reference(text));
        // eslint-disable-next-line no-control-regex -- control characters are what the reader declines
        else expect(text).toMatch(/[\\\u0000-\u001f{[]|\{.*\{|\[/su);
      }),
    );
  });

  it("never accepts a line JSON.parse rejects, nor reads it differently, after random damage", () => {
    fc.assert(
      fc.property(
        object,
        fc.nat(),
        fc.constantFrom("", '"', ",", ":", "}", "{", "-", ".", "0", "e", "\\", "\t", " ", "x", "1"),
        fc.nat({ max: 2 }),
        (entries, at, insert, remove) => {
          const clean = serialize(entries, false);
          const i = at % (clean.length + 1);
          const text = clean.slice(0, i) + insert + clean.slice(i + remove);
          if (reader.read(text, values)) expect(values).toEqual(reference(text));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("takes the fast path for plain flat lines, and declines escapes, nesting and invalid numbers", () => {
    expect(reader.read('{"id":1,"name":"a b","score":-4.5,"ok":true,"at":null}', values)).toBe(true);
    expect(values).toEqual([1, "a b", -4.5, true, null]);
    expect(reader.read('{"at":"x","id":2}', values)).toBe(true);
    expect(values).toEqual([2, undefined, undefined, undefined, "x"]);
    for (const declined of [
      '{"name":"a\\"b"}',
      '{"x":{"y":1}}',
      '{"id":01}',
      '{"id":1,}',
      '{"id":1} x',
      "[1]",
    ])
      expect(reader.read(declined, values)).toBe(false);
  });
});

describe("plainDecimal (property: equals Number for plain decimal text)", () => {
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
