import type { ColumnSpec } from "../../../components/spec/schema";
import { decimalUnscaled } from "./decimal";
import {
  BAD_OFFSET,
  canonicalUtcFields,
  dateDays,
  epochMicros,
  OUT_OF_RANGE,
  timestampMicros,
  type TimestampFault,
} from "./temporal";

export { canonicalUtcFields } from "./temporal";

/** A value that cannot be stored in its column; the message becomes the quarantine reason. */
export class CoercionError extends Error {}

/** What a coercer produces: numbers for int/double/date/timestamp(µs)/decimal(unscaled) when exact, else bigint. */
export type Converted = string | number | bigint | boolean | null;

export type Coercer = (value: unknown) => Converted;

export type ColumnKind =
  "string" | "int" | "bigint" | "double" | "boolean" | "date" | "timestamp" | "decimal";

export interface ColumnType {
  kind: ColumnKind;
  precision?: number;
  scale?: number;
}

/** Decimal128 holds at most 38 digits; the spec's regex allows two-digit precisions, so check here. */
export const MAX_DECIMAL_PRECISION = 38;

export function columnType(type: ColumnSpec["type"]): ColumnType {
  const decimal = /^decimal\((\d+),(\d+)\)$/.exec(type);
  if (!decimal) return { kind: type as ColumnKind };
  const precision = Number(decimal[1]);
  const scale = Number(decimal[2]);
  if (precision < 1 || precision > MAX_DECIMAL_PRECISION || scale > precision) {
    throw new Error(`${type}: precision must be 1-${MAX_DECIMAL_PRECISION} and scale at most the precision`);
  }
  return { kind: "decimal", precision, scale };
}

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const INTEGER = /^[+-]?\d+$/;
const FLOAT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const TRUE = new Set(["true", "t", "1", "yes", "y"]);
const FALSE = new Set(["false", "f", "0", "no", "n"]);
/** Characters of a value shown in a quarantine reason; the rest is in the entry's `raw`. */
const PREVIEW_CHARS = 80;

/**
 * A JSON number's text exactly as written, for the columns that must not read it through a double: a string
 * column stores the text, a decimal or bigint column reads its digits exactly.
 */
export class NumberText {
  constructor(readonly text: string) {}
}

/**
 * A coercer for one column: JSON values or CSV strings → the column's storage value. Throws CoercionError
 * with a reason. `null`, `undefined` and (for non-string columns) "" are null; null in a non-nullable
 * column is an error.
 */
export function coercer(name: string, type: ColumnType, nullable: boolean): Coercer {
  const convert = converterFor(name, type);
  return (value) => {
    if (value === null || value === undefined || (value === "" && type.kind !== "string")) {
      if (!nullable) throw new CoercionError(`${name}: required value is missing`);
      return null;
    }
    return convert(value);
  };
}

