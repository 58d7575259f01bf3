import fc from "fast-check";
import { duckJson } from "./duck-reference";
import { balanced, corpusTable, Harness } from "./harness";
import { caseTest } from "./known-defects";

/**
 * Minimal reproductions of what these suites found beyond issue 11's list (NEW_FINDINGS in known-defects.ts
 * while open; a plain test once fixed).
 */
let h: Harness;
beforeAll(async () => {
  h = await Harness.open();
});
afterAll(() => h.close());

const table = corpusTable("json", [{ name: "a", type: "string" }]);

// JSON whitespace is space, tab, LF and CR only (RFC 8259 §2), so a line of any other space character is not
// JSON: DuckDB refuses it (shown below; \f and \v lines it skips: differences.ts). The converter's text
// path took every line `text.trim()` empties for a blank one and dropped it uncounted; fixed in read-json.ts.
const notJsonWhitespace = fc.constantFrom("\u00a0", "\ufeff", "\u2028", "\u3000", "\f", "\v");

test("DuckDB refuses a JSON line of only U+00A0, U+FEFF, U+2028 or U+3000 (it skips \\f and \\v lines too)", async () => {
  await fc.assert(
    fc.asyncProperty(fc.constantFrom("\u00a0", "\ufeff", "\u2028", "\u3000"), async (space) => {
      const file = h.file("space.jsonl", Buffer.from(`{"a":"1"}\n${space}\n{"a":"2"}\n`));
      expect(await duckJson(h, file, [{ name: "a", type: "string" }])).toEqual({
        rows: [{ a: "1" }, { a: "2" }],
        refused: [2],
      });
    }),
  );
});

const whitespace = caseTest("finding:json-unicode-whitespace-line");
whitespace.run(whitespace.name, async () => {
  await fc.assert(
    fc.asyncProperty(notJsonWhitespace, fc.boolean(), async (space, fromBytes) => {
      const input = Buffer.from(`{"a":"1"}\n${space}\n{"a":"2"}\n`);
      const outcome = await h.convert({ table, input, fromBytes });
      expect(balanced(outcome)).toBe(true);
      expect({ rowsIn: outcome.result.rowsIn, lines: outcome.quarantined.map((q) => q.line) }).toEqual({
        rowsIn: 3,
        lines: [2],
      });
    }),
  );
});
