import type { ColumnSpec, MaskingRule, QualityRuleSpec, TableSpec } from "../../../components/spec";
import type { RawRecord, RawValue } from "./history";

/**
 * The reference semantics of one record, written from the contracts and not from the code under test:
 * how the converter types it (functions/lib/convert/coerce.ts: empty is NULL, a NULL in a non-nullable
 * column or a value that is not its type is quarantined; CDC operations must be insert/update/delete,
 * any case), which quality rule the silver gate reports first (rules.ts: implied required, then the
 * spec's rules in order; a delete is judged on its key only), and what the masks make of a value.
 * It covers the value forms the generator produces (generate.ts), not every spelling the converter accepts.
 */

/** A typed value: string, double (number), int/bigint/decimal-unscaled/timestamp-µs/date-days (bigint), boolean. */
export type Typed = string | number | bigint | boolean | null;

/** Why a record or a change was rejected: the quarantine's rule and column. */
export interface Failure {
  readonly rule: string;
  readonly column: string;
}

export type Coerced =
  { readonly ok: true; readonly value: Typed } | { readonly ok: false; readonly failure: Failure };

const INTEGER = /^[+-]?\d+$/;
const FLOAT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const DECIMAL = /^([+-])?(\d*)(?:\.(\d*))?$/;
const ISO_UTC = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z$/;
const TRUE = new Set(["true", "t", "1", "yes", "y"]);
const FALSE = new Set(["false", "f", "0", "no", "n"]);
const CDC_OPERATIONS = new Set(["insert", "update", "delete"]);
/** rules.ts EMAIL_PATTERN, the documented format_email rule. */
const EMAIL = /^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+[.][A-Za-z]{2,}$/;

/** The converter's typing of one field. */
export function coerceField(column: ColumnSpec, raw: RawValue): Coerced {
  const type = column.type;
  if (raw === null || raw === undefined || (raw === "" && type !== "string")) {
    return column.nullable ? { ok: true, value: null } : fail("required", column.name);
  }
  const value = typedOf(type, raw);
  return value === undefined ? fail("type", column.name) : { ok: true, value };
}

function typedOf(type: ColumnSpec["type"], raw: string | number | boolean): Typed | undefined {
  const text = typeof raw === "string" ? raw : String(raw);
  switch (type) {
    case "string":
      return text;
    case "int":
    case "bigint": {
      if (typeof raw === "number") return Number.isSafeInteger(raw) ? BigInt(raw) : undefined;
      if (!INTEGER.test(text)) return undefined;
      const n = BigInt(text);
      const bits = type === "int" ? 31n : 63n;
      return n >= -(2n ** bits) && n < 2n ** bits ? n : undefined;
    }
    case "double":
      if (typeof raw === "number") return raw;
      return FLOAT.test(text.trim()) ? Number(text) : undefined;
    case "boolean": {
      if (typeof raw === "boolean") return raw;
      const t = text.trim().toLowerCase();
      return TRUE.has(t) ? true : FALSE.has(t) ? false : undefined;
    }
    case "date": {
      const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text.trim());
      const ms = m ? Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!) : NaN;
      const valid = m && new Date(ms).getUTCMonth() === +m[2]! - 1 && new Date(ms).getUTCDate() === +m[3]!;
      return valid ? BigInt(ms / 86_400_000) : undefined;
    }
    case "timestamp": {
      if (typeof raw === "number") return BigInt(Math.round(raw * 1e6));
      if (/^\d+$/.test(text)) return BigInt(text) * 1_000_000n;
      const m = ISO_UTC.exec(text);
      if (!m) return undefined;
      const [year, month, day, hour, minute, second] = m.slice(1).map(Number) as [
        number,
        number,
        number,
        number,
        number,
        number,
      ];
      if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return undefined;
      const ms = Date.UTC(year, month - 1, day, hour, minute, second);
      return new Date(ms).getUTCDate() === day ? BigInt(ms) * 1000n : undefined;
    }
    default:
      return decimalOf(type, text.trim());
  }
}

/** decimal(p,s) as its unscaled integer: extra non-zero decimals or too many integer digits do not fit. */
function decimalOf(type: string, text: string): bigint | undefined {
  const [, p, s] = /^decimal\((\d+),(\d+)\)$/.exec(type)!.map(Number) as [number, number, number];
  const m = DECIMAL.exec(text);
  if (!m || (m[2] === "" && (m[3] ?? "") === "")) return undefined;
  const fraction = m[3] ?? "";
  if (/[1-9]/.test(fraction.slice(s))) return undefined;
  const integer = m[2]!.replace(/^0+/, "");
  if (integer.length > p - s) return undefined;
  const unscaled = BigInt(integer + fraction.slice(0, s).padEnd(s, "0") || "0");
  return m[1] === "-" ? -unscaled : unscaled;
}