function converterFor(name: string, type: ColumnType): (value: unknown) => Converted {
  const fail = (value: unknown, expected: string): never => {
    throw new CoercionError(`${name}: ${preview(value)} is not ${expected}`);
  };
  switch (type.kind) {
    case "string":
      return (v) =>
        typeof v === "string"
          ? v
          : v instanceof NumberText
            ? v.text
            : typeof v === "object"
              ? JSON.stringify(v)
              : String(v);
    case "int":
      return (v) => {
        const n = typeof v === "number" ? v : typeof v === "string" ? integerText(asciiTrim(v)) : NaN;
        return Number.isInteger(n) && n >= INT32_MIN && n <= INT32_MAX ? n : fail(v, "an int (32-bit)");
      };
    case "bigint":
      return (v) => {
        // A JSON number's digits are read exactly, an exponent too (1.0e2, 1e18): as decimal(19,0).
        if (v instanceof NumberText && !INTEGER.test(v.text)) {
          const n = decimalUnscaled(v.text, 19, 0);
          if (n === "scale" || n === "syntax") return fail(v, "a bigint");
          if (n === "range" || n < INT64_MIN || n > INT64_MAX) return fail(v, "a bigint (64-bit)");
          return typeof n === "bigint" && Number.isSafeInteger(Number(n)) ? Number(n) : n;
        }
        if (typeof v === "number") return bigintNumber(name, v, v);
        const text = v instanceof NumberText ? v.text : typeof v === "string" ? asciiTrim(v) : undefined;
        if (text === undefined) return fail(v, "a bigint");
        if (text.length <= 15) {
          const n = integerText(text);
          return Number.isNaN(n) ? fail(v, "a bigint") : n;
        }
        if (!INTEGER.test(text)) return fail(v, "a bigint");
        const big = BigInt(text);
        if (big < INT64_MIN || big > INT64_MAX) return fail(v, "a bigint (64-bit)");
        return Number.isSafeInteger(Number(big)) ? Number(big) : big;
      };
    case "double":
      return (v) => {
        if (typeof v === "number") return v;
        if (typeof v !== "string") return fail(v, "a double");
        // Number() alone would also take "0x1F", "Infinity", "  " and Unicode spaces around the digits.
        const first = v.charCodeAt(0);
        const last = v.charCodeAt(v.length - 1);
        if (((first >= 48 && first <= 57) || first === 45) && ((last >= 48 && last <= 57) || last === 46)) {
          const n = Number(v);
          if (Number.isFinite(n) && !(first === 48 && v.length > 1 && (v.charCodeAt(1) | 32) > 97)) return n;
        }
        const text = asciiTrim(v);
        return FLOAT.test(text) ? Number(text) : fail(v, "a double");
      };
    case "boolean":
      return (v) => {
        if (typeof v === "boolean") return v;
        const text = (typeof v === "string" ? asciiTrim(v) : String(v)).toLowerCase();
        if (TRUE.has(text)) return true;
        if (FALSE.has(text)) return false;
        return fail(v, "a boolean");
      };
    case "date":
      return (v) => {
        const days = typeof v === "string" ? dateDays(asciiTrim(v)) : undefined;
        if (typeof days === "number") return days;
        return days === OUT_OF_RANGE ? fail(v, `a date from ${DATE_RANGE}`) : fail(v, "a date (YYYY-MM-DD)");
      };
    case "timestamp":
      return (v) => {
        const micros = parseTimestamp(v);
        if (typeof micros === "number" || typeof micros === "bigint") return micros;
        if (micros === OUT_OF_RANGE) return fail(v, `a timestamp from ${DATE_RANGE} (UTC)`);
        if (micros === BAD_OFFSET) return fail(v, "a timestamp (zone offsets go from -18:00 to +18:00)");
        return fail(v, "a timestamp (ISO 8601 or epoch seconds)");
      };
    case "decimal":
      return (v) => parseDecimal(name, v, type.precision!, type.scale!);
  }
}

const DATE_RANGE = "0001-01-01 to 9999-12-31";

/** A JSON number for a bigint column: a safe integer as it is; `shown` is what the reason shows. */
function bigintNumber(name: string, n: number, shown: unknown): number {
  if (Number.isSafeInteger(n)) return n;
  throw new CoercionError(`${name}: ${preview(shown)} is not an exact bigint (send it as a string)`);
}

/**
 * Text without the ASCII whitespace around it (space, tab, LF, VT, FF, CR), for every type but string: DuckDB's
 * casts trim exactly these (`' 5'::INTEGER` is 5, U+00A0 is refused) and Spark's trim every byte up to 0x20.
 * Whitespace alone is not blank: only "" is null.
 */
export function asciiTrim(text: string): string {
  let from = 0;
  let to = text.length;
  while (from < to && isAsciiSpace(text.charCodeAt(from))) from++;
  while (to > from && isAsciiSpace(text.charCodeAt(to - 1))) to--;
  return from === 0 && to === text.length ? text : text.slice(from, to);
}

function isAsciiSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

/**
 * An integer's value, else NaN. Exact up to 15 digits; longer ones are rounded here and refused or read as
 * BigInt by the caller. (The byte readers take the common plain forms before text gets here.)
 */
