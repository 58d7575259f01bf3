/**
 * The spec's five-field cron (minute hour day-of-month month day-of-week, as in crontab) rendered for
 * EventBridge Scheduler: `cron(minutes hours day-of-month month day-of-week year)`.
 *
 * Scheduler's rules differ from crontab's: exactly one of day-of-month and day-of-week must be `?`;
 * days of the week count 1-7 from Sunday (crontab: 0-7, Sunday is 0 and 7); a year field is required.
 * A crontab line restricting both days (run when either matches) has no Scheduler equivalent and fails.
 */
export function schedulerCron(cron: string): string {
  const fields = cron.trim().split(/\s+/);
  if (fields.length !== 5) {
    throw new Error(
      `cron "${cron}": expected 5 fields (minute hour day-of-month month day-of-week), got ${fields.length}`,
    );
  }
  const [minute, hour, dayOfMonth, month, dayOfWeek] = fields;
  const anyDayOfMonth = dayOfMonth === "*" || dayOfMonth === "?";
  const anyDayOfWeek = dayOfWeek === "*" || dayOfWeek === "?";
  if (!anyDayOfMonth && !anyDayOfWeek) {
    throw new Error(
      `cron "${cron}": EventBridge Scheduler cannot restrict both day-of-month and day-of-week; use * for one of them`,
    );
  }
  const [dom, dow] = anyDayOfWeek
    ? [anyDayOfMonth ? "*" : dayOfMonth, "?"]
    : ["?", schedulerDayOfWeek(dayOfWeek)];
  return `cron(${minute} ${hour} ${dom} ${month} ${dow} *)`;
}

/** Crontab day-of-week numbers (0-7, Sunday 0 or 7) → Scheduler's (1-7, Sunday 1); names pass through. */
function schedulerDayOfWeek(field: string): string {
  return field.replace(/(?<![#/])\b[0-7]\b/g, (digit) => String((Number(digit) % 7) + 1));
}
