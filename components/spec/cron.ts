/**
 * The spec's five-field cron, checked field by field so a schedule every cloud would refuse at `up`
 * (`"30 25 * * *"`) is a spec error. The spec takes the forms all three schedulers accept once converted:
 * - EventBridge Scheduler (AWS; `components/aws/schedule-expression.ts`): minutes 0-59, hours 0-23,
 *   day-of-month 1-31, month 1-12 or JAN-DEC, day-of-week 1-7 or SUN-SAT, wildcards `, - * /`, and `?` in
 *   exactly one day field: "You can't specify the Day-of-month and Day-of-week fields in the same cron
 *   expression" (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cron-expressions.html).
 * - Quartz, for Databricks job schedules (`components/azure/quartz.ts`): the same ranges and the same
 *   one-day-field rule ("Support for specifying both a day-of-week and a day-of-month value is not complete",
 *   so `?` goes in one; https://www.quartz-scheduler.org/documentation/quartz-2.3.0/tutorials/crontrigger.html).
 * - Container Apps job schedules (Azure ingestion): standard five-field cron, passed as written.
 * The converters add `?` and renumber weekdays themselves, so the spec writes crontab's `*` and 0-7 (0 and 7
 * are Sunday). `L`, `W` and `#` are not crontab and are refused rather than passed half-converted.
 */

interface CronField {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  /** Accepted names (JAN, MON, ...), numbered from `min`. */
  readonly names?: readonly string[];
}

const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const WEEKDAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

export const CRON_FIELDS: readonly CronField[] = [
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day-of-month", min: 1, max: 31 },
  { name: "month", min: 1, max: 12, names: MONTHS },
  { name: "day-of-week", min: 0, max: 7, names: WEEKDAYS },
];

const SHAPE = 'a five-field cron expression "minute hour day-of-month month day-of-week", e.g. "0 2 * * *"';

/** Every problem of a cron expression (empty when valid), each naming the field and its allowed values. */
export function cronProblems(expression: string): string[] {
  const fields = expression.trim().split(/\s+/);
  if (expression.trim() === "" || fields.length !== CRON_FIELDS.length) {
    return [`must be ${SHAPE} (got ${fields.length === 1 && fields[0] === "" ? 0 : fields.length} fields)`];
  }
  const problems = fields.flatMap((value, i) => fieldProblems(value, CRON_FIELDS[i] as CronField));
  const [, , dayOfMonth, , dayOfWeek] = fields as [string, string, string, string, string];
  if (problems.length === 0 && dayOfMonth !== "*" && dayOfWeek !== "*") {
    problems.push(
      `restricts both day-of-month ("${dayOfMonth}") and day-of-week ("${dayOfWeek}"); EventBridge Scheduler and Quartz (Databricks) take only one: put * in the other`,
    );
  }
  return problems;
}

function fieldProblems(value: string, field: CronField): string[] {
  const allowed = `${field.min}-${field.max}${field.names ? ` or ${field.names[0]}-${field.names.at(-1)}` : ""}`;
  const bad = (why: string) => [
    `${field.name} "${value}": ${why} (allowed: ${allowed}, *, lists, ranges a-b, steps /n)`,
  ];
  if (value === "?") return bad('"?" is added per cloud by the converters; write *');
  if (/[LW#]/i.test(value.replace(/[A-Z]{3}/gi, (name) => (isName(field, name) ? "" : name)))) {
    return bad("L, W and # are not five-field cron");
  }
  for (const item of value.split(",")) {
    const match = /^([^/]+)(?:\/(\d+))?$/.exec(item);
    if (!match) return bad(`"${item}" is not a value, range or step`);
    const [, range, step] = match as unknown as [string, string, string | undefined];
    if (step !== undefined && (Number(step) < 1 || Number(step) > field.max)) {
      return bad(`step ${step} is outside 1-${field.max}`);
    }
    if (range === "*") continue;
    const bounds = range.split("-");
    if (bounds.length > 2) return bad(`"${range}" is not a range a-b`);
    const numbers = bounds.map((bound) => valueOf(bound, field));
    const outside = bounds.find((_, j) => numbers[j] === undefined);
    if (outside !== undefined) return bad(`${JSON.stringify(outside)} is out of range`);
    if (numbers.length === 2 && (numbers[0] as number) > (numbers[1] as number)) {
      return bad(`range ${range} runs backwards`);
    }
  }
  return [];
}

function isName(field: CronField, name: string): boolean {
  return field.names?.includes(name.toUpperCase()) ?? false;
}

/** The number a field value stands for, or undefined when it is not one of the field's values. */
function valueOf(text: string, field: CronField): number | undefined {
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    return n >= field.min && n <= field.max ? n : undefined;
  }
  const index = field.names?.indexOf(text.toUpperCase()) ?? -1;
  return index >= 0 ? field.min + index : undefined;
}

/**
 * The same fields as one regular expression, for the editor JSON Schema (`pattern`): values, names, ranges,
 * lists and steps within each field's range. The one-day-field rule is left to {@link cronProblems}.
 */
export function cronPattern(): string {
  const caseless = (name: string) => [...name].map((c) => `[${c}${c.toLowerCase()}]`).join("");
  const field = ({ min, max, names }: CronField) => {
    const numbers: string[] = [];
    for (let n = max; n >= min; n--) numbers.push(n < 10 ? `0?${n}` : String(n));
    const atom = `(?:${[...numbers, ...(names ?? []).map(caseless)].join("|")})`;
    const item = `(?:\\*|${atom}(?:-${atom})?)(?:/[1-9][0-9]?)?`;
    return `${item}(?:,${item})*`;
  };
  return `^\\s*${CRON_FIELDS.map(field).join("\\s+")}\\s*$`;
}
