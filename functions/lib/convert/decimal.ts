/**
 * decimal(p,s) from text, exactly: the digits are moved, never computed through a double. Spark's CAST rounds
 * extra decimals half-up (java.math.BigDecimal.setScale(s, HALF_UP)) and DuckDB's rounds half away from zero
 * ('1.245'::DECIMAL(4,2) = 1.25); bronze refuses them instead, because a rounded amount in bronze cannot be
 * told from a real one and the raw text is then gone. Trailing zeros beyond the scale are not loss: taken.
 */

/** Why a decimal was refused. */
export type DecimalFault = "syntax" | "scale" | "range";

/** `[+-]? (digits [. digits?] | . digits) ([eE] [+-]? digits)?`, as Spark and DuckDB read decimal text. */
const DECIMAL = /^([+-])?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/**
 * The unscaled integer (value × 10^scale) of decimal text (already trimmed): a number when it has at most 15
 * digits (exact), else a bigint; or why it does not fit decimal(precision, scale).
 */
export function decimalUnscaled(
  text: string,
  precision: number,
  scale: number,
): number | bigint | DecimalFault {
  const m = DECIMAL.exec(text);
  if (!m) return "syntax";
  const whole = m[2]!;
  const fraction = m[3] ?? "";
  if (whole === "" && fraction === "") return "syntax";
  let digits = whole + fraction;
  let first = 0;
  while (first < digits.length && digits.charCodeAt(first) === 48) first++;
  if (first === digits.length) return 0;
  digits = digits.slice(first);
  // The value is digits × 10^shift at the column's scale; an exponent too long for a number is out of range.
  const shift = (m[4] === undefined ? 0 : Number(m[4])) - fraction.length + scale;
  let unscaled: string;
  if (shift >= 0) {
    if (digits.length + shift > precision) return "range";
    unscaled = digits + "0".repeat(shift);
  } else {
    const keep = digits.length + shift;
    for (let i = Math.max(keep, 0); i < digits.length; i++) if (digits.charCodeAt(i) !== 48) return "scale";
    unscaled = keep <= 0 ? "0" : digits.slice(0, keep);
    if (unscaled.length > precision) return "range";
  }
  const negative = m[1] === "-" && unscaled !== "0";
  if (unscaled.length <= 15) return negative ? -Number(unscaled) : Number(unscaled);
  return negative ? -BigInt(unscaled) : BigInt(unscaled);
}

/** 10^0 .. 10^15. */
const POWERS_OF_TEN = Array.from({ length: 16 }, (_, i) => 10 ** i);

/**
 * The plain form `-?\d+(\.\d+)?` in `bytes[from, to)` as its unscaled integer when that has at most 15 digits
 * and fits decimal(precision, scale) with no non-zero digit beyond the scale; else NaN (take the text path,
 * which decides and words the rest). No string, no double arithmetic beyond exact integers below 2^53.
 */
export function decimalBytes(
  bytes: Uint8Array,
  from: number,
  to: number,
  precision: number,
  scale: number,
): number {
  let i = bytes[from] === 45 ? from + 1 : from;
  const start = i;
  let n = 0;
  for (; i < to; i++) {
    const d = bytes[i]! - 48;
    if (d < 0 || d > 9) break;
    n = n * 10 + d;
  }
  if (i === start || n >= 1e15) return NaN;
  let kept = 0;
  if (i < to) {
    if (bytes[i] !== 46 || i + 1 === to) return NaN;
    for (i++; i < to; i++) {
      const d = bytes[i]! - 48;
      if (d < 0 || d > 9) return NaN;
      if (kept < scale) {
        n = n * 10 + d;
        kept++;
        if (n >= 1e15) return NaN;
      } else if (d !== 0) return NaN;
    }
  }
  n *= POWERS_OF_TEN[scale - kept] ?? NaN;
  if (!(n < POWERS_OF_TEN[Math.min(precision, 15)]!)) return NaN;
  // "-0" is 0, as the text path reads it (not -0).
  return start > from && n !== 0 ? -n : n;
}
