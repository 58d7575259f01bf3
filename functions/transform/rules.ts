import type { ColumnSpec, MaskingRule, QualityRuleSpec, TableSpec } from "../../components/spec";
import type { Dialect } from "./dialect";

/**
 * Quality rules and masking as SQL expressions over one typed row. Written once against the Dialect,
 * so Spark (Glue, Databricks) and DuckDB (local) judge and mask every row the same way.
 */

/** A check that a row fails: `failsWhen` is true for a bad row, and names the rule in the quarantine. */
export interface RowCheck {
  /** Rule name recorded in the quarantine: operation, required, type, format_cpf, format_email, regex, domain, range. */
  readonly rule: string;
  readonly column: string;
  readonly failsWhen: string;
}

/** A digit-only CPF is 11 digits whose last two are check digits (mod 11) of the first nine and ten. */
export function validCpf(dialect: Dialect, expr: string): string {
  const digits = dialect.removeAll(expr, "[^0-9]");
  const digit = (i: number) => `CAST(substr(${digits}, ${i + 1}, 1) AS INTEGER)`;
  const weighted = (count: number) =>
    Array.from({ length: count }, (_, i) => `${digit(i)} * ${count + 1 - i}`).join(" + ");
  // (sum * 10) % 11 gives the check digit, except 10 which counts as 0: hence the final % 10.
  const check = (count: number) => `((((${weighted(count)}) * 10) % 11) % 10) = ${digit(count)}`;
  // SQL's AND does not short-circuit, so the digit arithmetic only runs under CASE once the shape is right.
  const shape = dialect.matches(expr, "^[0-9]{3}[.]?[0-9]{3}[.]?[0-9]{3}-?[0-9]{2}$");
  // 000.000.000-00 and the other repeated-digit numbers pass the arithmetic but are not valid CPFs.
  const arithmetic = [`${digits} <> repeat(substr(${digits}, 1, 1), 11)`, check(9), check(10)].join(" AND ");
  return `CASE WHEN ${shape} THEN ${arithmetic} ELSE FALSE END`;
}

/** Local part, @, a dotted domain ending in letters; no backslashes so it reads the same in every dialect. */
export const EMAIL_PATTERN = "^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+[.][A-Za-z]{2,}$";

/** The checks of a table, in the order the first failure is reported: types, declared non-null, the spec's rules. */
export function rowChecks(dialect: Dialect, table: TableSpec, options: RowCheckOptions): RowCheck[] {
  const checks: RowCheck[] = [];
  for (const column of table.columns) {
    if (column.type === "string") continue;
    // A value that does not cast would silently become NULL; quarantine it instead.
    checks.push({
      rule: "type",
      column: column.name,
      failsWhen: `${options.raw(column.name)} IS NOT NULL AND ${column.name} IS NULL`,
    });
  }
  const declaredRequired = new Set(table.quality.filter((q) => q.rule === "required").map((q) => q.column));
  for (const column of table.columns) {
    const implied = !column.nullable || table.primaryKey.includes(column.name);
    if (implied && !declaredRequired.has(column.name)) {
      checks.push({ rule: "required", column: column.name, failsWhen: `${column.name} IS NULL` });
    }
  }
  for (const rule of table.quality) checks.push(qualityCheck(dialect, rule));
  // The columns that order changes must be present on every change, or its place in the order is unknown.
  const sequenceBy = table.source.kind === "cdc" ? table.source.sequenceBy : [];
  for (const name of sequenceBy) {
    if (!checks.some((c) => c.rule === "required" && c.column === name)) {
      checks.push({ rule: "required", column: name, failsWhen: `${name} IS NULL` });
    }
  }
  // A CDC delete carries the key and little else: only the key's and the order's checks apply to it.
  const always = new Set([...table.primaryKey, ...sequenceBy]);
  const judged = checks.map((check) =>
    options.isDelete && !always.has(check.column)
      ? { ...check, failsWhen: `NOT (${options.isDelete}) AND ${check.failsWhen}` }
      : check,
  );
  // First, so the row is reported for its operation: a NULL or unknown one (NULL IN (...) is NULL, not
  // false, so the check is COALESCEd) reaches neither silver nor the MERGE's delete test otherwise.
  return options.operation
    ? [
        {
          rule: "operation",
          column: options.operation.column,
          failsWhen: `NOT COALESCE(${options.operation.isKnown}, FALSE)`,
        },
        ...judged,
      ]
    : judged;
}

