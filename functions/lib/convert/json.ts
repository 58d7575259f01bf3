import { plainDecimal } from "./coerce";

/** Control characters are invalid raw in JSON strings, and a backslash means escapes: both go to JSON.parse. */
// eslint-disable-next-line no-control-regex -- control characters are exactly what this looks for
const NEEDS_JSON_PARSE = /[\u0000-\u001f\\]/;

/**
 * A schema-directed reader for the common JSON line: one flat object whose values are strings without escapes,
 * numbers, booleans or null. It reads the columns' values straight from the text (no object, no strings for
 * keys or numbers) and returns false for anything else — escapes, nested values, odd whitespace, invalid JSON —
 * so the caller falls back to JSON.parse, the reference, which decides and words every error. When it returns
 * true, `values` holds exactly what `JSON.parse(text)[name]` would give for each column (last duplicate wins).
 */
export class FlatJsonReader {
  private readonly slots = new Map<string, number>();

  constructor(private readonly names: readonly string[]) {
    names.forEach((name, i) => this.slots.set(name, i));
  }

  /** Fills `values` (one slot per name; undefined when the key is absent); false when the line needs JSON.parse. */
  read(text: string, values: unknown[]): boolean {
    if (NEEDS_JSON_PARSE.test(text)) return false;
    const names = this.names;
    values.fill(undefined);
    const length = text.length;
    let p = skipSpaces(text, 0);
    if (text.charCodeAt(p) !== 123 /* { */) return false;
    p = skipSpaces(text, p + 1);
    let expected = 0;
    if (text.charCodeAt(p) === 125 /* } */) return skipSpaces(text, p + 1) === length;
    for (;;) {
      if (text.charCodeAt(p) !== 34 /* " */) return false;
      const keyEnd = text.indexOf('"', p + 1);
      if (keyEnd === -1) return false;
      // Keys usually come in the schema's order: try the next column's name before a map lookup.
      const guess = names[expected];
      const slot =
        guess !== undefined && keyEnd - p - 1 === guess.length && text.startsWith(guess, p + 1)
          ? expected
          : (this.slots.get(text.slice(p + 1, keyEnd)) ?? -1);
      expected = slot + 1;
      p = skipSpaces(text, keyEnd + 1);
      if (text.charCodeAt(p) !== 58 /* : */) return false;
      p = skipSpaces(text, p + 1);
      const c = text.charCodeAt(p);
      let value: unknown;
      if (c === 34) {
        const end = text.indexOf('"', p + 1);
        if (end === -1) return false;
        value = text.slice(p + 1, end);
        p = end + 1;
      } else if ((c >= 48 && c <= 57) || c === 45) {
        const end = numberEnd(text, p);
        if (end === -1) return false;
        const plain = plainDecimal(text, p, end);
        value = Number.isNaN(plain) ? Number(text.slice(p, end)) : plain;
        p = end;
      } else if (c === 116 && text.startsWith("true", p)) {
        value = true;
        p += 4;
      } else if (c === 102 && text.startsWith("false", p)) {
        value = false;
        p += 5;
      } else if (c === 110 && text.startsWith("null", p)) {
        value = null;
        p += 4;
      } else return false;
      if (slot >= 0) values[slot] = value;
      p = skipSpaces(text, p);
      const next = text.charCodeAt(p);
      if (next === 44 /* , */) {
        p = skipSpaces(text, p + 1);
        continue;
      }
      if (next === 125) return skipSpaces(text, p + 1) === length;
      return false;
    }
  }
}

function skipSpaces(text: string, p: number): number {
  while (text.charCodeAt(p) === 32) p++;
  return p;
}

/** The end of a JSON number starting at `p` (`-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?`), or -1 if it is not one. */
function numberEnd(text: string, p: number): number {
  if (text.charCodeAt(p) === 45) p++;
  const first = text.charCodeAt(p);
  if (first === 48) p++;
  else if (first >= 49 && first <= 57) p = digitsEnd(text, p);
  else return -1;
  if (text.charCodeAt(p) === 46) {
    const end = digitsEnd(text, p + 1);
    if (end === p + 1) return -1;
    p = end;
  }
  const e = text.charCodeAt(p);
  if (e === 101 || e === 69) {
    p++;
    const sign = text.charCodeAt(p);
    if (sign === 43 || sign === 45) p++;
    const end = digitsEnd(text, p);
    if (end === p) return -1;
    p = end;
  }
  return p;
}

function digitsEnd(text: string, p: number): number {
  for (let c = text.charCodeAt(p); c >= 48 && c <= 57; c = text.charCodeAt(++p));
  return p;
}