/** A CDC record's operation (its operation field, else `operation`), lower-cased; undefined when not insert/update/delete. */
export function cdcOperation(record: RawRecord, field: string): string | undefined {
  const value = record[field] ?? record.operation;
  const operation = typeof value === "string" ? value.toLowerCase() : "";
  return CDC_OPERATIONS.has(operation) ? operation : undefined;
}

/** The text a typed value has in SQL (`CAST(x AS VARCHAR)`), the canonical form rows are compared in. */
export function canonical(type: ColumnSpec["type"], value: Typed): string | null {
  if (value === null) return null;
  if (type === "timestamp")
    return new Date(Number(value) / 1000).toISOString().replace("T", " ").slice(0, 19);
  if (type === "date") return new Date(Number(value) * 86_400_000).toISOString().slice(0, 10);
  const decimal = /^decimal\(\d+,(\d+)\)$/.exec(type);
  if (decimal) {
    const scale = Number(decimal[1]);
    const n = value as bigint;
    const digits = (n < 0n ? -n : n).toString().padStart(scale + 1, "0");
    const text = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
    return n < 0n ? `-${text}` : text;
  }
  return String(value);
}

/** Silver reads a value as `NULLIF(TRIM(text), '')` before typing it: blank strings are NULL (TRIM removes spaces). */
export function silverValue(type: ColumnSpec["type"], value: Typed): Typed {
  if (type !== "string" || value === null) return value;
  const trimmed = (value as string).replace(/^ +| +$/g, "");
  return trimmed === "" ? null : trimmed;
}

/** The first quality failure of a bronze change (silver-typed values), or undefined for a good change. */
export function firstQualityFailure(
  table: TableSpec,
  values: Readonly<Record<string, Typed>>,
  isDelete: boolean,
  sequenceBy: readonly string[] = [],
): Failure | undefined {
  const keys = new Set(table.primaryKey);
  const declared = new Set(table.quality.filter((q) => q.rule === "required").map((q) => q.column));
  const checks: Failure[] = [];
  for (const c of table.columns) {
    const implied = !c.nullable || keys.has(c.name);
    if (implied && !declared.has(c.name) && values[c.name] === null)
      checks.push({ rule: "required", column: c.name });
  }
  // Every change must carry what orders it, deletes included (schema.ts `source.sequenceBy`).
  const sequence = new Set(sequenceBy);
  for (const c of sequenceBy) if (values[c] === null) checks.push({ rule: "required", column: c });
  for (const rule of table.quality) {
    const type = table.columns.find((c) => c.name === rule.column)!.type;
    if (fails(rule, type, values[rule.column] ?? null))
      checks.push({ rule: ruleName(rule), column: rule.column });
  }
  return checks.find((f) => !isDelete || keys.has(f.column) || sequence.has(f.column));
}

function ruleName(rule: QualityRuleSpec): string {
  return rule.rule === "format" ? `format_${rule.format}` : rule.rule;
}

function fails(rule: QualityRuleSpec, type: ColumnSpec["type"], value: Typed): boolean {
  if (rule.rule === "required") return value === null;
  if (value === null) return false;
  const text = canonical(type, value)!;
  switch (rule.rule) {
    case "format":
      return rule.format === "cpf" ? !validCpf(text) : !EMAIL.test(text);
    case "regex":
      return !new RegExp(`^(?:${rule.pattern})$`).test(text);
    case "domain":
      return !rule.values.includes(text);
    case "range": {
      const n = Number(text);
      return (rule.min !== undefined && n < rule.min) || (rule.max !== undefined && n > rule.max);
    }
  }
}

/** Shape ddd.ddd.ddd-dd (dots and dash optional), not one repeated digit, both mod-11 check digits right. */
function validCpf(text: string): boolean {
  if (!/^[0-9]{3}[.]?[0-9]{3}[.]?[0-9]{3}-?[0-9]{2}$/.test(text)) return false;
  const d = [...text.replace(/[^0-9]/g, "")].map(Number);
  if (d.every((x) => x === d[0])) return false;
  const check = (n: number) => ((d.slice(0, n).reduce((s, x, i) => s + x * (n + 1 - i), 0) * 10) % 11) % 10;
  return check(9) === d[9] && check(10) === d[10];
}

/** A masked value as silver stores it (always text); NULL stays NULL. */
export function mask(
  rule: MaskingRule,
  type: ColumnSpec["type"],
  value: Typed,
  hash: (text: string) => string,
): string | null {
  if (value === null) return null;
  const text = canonical(type, value)!;
  const digits = text.replace(/[^0-9]/g, "");
  switch (rule) {
    case "cpf":
      return `********${digits.slice(-3)}`;
    case "card":
      return `************${digits.slice(-4)}`;
    case "email":
      return `***@${text.split("@")[1] ?? ""}`;
    case "hash":
      return hash(text);
    case "redact":
      return "[REDACTED]";
  }
}

function fail(rule: string, column: string): Coerced {
  return { ok: false, failure: { rule, column } };
}