export interface RowCheckOptions {
  /** The column holding a column's raw (normalised text) value, for the type check. */
  readonly raw: (column: string) => string;
  /** A predicate true for CDC deletes; omitted for tables without deletes. */
  readonly isDelete?: string;
  /** CDC tables: the operation field's name and a predicate true for a known operation. */
  readonly operation?: { readonly column: string; readonly isKnown: string };
}

export function qualityCheck(dialect: Dialect, rule: QualityRuleSpec): RowCheck {
  const c = rule.column;
  const whenPresent = (valid: string) => `${c} IS NOT NULL AND NOT COALESCE(${valid}, FALSE)`;
  switch (rule.rule) {
    case "required":
      return { rule: "required", column: c, failsWhen: `${c} IS NULL` };
    case "format":
      return rule.format === "cpf"
        ? { rule: "format_cpf", column: c, failsWhen: whenPresent(`(${validCpf(dialect, c)})`) }
        : { rule: "format_email", column: c, failsWhen: whenPresent(dialect.matches(c, EMAIL_PATTERN)) };
    case "regex":
      return {
        rule: "regex",
        column: c,
        failsWhen: whenPresent(dialect.matches(dialect.toText(c), `^(?:${rule.pattern})$`)),
      };
    case "domain":
      return {
        rule: "domain",
        column: c,
        failsWhen: whenPresent(`${dialect.toText(c)} IN (${rule.values.map(dialect.literal).join(", ")})`),
      };
    case "range": {
      const bounds = [
        ...(rule.min !== undefined ? [`${c} >= ${rule.min}`] : []),
        ...(rule.max !== undefined ? [`${c} <= ${rule.max}`] : []),
      ];
      return { rule: "range", column: c, failsWhen: whenPresent(`(${bounds.join(" AND ")})`) };
    }
  }
}

/** The first failing check's field (`rule` or `column`), or NULL for a good row. */
export function firstFailure(
  checks: readonly RowCheck[],
  field: "rule" | "column",
  dialect: Dialect,
): string {
  if (checks.length === 0) return `CAST(NULL AS ${dialect.type("string")})`;
  const arms = checks.map((check) => `WHEN ${check.failsWhen} THEN ${dialect.literal(check[field])}`);
  return `CASE ${arms.join(" ")} ELSE NULL END`;
}

/** The masked value of a column; NULL stays NULL. Masked columns are strings in silver. */
export function maskExpression(dialect: Dialect, rule: MaskingRule, expr: string): string {
  const text = dialect.toText(expr);
  const digits = dialect.removeAll(text, "[^0-9]");
  switch (rule) {
    case "cpf":
      return `CASE WHEN ${expr} IS NULL THEN NULL ELSE concat('********', right(${digits}, 3)) END`;
    case "card":
      return `CASE WHEN ${expr} IS NULL THEN NULL ELSE concat('************', right(${digits}, 4)) END`;
    case "email":
      return `CASE WHEN ${expr} IS NULL THEN NULL ELSE concat('***@', split_part(${text}, '@', 2)) END`;
    case "hash":
      // Keyed (HMAC-SHA256 with the environment's secret): an unkeyed hash of a username or CPF is
      // reversed by hashing a dictionary of candidates.
      return dialect.hmacSha256(expr);
    case "redact":
      return `CASE WHEN ${expr} IS NULL THEN NULL ELSE '[REDACTED]' END`;
  }
}

/** The silver type of a column: masking turns any column into a string. */
export function silverType(table: TableSpec, column: ColumnSpec): ColumnSpec["type"] {
  return table.pii[column.name] ? "string" : column.type;
}
