/**
 * Dates and timestamps by arithmetic on the proleptic Gregorian calendar (no `Date`: `Date.UTC` reads years
 * 0-99 as 1900-1999), limited to what every engine reading bronze can hold. Parquet's TIMESTAMP(MICROS) int64
 * spans ±292,000 years, but Spark's DateType and TimestampType hold 0001-01-01 to 9999-12-31 (and so Glue,
 * Databricks and Athena's Hive tables), so that is the accepted range for both types; DuckDB holds more.
 */

/** The first and last days and instants every engine holds: 0001-01-01 and 9999-12-31T23:59:59.999999Z. */
export const MIN_DAY = -719162;
export const MAX_DAY = 2932896;
export const MIN_SECOND = MIN_DAY * 86_400;
export const MAX_SECOND = MAX_DAY * 86_400 + 86_399;
// Both exact doubles (seconds × 10^6 is exact below 2^53 × 64); 9999-12-31T23:59:59.999999 itself is not.
const MIN_MICROS = MIN_SECOND * 1_000_000;
const END_MICROS = (MAX_SECOND + 1) * 1_000_000;

/** Why a timestamp was refused (besides not being one). */
export const OUT_OF_RANGE = "range";
export const BAD_OFFSET = "offset";
export type TimestampFault = typeof OUT_OF_RANGE | typeof BAD_OFFSET;

/** The largest zone offset, in minutes: java.time's ZoneOffset (which Spark parses with) allows -18:00 to +18:00. */
const MAX_OFFSET_MINUTES = 18 * 60;

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;
/** Epoch seconds; a minus after the first character is an exponent's, which is not taken (as before). */
const EPOCH = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+]?\d+)?$/;

/** Days since the epoch of `YYYY-MM-DD` (already trimmed); undefined if it is not a calendar date, else the fault. */
export function dateDays(text: string): number | undefined | typeof OUT_OF_RANGE {
  const m = DATE.exec(text);
  if (!m) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  return year < 1 ? OUT_OF_RANGE : daysFromCivil(year, month, day);
}

/**
 * Microseconds since the epoch (UTC) of ISO 8601 text (already trimmed; `T` or space, optional fraction,
 * truncated to µs, optional `Z` or `±HH`, `±HHMM`, `±HH:MM` offset, no zone = UTC) or of epoch seconds (digits,
 * fraction, exponent); undefined if it is neither, else a fault when it is out of range or has a bad offset.
 */
export function timestampMicros(text: string): number | bigint | undefined | TimestampFault {
  if (EPOCH.test(text)) return epochMicros(Number(text));
  const m = TIMESTAMP.exec(text);
  if (!m) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = Number(m[4] ?? 0);
  const minute = Number(m[5] ?? 0);
  const second = Number(m[6] ?? 0);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const offset = offsetMinutes(m[8]);
  if (offset === undefined) return BAD_OFFSET;
  const seconds = (daysFromCivil(year, month, day) * 24 + hour) * 3600 + (minute - offset) * 60 + second;
  if (seconds < MIN_SECOND || seconds > MAX_SECOND) return OUT_OF_RANGE;
  const fraction = m[7] ? Number(m[7].padEnd(6, "0").slice(0, 6)) : 0;
  const micros = seconds * 1_000_000 + fraction;
  return Number.isSafeInteger(micros) ? micros : BigInt(seconds) * 1_000_000n + BigInt(fraction);
}

/** Epoch seconds (a JSON number, or digits) as microseconds, rounded to the nearest; the fault if out of range. */
export function epochMicros(seconds: number): number | typeof OUT_OF_RANGE {
  const micros = Math.round(seconds * 1e6);
  return micros >= MIN_MICROS && micros < END_MICROS ? micros : OUT_OF_RANGE;
}

/** Days since the epoch of a date in range read as digits (-1 for a non-digit), else undefined. */
export function civilDays(year: number, month: number, day: number): number | undefined {
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  return daysFromCivil(year, month, day);
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
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return undefined;
  // Exact although above 2^53 from year 2255 on: seconds × 15625 stays below 2^53, and × 64 is exact.
  return ((daysFromCivil(year, month, day) * 24 + hour) * 3600 + minute * 60 + second) * 1_000_000;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}

/**
 * A zone's offset east of UTC in minutes (none or `Z`: 0); undefined for minutes above 59 or an offset beyond
 * ±18:00, the range of java.time's ZoneOffset (ISO 8601 itself sets no bound; DuckDB takes `+25:00` and
 * `+05:99` as they are, which no zone has ever been).
 */
function offsetMinutes(zone: string | undefined): number | undefined {
  if (!zone || zone === "Z" || zone === "z") return 0;
  const hours = Number(zone.slice(1, 3));
  const minutes = zone.length > 3 ? Number(zone.slice(-2)) : 0;
  const total = hours * 60 + minutes;
  if (minutes > 59 || total > MAX_OFFSET_MINUTES) return undefined;
  return zone[0] === "-" ? -total : total;
}
