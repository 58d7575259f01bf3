import type { ColumnSpec } from "../../../components/spec/schema";

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
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;
const DECIMAL = /^([+-])?(\d*)(?:\.(\d*))?$/;
const TRUE = new Set(["true", "t", "1", "yes", "y"]);
const FALSE = new Set(["false", "f", "0", "no", "n"]);
const MS_PER_DAY = 86_400_000;

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
      return (v) => (typeof v === "string" ? v : typeof v === "object" ? JSON.stringify(v) : String(v));
    case "int":
      return (v) => {
        const n = typeof v === "number" ? v : typeof v === "string" ? integerText(v) : NaN;
        return Number.isInteger(n) && n >= INT32_MIN && n <= INT32_MAX ? n : fail(v, "an int (32-bit)");
      };
    case "bigint":
      return (v) => {
        if (typeof v === "number")
          return Number.isSafeInteger(v) ? v : fail(v, "an exact bigint (send it as a string)");
        if (typeof v !== "string") return fail(v, "a bigint");
        if (v.length <= 15) {
          const n = integerText(v);
          return Number.isNaN(n) ? fail(v, "a bigint") : n;
        }
        if (!INTEGER.test(v)) return fail(v, "a bigint");
        const big = BigInt(v);
        if (big < INT64_MIN || big > INT64_MAX) return fail(v, "a bigint (64-bit)");
        return Number.isSafeInteger(Number(big)) ? Number(big) : big;
      };
    case "double":
      return (v) => {
        if (typeof v === "number") return v;
        if (typeof v !== "string") return fail(v, "a double");
        // Number() alone would also take "0x1F", "Infinity" and "  ".
        const first = v.charCodeAt(0);
        if ((first >= 48 && first <= 57) || first === 45) {
          const n = Number(v);
          if (Number.isFinite(n) && !(first === 48 && v.length > 1 && (v.charCodeAt(1) | 32) > 97)) return n;
        }
        return FLOAT.test(v.trim()) ? Number(v) : fail(v, "a double");
      };
    case "boolean":
      return (v) => {
        if (typeof v === "boolean") return v;
        const text = String(v).trim().toLowerCase();
        if (TRUE.has(text)) return true;
        if (FALSE.has(text)) return false;
        return fail(v, "a boolean");
      };
    case "date":
      return (v) => (typeof v === "string" ? parseDate(v) : undefined) ?? fail(v, "a date (YYYY-MM-DD)");
    case "timestamp":
      return (v) => parseTimestamp(v) ?? fail(v, "a timestamp (ISO 8601 or epoch seconds)");
    case "decimal":
      return (v) => parseDecimal(name, v, type.precision!, type.scale!);
  }
}

/**
 * An integer's value, else NaN. Exact up to 15 digits; longer ones are rounded here and refused or read as
 * BigInt by the caller. (The byte readers take the common plain forms before text gets here.)
 */
function integerText(text: string): number {
  return INTEGER.test(text) ? Number(text) : NaN;
}

/** Days since the epoch, or undefined for an invalid calendar date. */
export function parseDate(text: string): number | undefined {
  const m = DATE.exec(text.trim());
  if (!m) return undefined;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  const back = new Date(ms);
  if (back.getUTCMonth() !== Number(m[2]) - 1 || back.getUTCDate() !== Number(m[3])) return undefined;
  return ms / MS_PER_DAY;
}

/**
 * Microseconds since the epoch (UTC). Strings are ISO 8601 (`T` or space, optional fraction to µs, optional
 * `Z`/offset; no zone means UTC); numbers and digit-only strings are epoch seconds (fractions allowed).
 */
export function parseTimestamp(value: unknown): number | bigint | undefined {
  if (typeof value === "string" && value.length === 20) {
    const fast = canonicalUtcMicros(value);
    if (fast !== undefined) return fast;
  }
  if (typeof value === "number") return Number.isFinite(value) ? Math.round(value * 1e6) : undefined;
  if (typeof value !== "string") return undefined;
  const text = value.trim();
  if (FLOAT.test(text) && !text.includes("-", 1)) return parseTimestamp(Number(text));
  const m = TIMESTAMP.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i] ?? 0));
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return undefined;
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  if (new Date(ms).getUTCDate() !== day) return undefined;
  const micros = m[7] ? Number(m[7].padEnd(6, "0").slice(0, 6)) : 0;
  const offsetMinutes = zoneOffsetMinutes(m[8]);
  const total = (ms - offsetMinutes * 60_000) * 1000 + micros;
  return Number.isSafeInteger(total) ? total : BigInt(ms - offsetMinutes * 60_000) * 1000n + BigInt(micros);
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

/** Microseconds since the epoch of a UTC date and time read as digits (-1 for a non-digit), else undefined. */
export function canonicalUtcFields(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
): number | undefined {
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return undefined;
  return ((daysFromCivil(year, month, day) * 24 + hour) * 3600 + minute * 60 + second) * 1_000_000;
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

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}

function zoneOffsetMinutes(zone: string | undefined): number {
  if (!zone || zone.toUpperCase() === "Z") return 0;
  const digits = zone.slice(1).replace(":", "");
  const minutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || 0);
  return zone[0] === "-" ? -minutes : minutes;
}

/** The unscaled integer of a decimal(p,s) (value × 10^s), exact; rejects extra non-zero decimals. */
export function parseDecimal(
  name: string,
  value: unknown,
  precision: number,
  scale: number,
): number | bigint {
  const text = typeof value === "number" ? numberText(value) : typeof value === "string" ? value.trim() : "";
  const m = DECIMAL.exec(text);
  if (!m || (m[2] === "" && (m[3] ?? "") === "")) {
    throw new CoercionError(`${name}: ${preview(value)} is not a decimal(${precision},${scale})`);
  }
  const fraction = m[3] ?? "";
  if (fraction.length > scale && /[1-9]/.test(fraction.slice(scale))) {
    throw new CoercionError(`${name}: ${preview(value)} has more than ${scale} decimal places`);
  }
  const integer = m[2].replace(/^0+/, "");
  if (integer.length > precision - scale) {
    throw new CoercionError(`${name}: ${preview(value)} is out of range for decimal(${precision},${scale})`);
  }
  const digits = (integer + fraction.slice(0, scale).padEnd(scale, "0")).replace(/^0+/, "") || "0";
  const negative = m[1] === "-" && /[1-9]/.test(digits);
  if (digits.length <= 15) return negative ? -Number(digits) : Number(digits);
  return negative ? -BigInt(digits) : BigInt(digits);
}

/** Plain decimal text for a JSON number (no exponent), so 1e-7 is read as 0.0000001. */
function numberText(value: number): string {
  if (!Number.isFinite(value)) return "NaN";
  const text = String(value);
  return /e/i.test(text) ? value.toFixed(20).replace(/0+$/, "") : text;
}

function preview(value: unknown): string {
  const text = typeof value === "string" ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
