/**
 * Five-field cron (`minute hour day-of-month month day-of-week`, as in the spec) → the six-field
 * `cron(minutes hours day-of-month month day-of-week year)` of EventBridge Scheduler. AWS requires `?` in
 * exactly one of the two day fields and numbers weekdays 1-7 from Sunday (cron: 0-7, both 0 and 7 Sunday).
 */
export function awsCronExpression(cron: string): string {
  const fields = cron.trim().split(/\s+/);
  if (fields.length !== 5) {
    throw new Error(`cron "${cron}": expected five fields (minute hour day-of-month month day-of-week)`);
  }
  const [minute, hour, dayOfMonth, month, dayOfWeek] = fields;
  const anyDay = (field: string) => field === "*" || field === "?";
  if (!anyDay(dayOfMonth) && !anyDay(dayOfWeek)) {
    throw new Error(
      `cron "${cron}": EventBridge cannot restrict both day-of-month and day-of-week; use * in one of them`,
    );
  }
  const [dom, dow] = anyDay(dayOfWeek) ? [dayOfMonth, "?"] : ["?", awsWeekdays(dayOfWeek)];
  return `cron(${minute} ${hour} ${dom} ${month} ${dow} *)`;
}

/** Shifts numeric weekdays (0-7, Sunday = 0 or 7) to AWS's 1-7 (Sunday = 1); names pass through. */
function awsWeekdays(field: string): string {
  return field
    .split(",")
    .map((part) => {
      const [range, step] = part.split("/");
      const shifted = range === "*" ? "*" : range.split("-").map(shiftDay).join("-");
      return step === undefined ? shifted : `${shifted}/${step}`;
    })
    .join(",");
}

function shiftDay(day: string): string {
  if (!/^\d+$/.test(day)) return day.toUpperCase(); // MON, TUE, … and L/# forms are AWS's as well
  const n = Number(day);
  if (n > 7) throw new Error(`cron day-of-week ${day}: must be 0-7`);
  return String((n % 7) + 1);
}
