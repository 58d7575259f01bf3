import fc from "fast-check";
import { readByName } from "./fields";

const NAMES = ["id", "name", "score", "toString", "at", "__proto__", "constructor"];
/** A JSON object's own value of a key (what JSON.parse put there), else undefined. */
const own = (record: Record<string, unknown>, name: string) =>
  Object.prototype.hasOwnProperty.call(record, name) ? record[name] : undefined;

describe("readByName (property: exactly record[name] for every name)", () => {
  it("matches keyed reads of own keys for JSON objects with keys in any order, missing, extra or duplicated", () => {
    const key = fc.oneof(
      fc.constantFrom(...NAMES),
      fc.string({ maxLength: 3 }),
      fc.constantFrom("0", "1", "__proto__"),
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(key, fc.jsonValue()), { maxLength: 8 }), (entries) => {
        const text = `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(",")}}`;
        const record = JSON.parse(text) as Record<string, unknown>;
        const out: unknown[] = new Array(NAMES.length);
        readByName(record, NAMES, out);
        expect(out).toEqual(NAMES.map((n) => own(record, n)));
      }),
    );
  });

  it("reads a record whose keys follow the columns' order, then stops at the first one out of order", () => {
    const out: unknown[] = [];
    readByName({ id: 1, name: "a", score: 2, extra: true, at: "x" }, NAMES, out);
    expect(out).toEqual([1, "a", 2, undefined, "x", undefined, undefined]);
  });

  it("reads a missing `toString`, `constructor` or `__proto__` column as missing, not as Object.prototype's", () => {
    const out: unknown[] = [];
    readByName(JSON.parse('{"id":1}') as Record<string, unknown>, NAMES, out);
    expect(out).toEqual([1, undefined, undefined, undefined, undefined, undefined, undefined]);
    readByName(JSON.parse('{"__proto__":"p","toString":"t"}') as Record<string, unknown>, NAMES, out);
    expect(out).toEqual([undefined, undefined, undefined, "t", undefined, "p", undefined]);
  });
});
