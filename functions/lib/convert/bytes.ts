import type { Coercer, ColumnType, Converted } from "./coerce";
import { decimalBytes } from "./decimal";
import { canonicalUtcFields, civilDays } from "./temporal";

/**
 * Reading values straight from the input's UTF-8 bytes (a field of a CSV record, a JSON number or string),
 * without decoding them to a JS string first: at a million rows the decode, the per-field strings and their
 * garbage are a quarter of the converter's time. Each reader takes the common plain forms only and hands
 * anything else to the column's coercer as the decoded text, so results and error messages are the coercer's.
 */

/** Reads a column's value from `bytes[from, to)`, exactly as its coercer reads the decoded text. */
export type ByteCoercer = (bytes: Uint8Array, from: number, to: number) => Converted;

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/** The UTF-8 text of `bytes[from, to)`. */
export function utf8(bytes: Uint8Array, from: number, to: number): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8", from, to);
}

/** A `ByteCoercer` for the column: in-place fast paths for int, bigint, double, decimal and canonical UTC timestamps. */
export function byteCoercer(type: ColumnType, coerce: Coercer): ByteCoercer {
  const slow: ByteCoercer = (bytes, from, to) => coerce(utf8(bytes, from, to));
  switch (type.kind) {
    case "int":
      return (bytes, from, to) => {
        const n = integerBytes(bytes, from, to);
        return n >= INT32_MIN && n <= INT32_MAX ? n : slow(bytes, from, to);
      };
    case "bigint":
      return (bytes, from, to) => {
        const n = integerBytes(bytes, from, to);
        return Number.isNaN(n) ? slow(bytes, from, to) : n;
      };
    case "double":
      return (bytes, from, to) => {
        const n = plainDecimalBytes(bytes, from, to);
        return Number.isNaN(n) ? slow(bytes, from, to) : n;
      };
    case "decimal": {
      const { precision, scale } = type as Required<ColumnType>;
      return (bytes, from, to) => {
        const n = decimalBytes(bytes, from, to, precision, scale);
        return Number.isNaN(n) ? slow(bytes, from, to) : n;
      };
    }
    case "date":
      return (bytes, from, to) =>
        (to - from === 10 ? dateBytes(bytes, from) : undefined) ?? slow(bytes, from, to);
    case "timestamp":
      return (bytes, from, to) =>
        (to - from === 20 ? canonicalUtcMicrosBytes(bytes, from) : undefined) ?? slow(bytes, from, to);
    default:
      return slow;
  }
}

/** `[+-]?\d{1,15}` in `bytes[from, to)` as a number, else NaN. */
export function integerBytes(bytes: Uint8Array, from: number, to: number): number {
  let i = from;
  let sign = 1;
  const first = bytes[from];
  if (first === 45 || first === 43) {
    sign = first === 45 ? -1 : 1;
    i++;
  }
  if (i >= to || to - i > 15) return NaN;
  let n = 0;
  for (; i < to; i++) {
    const d = bytes[i]! - 48;
    if (d < 0 || d > 9) return NaN;
    n = n * 10 + d;
  }
  return sign * n;
}

/** The two little-endian 32-bit words `int64Bytes` read last (low, high). */
export const INT64_WORDS = new Int32Array(2);
const TWO_32 = 4294967296;
const TWO_31 = 2147483648;

/**
 * `-?\d+` in `bytes[from, to)` that fits an int64, into `INT64_WORDS`; false for anything else (take the text
 * path). For integers beyond 2^53, where `integerBytes` declines: the value is kept as two exact 32-bit halves,
 * digit by digit, so no string and no BigInt is made.
 */
