import { utf8 } from "./bytes";
import { CoercionError } from "./coerce";
import type { ColumnBuffer } from "./columns";

/**
 * Reads one JSON-lines record straight from the input's bytes into the column buffers, for the shape nearly
 * every producer writes: a flat object whose keys are the columns in the spec's order (some may be missing,
 * unknown keys may sit between them) with string, number, true/false/null values and the simple escapes.
 * Anything else — a nested value, a `\u` escape in a column's string, keys out of order or repeated, a
 * control character, any syntax error — makes `read` decline before or after taking its values back, and the
 * caller reads the line with JSON.parse, the reference that words every error. Values reach the columns
 * exactly as the reference's coercers would see them: strings as text, numbers as JSON.parse's numbers.
 */
export class JsonRecordReader {
  /** Where the next line starts after a record was read. */
  next = 0;
  /** For CDC tables: the values of the operation field and of `operation` in the last record read. */
  readonly operation: Record<string, unknown> = {};
  private readonly names: Buffer[];
  private scratch = Buffer.allocUnsafe(64 * 1024);
  private scratchAt = 0;

  /** `operationField`: the CDC operation key (its value and `operation`'s are kept for the caller). */
  constructor(
    names: readonly string[],
    private readonly operationField?: string,
  ) {
    this.names = names.map((name) => Buffer.from(name));
  }

  /**
   * Reads the record of the line at `p` into `buffers` (one per name, in order). True when every column got its
   * value (`next` is then past the newline); false, with nothing appended, when the line needs JSON.parse —
   * including any value that does not coerce: the line may be broken further on (JSON.parse's error is the
   * reason then), a key may come later out of order, and the reference words the reason either way.
   */
  read(bytes: Uint8Array, p: number, buffers: readonly ColumnBuffer[]): boolean {
    const count = this.names.length;
    let j = 0;
    this.scratchAt = 0;
    if (this.operationField) {
      this.operation[this.operationField] = undefined;
      this.operation.operation = undefined;
    }
    try {
      p = skipSpace(bytes, p);
      if (bytes[p] !== 123) return this.decline(buffers, j);
      p = skipSpace(bytes, p + 1);
      if (bytes[p] === 125) p++;
      else {
        for (;;) {
          if (bytes[p] !== 34) return this.decline(buffers, j);
          const keyFrom = p + 1;
          // Usually the key is the next column's name: compare in place rather than scan it first.
          const keyTo =
            j < count && this.namedAt(j, bytes, keyFrom)
              ? keyFrom + this.names[j]!.length
              : stringEnd(bytes, keyFrom);
          if (keyTo < 0) return this.decline(buffers, j);
          p = skipSpace(bytes, keyTo + 1);
          if (bytes[p] !== 58) return this.decline(buffers, j);
          p = skipSpace(bytes, p + 1);
          const k =
            j < count && this.named(j, bytes, keyFrom, keyTo) ? j : this.columnOf(bytes, keyFrom, keyTo);
          if (k >= 0) {
            if (k < j) return this.decline(buffers, j);
            for (; j < k; j++) buffers[j]!.take(undefined);
            p = this.value(bytes, p, buffers[k]!);
            if (p < 0) return this.decline(buffers, j);
            j++;
          } else {
            p = this.other(bytes, p, keyFrom, keyTo);
            if (p < 0) return this.decline(buffers, j);
          }
          p = skipSpace(bytes, p);
          if (bytes[p] === 44) {
            p = skipSpace(bytes, p + 1);
            continue;
          }
          if (bytes[p] !== 125) return this.decline(buffers, j);
          p++;
          break;
        }
      }
      p = skipSpace(bytes, p);
      if (bytes[p] !== 10) return this.decline(buffers, j);
      for (; j < count; j++) buffers[j]!.take(undefined);
      this.next = p + 1;
      return true;
    } catch (error) {
      // The rest of the line may not even be JSON: JSON.parse's error comes first, so the reference decides.
      if (error instanceof CoercionError) return this.decline(buffers, j);
      throw error;
    }
  }

  private decline(buffers: readonly ColumnBuffer[], appended: number): false {
    for (let k = 0; k < appended; k++) buffers[k]!.pop();
    return false;
  }

  /** The key at `from` is column `column`'s name (its closing quote included). */
  private namedAt(column: number, bytes: Uint8Array, from: number): boolean {
    const name = this.names[column]!;
    if (bytes[from + name.length] !== 34) return false;
    for (let i = 0; i < name.length; i++) if (name[i] !== bytes[from + i]) return false;
    return true;
  }

  private named(column: number, bytes: Uint8Array, from: number, to: number): boolean {
    const name = this.names[column]!;
    if (name.length !== to - from) return false;
    for (let i = 0; i < name.length; i++) if (name[i] !== bytes[from + i]) return false;
    return true;
  }