function integerText(text: string): number {
  return INTEGER.test(text) ? Number(text) : NaN;
}

/** Days since the epoch of `YYYY-MM-DD` (ASCII whitespace around it ignored), or undefined. */
export function parseDate(text: string): number | undefined {
  const days = dateDays(asciiTrim(text));
  return typeof days === "number" ? days : undefined;
}

/**
 * Microseconds since the epoch (UTC) of ISO 8601 text or epoch seconds (numbers and digit-only text; see
 * `timestampMicros`); undefined when it is not a timestamp, else the fault (out of range, bad zone offset).
 */
export function parseTimestamp(value: unknown): number | bigint | undefined | TimestampFault {
  if (typeof value === "string" && value.length === 20) {
    const fast = canonicalUtcMicros(value);
    if (fast !== undefined) return fast;
  }
  if (typeof value === "number") return Number.isFinite(value) ? epochMicros(value) : undefined;
  if (typeof value !== "string") return undefined;
  return timestampMicros(asciiTrim(value));
}

/**
 * Fast path for the most common form, `YYYY-MM-DDTHH:MM:SSZ`: digits read in place and the day count computed
 * arithmetically (no regex, no Date), which matters at a million rows. Anything else takes the general path.
 */
function canonicalUtcMicros(text: string): number | undefined {
  if (text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45 || text.charCodeAt(10) !== 84) return undefined;
  if (text.charCodeAt(13) !== 58 || text.charCodeAt(16) !== 58 || text.charCodeAt(19) !== 90)
    return undefined;
  return canonicalUtcFields(
    digits(text, 0, 4),
    digits(text, 5, 2),
    digits(text, 8, 2),
    digits(text, 11, 2),
    digits(text, 14, 2),
    digits(text, 17, 2),
  );
}

/** The number in `length` ASCII digits at `at`, or -1 if any is not a digit. */
function digits(text: string, at: number, length: number): number {
  let n = 0;
  for (let i = at; i < at + length; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

/**
 * The unscaled integer of a decimal(p,s) (value × 10^s), exact: text (ASCII whitespace around it ignored, an
 * exponent allowed) and a JSON number's source text are read digit by digit; a JS number by its shortest text.
 */
export function parseDecimal(
  name: string,
  value: unknown,
  precision: number,
  scale: number,
): number | bigint {
  const text =
    value instanceof NumberText
      ? value.text
      : typeof value === "string"
        ? asciiTrim(value)
        : typeof value === "number" && Number.isFinite(value)
          ? String(value)
          : "";
  const unscaled = decimalUnscaled(text, precision, scale);
  if (typeof unscaled !== "string") return unscaled;
  const shown = preview(value);
  if (unscaled === "scale")
    throw new CoercionError(`${name}: ${shown} has more than ${scale} decimal places`);
  if (unscaled === "range")
    throw new CoercionError(`${name}: ${shown} is out of range for decimal(${precision},${scale})`);
  throw new CoercionError(`${name}: ${shown} is not a decimal(${precision},${scale})`);
}

/**
 * A value as a quarantine reason shows it: JSON text (strings quoted, a JSON number as written), cut at
 * PREVIEW_CHARS characters with "…" (inside the quotes for a string, so the reason stays parseable).
 */
export function preview(value: unknown): string {
  if (typeof value === "string") {
    return JSON.stringify(value.length > PREVIEW_CHARS ? `${cut(value)}…` : value);
  }
  const text =
    value instanceof NumberText
      ? value.text
      : typeof value === "number"
        ? String(value)
        : (JSON.stringify(value) ?? String(value));
  return text.length > PREVIEW_CHARS ? `${cut(text)}…` : text;
}

/** The first PREVIEW_CHARS UTF-16 units, not splitting a surrogate pair. */
function cut(text: string): string {
  const end = (text.charCodeAt(PREVIEW_CHARS - 1) & 0xfc00) === 0xd800 ? PREVIEW_CHARS - 1 : PREVIEW_CHARS;
  return text.slice(0, end);
}
