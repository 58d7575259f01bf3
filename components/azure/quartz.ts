/**
 * Five-field cron (the spec's `minute hour day-of-month month day-of-week`) → Quartz cron, which
 * Databricks job schedules take: a seconds field in front, `?` in exactly one of the two day fields,
 * and days of week numbered 1-7 from Sunday (cron numbers them 0-7, both 0 and 7 being Sunday).
 */
export function quartzFromCron(cron: string): string {
  const fields = cron.trim().split(/\s+/);
  if (fields.length !== 5) {
    throw new Error(`cron "${cron}" must have five fields (minute hour day-of-month month day-of-week)`);
  }
  const [minute, hour, dayOfMonth, month, dayOfWeek] = fields;
  const domAny = dayOfMonth === "*" || dayOfMonth === "?";
  const dowAny = dayOfWeek === "*" || dayOfWeek === "?";
  if (!domAny && !dowAny) {
    throw new Error(
      `cron "${cron}" restricts both day-of-month and day-of-week; Quartz (Databricks) can only restrict one`,
    );
  }
  const quartzDom = dowAny ? dayOfMonth.replace("?", "*") : "?";
  const quartzDow = dowAny ? "?" : quartzDayOfWeek(dayOfWeek);
  return ["0", minute, hour, quartzDom, month, quartzDow].join(" ");
}

/** Renumbers the numbers of a day-of-week field (lists, ranges and steps); names pass through. */
function quartzDayOfWeek(field: string): string {
  return field
    .split(",")
    .map((item) => {
      const [range, step] = item.split("/");
      const start = range === "*" ? "1" : quartzDayRange(range);
      return step === undefined ? start : `${start}/${step}`;
    })
    .join(",");
}

/** `1-5` → `2-6`; a range ending on cron's Sunday 7 wraps to Quartz's Sunday 1 (`5-7` → `6-7,1`). */
function quartzDayRange(range: string): string {
  const bounds = range.split("-");
  if (bounds.length === 2 && bounds[1] === "7" && /^\d+$/.test(bounds[0])) {
    return bounds[0] === "0" ? "1-7" : `${renumberDay(bounds[0])}-7,1`;
  }
  return bounds.map(renumberDay).join("-");
}

function renumberDay(day: string): string {
  if (!/^\d+$/.test(day)) return day.toUpperCase();
  const n = Number(day);
  if (n > 7) throw new Error(`day of week ${day} is out of range 0-7`);
  return String((n % 7) + 1);
}
