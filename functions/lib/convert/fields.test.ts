import fc from "fast-check";
import { readByName } from "./fields";

const NAMES = ["id", "name", "score", "toString", "at"];

describe("readByName (property: exactly record[name] for every name)", () => {
  it("matches keyed reads for JSON objects with keys in any order, missing, extra or duplicated", () => {
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
        expect(out).toEqual(NAMES.map((n) => record[n]));
      }),
    );
  });

  it("reads a record whose keys follow the columns' order, then stops at the first one out of order", () => {
    const out: unknown[] = [];
    readByName({ id: 1, name: "a", score: 2, extra: true, at: "x" }, NAMES, out);
    expect(out).toEqual([1, "a", 2, Object.prototype.toString, "x"]);
  });
});