  private columnOf(bytes: Uint8Array, from: number, to: number): number {
    for (let k = 0; k < this.names.length; k++) if (this.named(k, bytes, from, to)) return k;
    return -1;
  }

  /** Reads the value at `p` into `buffer`; returns where it ends, or -1 to decline (nothing appended). */
  private value(bytes: Uint8Array, p: number, buffer: ColumnBuffer): number {
    const c = bytes[p]!;
    if (c === 34) {
      const stop = plainEnd(bytes, p + 1);
      if (bytes[stop] === 34) {
        buffer.read(bytes, p + 1, stop);
        return stop + 1;
      }
      const from = this.scratchAt;
      const end = this.unescape(bytes, p + 1, stop);
      if (end < 0) return -1;
      buffer.read(this.scratch, from, this.scratchAt);
      return end;
    }
    if (c === 45 || (c >= 48 && c <= 57)) {
      const to = numberEnd(bytes, p);
      if (to < 0) return -1;
      buffer.readNumber(bytes, p, to);
      return to;
    }
    const literal = literalAt(bytes, p);
    if (literal === undefined) return -1;
    buffer.take(literal);
    return p + (literal === false ? 5 : 4);
  }

  /** Skips the value of a key that is not a column (keeping the CDC operation's); -1 to decline. */
  private other(bytes: Uint8Array, p: number, keyFrom: number, keyTo: number): number {
    const key = this.operationField === undefined ? undefined : utf8(bytes, keyFrom, keyTo);
    const keep = key !== undefined && (key === this.operationField || key === "operation");
    const c = bytes[p]!;
    let end: number;
    if (c === 34) end = quotedEnd(bytes, p + 1);
    else if (c === 45 || (c >= 48 && c <= 57)) end = numberEnd(bytes, p);
    else {
      const literal = literalAt(bytes, p);
      if (literal === undefined) return -1;
      end = p + (literal === false ? 5 : 4);
    }
    if (end >= 0 && keep) this.operation[key] = JSON.parse(utf8(bytes, p, end)) as unknown;
    return end;
  }

  /**
   * Copies the string at `from` (just past its opening quote; `stop` is its first backslash or control byte)
   * into the scratch buffer with its simple escapes resolved, run by run; returns the position past its
   * closing quote, or -1 for a `\u` escape, a control character or an unknown escape.
   */
  private unescape(bytes: Uint8Array, from: number, stop: number): number {
    for (;;) {
      this.copy(bytes, from, stop);
      const c = bytes[stop];
      if (c === 34) return stop + 1;
      if (c !== 92) return -1;
      const escaped = ESCAPES[bytes[stop + 1]!];
      if (escaped === undefined) return -1;
      this.scratch[this.scratchAt++] = escaped;
      from = stop + 2;
      stop = plainEnd(bytes, from);
    }
  }

  /** Appends `bytes[from, to)` (and room for one more byte) to the scratch buffer. */
  private copy(bytes: Uint8Array, from: number, to: number): void {
    const at = this.scratchAt;
    if (this.scratch.length < at + (to - from) + 1) {
      const bigger = Buffer.allocUnsafe(2 * (at + (to - from) + 1));
      this.scratch.copy(bigger, 0, 0, at);
      this.scratch = bigger;
    }
    this.scratch.set(bytes.subarray(from, to), at);
    this.scratchAt = at + (to - from);
  }
}

/** The byte each simple escape stands for, by the escape's letter (`\u` and anything else are undefined). */
const ESCAPES: (number | undefined)[] = Array.from({ length: 256 }, () => undefined);
for (const [letter, byte] of Object.entries({ '"': 34, "\\": 92, "/": 47, b: 8, f: 12, n: 10, r: 13, t: 9 }))
  ESCAPES[letter.charCodeAt(0)] = byte;

/** Space, tab and CR (the line's newline ends the record). */
function skipSpace(bytes: Uint8Array, p: number): number {
  let c = bytes[p];
  while (c === 32 || c === 9 || c === 13) c = bytes[++p];
  return p;
}

/** The closing quote of a string without escapes or control characters, else -1. */
function stringEnd(bytes: Uint8Array, p: number): number {
  p = plainEnd(bytes, p);
  return bytes[p] === 34 ? p : -1;
}

/** The first quote, backslash or control byte from `p` (a newline ends every chunk, so one is found). */
function plainEnd(bytes: Uint8Array, p: number): number {
  let c = bytes[p]!;
  while (c !== 34 && c !== 92 && c >= 32) c = bytes[++p]!;
  return p;
}

