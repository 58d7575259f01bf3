/**
 * Wall-clock time in an IANA zone ↔ UTC instants, for sources that store timestamps without a zone. Done
 * here with Intl (the ICU data Node ships) rather than in SQL, because MySQL's CONVERT_TZ needs time-zone
 * tables that many servers never load, and one implementation serves every engine.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(zone, f);
  }
  return f;
}

/** Milliseconds the zone is ahead of UTC at an instant (whole seconds; sub-second offsets do not exist). */
export function zoneOffsetMs(zone: string, instantMs: number): number {
  const parts = Object.fromEntries(
    formatter(zone)
      .formatToParts(new Date(instantMs))
      .map((p) => [p.type, p.value]),
  );
  const wall = utcMs(+parts.year, +parts.month, +parts.day, +parts.hour, +parts.minute, +parts.second);
  return wall - Math.floor(instantMs / 1000) * 1000;
}

/** Date.UTC without its mapping of years 0–99 to 1900–1999. */
function utcMs(year: number, month: number, day: number, hour = 0, minute = 0, second = 0): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, 0);
  return date.getTime();
}

function pad(value: number, width = 2): string {
  return String(value).padStart(width, "0");
}

/** An instant (ISO, UTC) as the zone's wall-clock time, `YYYY-MM-DD HH:MM:SS`. */
export function wallClock(isoInstant: string, zone: string): string {
  const ms = Date.parse(isoInstant);
  const wall = new Date(ms + zoneOffsetMs(zone, ms));
  return (
    `${pad(wall.getUTCFullYear(), 4)}-${pad(wall.getUTCMonth() + 1)}-${pad(wall.getUTCDate())} ` +
    `${pad(wall.getUTCHours())}:${pad(wall.getUTCMinutes())}:${pad(wall.getUTCSeconds())}`
  );
}

const WALL = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?$/;

/**
 * A wall-clock time of the zone (`YYYY-MM-DDTHH:MM:SS[.ffffff]`) as an ISO UTC instant with its fraction
 * kept digit for digit, resolved as PostgreSQL resolves it: a time that occurs twice (the hour a clock goes
 * back) takes the offset in force just after the change, a time that never occurs (the hour a clock goes
 * forward) the offset in force just before it
 * (https://www.postgresql.org/docs/15/datetime-invalid-input.html; a property test compares with the server).
 */
export function wallClockToUtc(wall: string, zone: string): string {
  const m = WALL.exec(wall);
  if (!m) throw new Error(`not a wall-clock time: "${wall}"`);
  const guess = utcMs(+m[1], +m[2], +m[3], +m[4], +m[5], +m[6]);
  const before = zoneOffsetMs(zone, guess - 86_400_000);
  const after = zoneOffsetMs(zone, guess + 86_400_000);
  let instant = guess - after;
  if (zoneOffsetMs(zone, instant) !== after) instant = guess - before;
  const d = new Date(instant);
  return (
    `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}${m[7] ?? ""}Z`
  );
}