export function int64Bytes(bytes: Uint8Array, from: number, to: number): boolean {
  const negative = bytes[from] === 45;
  let i = negative ? from + 1 : from;
  if (i >= to) return false;
  let low = 0;
  let high = 0;
  for (; i < to; i++) {
    const d = bytes[i]! - 48;
    if (d < 0 || d > 9) return false;
    low = low * 10 + d;
    const carry = Math.floor(low / TWO_32);
    low -= carry * TWO_32;
    high = high * 10 + carry;
    if (high > TWO_31) return false;
  }
  // int64 holds -2^63 .. 2^63 - 1.
  if (high === TWO_31 && (!negative || low !== 0)) return false;
  if (negative && (low !== 0 || high !== 0)) {
    // Two's complement: -x = ~x + 1 over the 64 bits.
    if (low === 0) high = TWO_32 - high;
    else {
      low = TWO_32 - low;
      high = TWO_32 - 1 - high;
    }
  }
  INT64_WORDS[0] = low | 0;
  INT64_WORDS[1] = high | 0;
  return true;
}

/** 10^0 .. 10^22: every one is an exact double. */
const EXACT_POWERS_OF_TEN = Array.from({ length: 23 }, (_, i) => Number(`1e${i}`));

/**
 * Plain decimal text `-?\d+(\.\d+)?` of at most 15 digits in `bytes[from, to)`, read without Number(): the
 * digits form an exact integer below 2^53 and the scale an exact power of ten, so the one division is
 * correctly rounded and equals Number(text) (Clinger's fast path). Anything else is NaN (take the general path).
 */
export function plainDecimalBytes(bytes: Uint8Array, from: number, to: number): number {
  let i = bytes[from] === 45 ? from + 1 : from;
  const start = i;
  let n = 0;
  let point = -1;
  for (; i < to; i++) {
    const d = bytes[i]! - 48;
    if (d >= 0 && d <= 9) n = n * 10 + d;
    else if (d === -2 && point === -1 && i > start && i + 1 < to) point = i;
    else return NaN;
  }
  const digitCount = to - start - (point === -1 ? 0 : 1);
  if (digitCount <= 0 || digitCount > 15) return NaN;
  const value = point === -1 ? n : n / EXACT_POWERS_OF_TEN[to - point - 1]!;
  return start > from ? -value : value;
}

/** `YYYY-MM-DDTHH:MM:SSZ` at `at` as microseconds since the epoch, else undefined (take the general path). */
export function canonicalUtcMicrosBytes(bytes: Uint8Array, at: number): number | undefined {
  if (bytes[at + 4] !== 45 || bytes[at + 7] !== 45 || bytes[at + 10] !== 84) return undefined;
  if (bytes[at + 13] !== 58 || bytes[at + 16] !== 58 || bytes[at + 19] !== 90) return undefined;
  return canonicalUtcFields(
    digits4(bytes, at),
    digits2(bytes, at + 5),
    digits2(bytes, at + 8),
    digits2(bytes, at + 11),
    digits2(bytes, at + 14),
    digits2(bytes, at + 17),
  );
}

/** `YYYY-MM-DD` at `at` as days since the epoch, else undefined (take the general path, which words why). */
export function dateBytes(bytes: Uint8Array, at: number): number | undefined {
  if (bytes[at + 4] !== 45 || bytes[at + 7] !== 45) return undefined;
  return civilDays(digits4(bytes, at), digits2(bytes, at + 5), digits2(bytes, at + 8));
}

/** Two ASCII digits at `at` as a number, or -1. (`>>> 0` makes a byte below '0' a huge number.) */
function digits2(bytes: Uint8Array, at: number): number {
  const a = (bytes[at]! - 48) >>> 0;
  const b = (bytes[at + 1]! - 48) >>> 0;
  return a > 9 || b > 9 ? -1 : a * 10 + b;
}

/** Four ASCII digits at `at` as a number, or -1. */
function digits4(bytes: Uint8Array, at: number): number {
  const high = digits2(bytes, at);
  const low = digits2(bytes, at + 2);
  return high < 0 || low < 0 ? -1 : high * 100 + low;
}
