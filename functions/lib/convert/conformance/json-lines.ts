import type { TableSpec } from "../../../../components/spec/schema";
import { memberTexts } from "./corpora";
import { balanced, corpusTable, type Harness, type Outcome } from "./harness";

/**
 * What the converter must do with one physical line of a JSON-lines file, by its JSON contract (read-json.ts:
 * one object per line): JSON.parse is the oracle for validity — V8's parser accepts every y_ and rejects every
 * n_ case of JSONTestSuite (checked in json-test-suite.test.ts) — an object is a row, any other JSON value is
 * quarantined as "not a JSON object", text that is not JSON as "invalid JSON", and a line of JSON whitespace
 * (space, tab, CR: RFC 8259 §2) is skipped.
 */
export type LineVerdict =
  | { line: number; kind: "row"; value: Record<string, unknown>; texts: Map<string, string> }
  | { line: number; kind: "not-object" | "invalid" };

export function lineVerdicts(text: string): LineVerdict[] {
  const verdicts: LineVerdict[] = [];
  // A UTF-8 byte order mark opening the file is not part of it (text.ts drops it).
  const body = text.startsWith("\uFEFF") ? text.slice(1) : text;
  body.split("\n").forEach((raw, i) => {
    const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (/^[ \t\r]*$/.test(line)) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      verdicts.push({ line: i + 1, kind: "invalid" });
      return;
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
      verdicts.push({ line: i + 1, kind: "not-object" });
      return;
    }
    const value = parsed as Record<string, unknown>;
    verdicts.push({ line: i + 1, kind: "row", value, texts: memberTexts(line)! });
  });
  return verdicts;
}

/** The string columns a JSON-lines text is read into: its objects' keys that are column names, else `v`. */
export function stringTable(verdicts: readonly LineVerdict[]): TableSpec {
  const names = new Set<string>();
  for (const v of verdicts) {
    if (v.kind === "row")
      for (const key of Object.keys(v.value)) if (/^[a-z][a-z0-9_]{0,62}$/.test(key)) names.add(key);
  }
  if (names.size === 0) names.add("v");
  return corpusTable(
    "json",
    [...names].map((name) => ({ name, type: "string" })),
  );
}

/** The string with each lone surrogate replaced by U+FFFD, as UTF-8 encoding does (String.prototype.toWellFormed). */
function wellFormed(text: string): string {
  return text.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "\uFFFD");
}

/**
 * A JSON value as a string column must hold it: strings as they are (a lone surrogate becomes U+FFFD, as
 * UTF-8 cannot carry it), booleans as `true`/`false`, numbers as their JSON text exactly (issue 11, defect 8:
 * never through a double), objects and arrays as JSON text (compared by value: the spelling is not fixed).
 */
export function expectStringValue(
  got: unknown,
  value: unknown,
  text: string | undefined,
  where: string,
): void {
  if (value === undefined || value === null) return expect({ where, got }).toEqual({ where, got: null });
  if (typeof value === "string") return expect({ where, got }).toEqual({ where, got: wellFormed(value) });
  if (typeof value === "boolean") return expect({ where, got }).toEqual({ where, got: String(value) });
  if (typeof value === "number") return expect({ where, got }).toEqual({ where, got: text });
  expect(typeof got).toBe("string");
  expect({ where, got: JSON.parse(got as string) as unknown }).toEqual({ where, got: value });
}

/**
 * Converts `text` as JSON lines into string columns and checks each line against its verdict: rows written
 * in order with their values, the others quarantined on their line with the right kind of reason, the count
 * balance kept, and the byte readers and the text reference path giving the same outcome.
 */
export async function checkJsonLines(
  h: Harness,
  text: string,
  table?: TableSpec,
  /** Whether each line must be accepted or refused as JSON.parse does (else either, as for JSONTestSuite's i_). */
  strict = true,
): Promise<Outcome> {
  const verdicts = lineVerdicts(text);
  const spec = table ?? stringTable(verdicts);
  const input = Buffer.from(text, "utf8");
  const outcome = await h.convert({ table: spec, input });
  const reference = await h.convert({ table: spec, input, fromBytes: false });
  // The byte reader again with every 3-byte chunk boundary a token or a UTF-8 sequence could straddle.
  const chunked = await h.convert({ table: spec, input, chunkSize: 3 });
  expect(balanced(outcome)).toBe(true);
  for (const other of [reference, chunked]) {
    expect({ rows: outcome.rows, quarantine: outcome.quarantined }).toEqual({
      rows: other.rows,
      quarantine: other.quarantined,
    });
  }
  const rows = verdicts.filter((v) => v.kind === "row");
  const others = verdicts.filter((v) => v.kind !== "row");
  if (strict) {
    expect({
      written: outcome.result.rowsWritten,
      quarantinedLines: outcome.quarantined.map((q) => q.line),
    }).toEqual({ written: rows.length, quarantinedLines: others.map((v) => v.line) });
    others.forEach((v, i) => {
      const reason = outcome.quarantined[i]!.reason;
      expect({ line: v.line, reason }).toEqual({
        line: v.line,
        reason: v.kind === "invalid" ? expect.stringMatching(/^invalid JSON/) : "not a JSON object",
      });
    });
  } else if (outcome.result.rowsWritten !== rows.length || others.length > 0) {
    // Either verdict is allowed; values are checked when the converter read the lines as JSON.parse does.
    return outcome;
  }
  rows.forEach((v, i) => {
    if (v.kind !== "row") return;
    for (const column of spec.columns) {
      const where = `line ${v.line}, ${column.name}`;
      if (column.type === "string")
        expectStringValue(
          outcome.rows[i]![column.name],
          v.value[column.name],
          v.texts.get(column.name),
          where,
        );
    }
  });
  return outcome;
}