/** Past the closing quote of a valid JSON string (any escapes, checked as JSON.parse checks them), else -1. */
function quotedEnd(bytes: Uint8Array, p: number): number {
  for (;;) {
    const c = bytes[p]!;
    if (c === 34) return p + 1;
    if (c < 32) return -1;
    if (c !== 92) {
      p++;
      continue;
    }
    const e = bytes[p + 1]!;
    if (e === 117) {
      for (let k = p + 2; k < p + 6; k++) if (!isHex(bytes[k]!)) return -1;
      p += 6;
    } else if (ESCAPES[e] !== undefined) p += 2;
    else return -1;
  }
}

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

/** The end of a number by JSON's grammar, `-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?`, else -1. */
function numberEnd(bytes: Uint8Array, p: number): number {
  if (bytes[p] === 45) p++;
  let c = bytes[p]!;
  if (c === 48) c = bytes[++p]!;
  else if (c >= 49 && c <= 57) while (c >= 48 && c <= 57) c = bytes[++p]!;
  else return -1;
  if (c === 46) {
    c = bytes[++p]!;
    if (!(c >= 48 && c <= 57)) return -1;
    while (c >= 48 && c <= 57) c = bytes[++p]!;
  }
  if (c === 101 || c === 69) {
    c = bytes[++p]!;
    if (c === 43 || c === 45) c = bytes[++p]!;
    if (!(c >= 48 && c <= 57)) return -1;
    while (c >= 48 && c <= 57) c = bytes[++p]!;
  }
  return p;
}

/** `true`, `false` or `null` at `p`, else undefined. */
function literalAt(bytes: Uint8Array, p: number): boolean | null | undefined {
  const c = bytes[p];
  if (c === 116 && bytes[p + 1] === 114 && bytes[p + 2] === 117 && bytes[p + 3] === 101) return true;
  if (c === 110 && bytes[p + 1] === 117 && bytes[p + 2] === 108 && bytes[p + 3] === 108) return null;
  if (
    c === 102 &&
    bytes[p + 1] === 97 &&
    bytes[p + 2] === 108 &&
    bytes[p + 3] === 115 &&
    bytes[p + 4] === 101
  )
    return false;
  return undefined;
}

/**
 * The source text of each top-level member's value in a line JSON.parse has accepted as an object (the last
 * one of a repeated key, as JSON.parse keeps), for the values a double or JSON.stringify would change: Node 20's
 * JSON.parse gives revivers no source text (that is `context.source`, V8 11.4 / Node 21). Only read for a
 * record that has a number or a nested value bound for a string, decimal or bigint column.
 */
export function memberTexts(line: string): Map<string, string> {
  const texts = new Map<string, string>();
  let p = skipSpaceText(line, line.indexOf("{") + 1);
  while (line.charCodeAt(p) === 34) {
    const keyEnd = quotedEndText(line, p + 1);
    const raw = line.slice(p + 1, keyEnd - 1);
    const key = raw.includes("\\") ? (JSON.parse(`"${raw}"`) as string) : raw;
    p = skipSpaceText(line, skipSpaceText(line, keyEnd) + 1);
    const end = valueEndText(line, p);
    texts.set(key, line.slice(p, end));
    p = skipSpaceText(line, end);
    if (line.charCodeAt(p) !== 44) break;
    p = skipSpaceText(line, p + 1);
  }
  return texts;
}

/** JSON's whitespace: space, tab, LF, CR. */
function skipSpaceText(text: string, p: number): number {
  let c = text.charCodeAt(p);
  while (c === 32 || c === 9 || c === 10 || c === 13) c = text.charCodeAt(++p);
  return p;
}

/** Past the closing quote of the (valid) string whose content starts at `p`. */
function quotedEndText(text: string, p: number): number {
  for (;;) {
    const c = text.charCodeAt(p);
    if (c === 34) return p + 1;
    p += c === 92 ? 2 : 1;
  }
}

/** The end of the (valid) value at `p`: a string, a nested object or array, a number or a literal. */
function valueEndText(text: string, p: number): number {
  const c = text.charCodeAt(p);
  if (c === 34) return quotedEndText(text, p + 1);
  if (c === 123 || c === 91) {
    let depth = 0;
    for (;;) {
      const d = text.charCodeAt(p);
      if (d === 34) p = quotedEndText(text, p + 1);
      else {
        if (d === 123 || d === 91) depth++;
        else if (d === 125 || d === 93) depth--;
        p++;
        if (depth === 0) return p;
      }
    }
  }
  let d = text.charCodeAt(p);
  while (!(d === 44 || d === 125 || d === 32 || d === 9 || d === 10 || d === 13)) d = text.charCodeAt(++p);
  return p;
}
