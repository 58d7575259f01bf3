/**
 * The spec-level summary a reviewer reads first: what the change does to the data product (tables,
 * columns, masking, quality rules, schedules), before the resource-by-resource diff. It compares the two
 * plans' parsed specs (`Plan.spec`); plans without one (written by an older preview or by a custom
 * program) get no summary.
 */
import type { LakehouseSpec, TableSpec } from "../../components/spec";
import { canonical, isRecord } from "./diff-values";

/** One line of the summary; `breaking` marks what breaks readers or loses data. */
export interface SpecChange {
  readonly subject: string;
  readonly message: string;
  readonly breaking: boolean;
}

/** Type changes a reader keeps working through: the new type holds every old value (Spark/Iceberg promotions). */
const WIDENINGS: Readonly<Record<string, readonly string[]>> = {
  // Iceberg allows int → long and float → double promotion (Iceberg spec, "Schema Evolution").
  int: ["bigint"],
};

export function diffSpecs(before: unknown, after: unknown): SpecChange[] {
  if (!isSpec(before) || !isSpec(after)) return [];
  const out: SpecChange[] = [];
  const push = (subject: string, message: string, breaking = false) =>
    out.push({ subject, message, breaking });
  if (before.name !== after.name)
    push(
      "lakehouse",
      `name "${before.name}" → "${after.name}": every physical name changes (all data stores are replaced)`,
      true,
    );
  if (before.protect !== after.protect)
    push("lakehouse", `protect ${before.protect} → ${after.protect}`, before.protect && !after.protect);
  for (const key of keysOf(before.schedules, after.schedules)) {
    const [a, b] = [before.schedules?.[key], after.schedules?.[key]];
    if (a !== b) push("schedules", `${key}: "${a ?? "(default)"}" → "${b ?? "(default)"}"`);
  }
  for (const key of ["trigger", "timezone"] as const) {
    const [a, b] = [before.databricks?.[key], after.databricks?.[key]];
    if (canonical(a) !== canonical(b))
      push("schedules", `databricks.${key}: ${canonical(a)} → ${canonical(b)}`);
  }
  for (const key of keysOf(before.retention, after.retention)) {
    const [a, b] = [before.retention?.[key], after.retention?.[key]];
    if (a !== b)
      push("retention", `${key}: ${a} → ${b}`, typeof a === "number" && typeof b === "number" && b < a);
  }

  const oldTables = byName(before.tables);
  const newTables = byName(after.tables);
  for (const [name, table] of newTables)
    if (!oldTables.has(name)) push(`table ${name}`, `added (${table.columns.length} columns)`);
  for (const name of oldTables.keys())
    if (!newTables.has(name)) push(`table ${name}`, "removed: its pipeline and catalog entries go", true);
  for (const [name, table] of newTables) {
    const old = oldTables.get(name);
    if (old) diffTable(old, table, (message, breaking) => push(`table ${name}`, message, breaking));
  }
  const named: [string, readonly { name: string }[], readonly { name: string }[]][] = [
    ["view", before.views ?? [], after.views ?? []],
    ["gold model", before.gold ?? [], after.gold ?? []],
  ];
  for (const [kind, a, b] of named) {
    const [oldItems, newItems] = [byName(a), byName(b)];
    for (const name of newItems.keys()) if (!oldItems.has(name)) push(`${kind} ${name}`, "added");
    for (const name of oldItems.keys()) if (!newItems.has(name)) push(`${kind} ${name}`, "removed", true);
    for (const [name, item] of newItems) {
      const old = oldItems.get(name);
      if (old && canonical(old) !== canonical(item)) push(`${kind} ${name}`, "definition changed");
    }
  }
  return out;
}

function diffTable(old: TableSpec, now: TableSpec, push: (message: string, breaking: boolean) => void): void {
  const oldColumns = byName(old.columns);
  const newColumns = byName(now.columns);
  for (const [name, column] of newColumns) {
    const before = oldColumns.get(name);
    if (!before) {
      push(`column ${name} added (${column.type})`, column.nullable === false);
      continue;
    }
    if (before.type !== column.type) {
      const widening = WIDENINGS[before.type]?.includes(column.type) ?? false;
      push(`column ${name} retyped ${before.type} → ${column.type}`, !widening);
    }
    if ((before.nullable ?? true) !== (column.nullable ?? true))
      push(
        `column ${name} ${column.nullable === false ? "made NOT NULL" : "made nullable"}`,
        column.nullable === false,
      );
  }
  for (const name of oldColumns.keys()) if (!newColumns.has(name)) push(`column ${name} removed`, true);
  const order = (cols: Map<string, unknown>, other: Map<string, unknown>) =>
    [...cols.keys()].filter((n) => other.has(n)).join(",");
  if (order(oldColumns, newColumns) !== order(newColumns, oldColumns)) push("columns reordered", false);
  for (const key of ["primaryKey", "partitionBy"] as const) {
    if (canonical(old[key] ?? []) !== canonical(now[key] ?? []))
      push(`${key} ${canonical(old[key] ?? [])} → ${canonical(now[key] ?? [])}`, true);
  }
  for (const key of ["format", "source"] as const) {
    if (canonical(old[key]) !== canonical(now[key]))
      push(`${key} ${canonical(old[key])} → ${canonical(now[key])}`, key === "source");
  }
  const oldPii = old.pii ?? {};
  const newPii = now.pii ?? {};
  for (const column of keysOf(oldPii, newPii)) {
    const [a, b] = [oldPii[column], newPii[column]];
    if (a === b) continue;
    // Unmasking a column exposes what was masked: the change a privacy reviewer must see.
    if (b === undefined) push(`masking of ${column} removed (was ${a}): the column is stored in clear`, true);
    else if (a === undefined) push(`masking of ${column} added (${b})`, false);
    else push(`masking of ${column} ${a} → ${b}`, true);
  }
  const rules = (t: TableSpec) => (t.quality ?? []).map(canonical);
  const [oldRules, newRules] = [rules(old), rules(now)];
  for (const rule of newRules) if (!oldRules.includes(rule)) push(`quality rule added ${rule}`, false);
  for (const rule of oldRules) if (!newRules.includes(rule)) push(`quality rule removed ${rule}`, false);
  if (canonical(old.incremental) !== canonical(now.incremental))
    push(`incremental ${canonical(old.incremental)} → ${canonical(now.incremental)}`, false);
  if (canonical(old.overrides) !== canonical(now.overrides))
    push(`overrides ${canonical(old.overrides)} → ${canonical(now.overrides)}`, false);
}

/** Lines for the text diff: `! ` for breaking changes. */
export function formatSpecChanges(changes: readonly SpecChange[]): string[] {
  return changes.map(
    (c) => `${c.breaking ? "!" : "*"} ${c.subject}: ${c.message}${c.breaking ? "  [breaking]" : ""}`,
  );
}

function byName<T extends { name: string }>(items: readonly T[]): Map<string, T> {
  return new Map(items.map((item) => [item.name, item]));
}

function keysOf<T extends object>(a: T | undefined, b: T | undefined): (keyof T & string)[] {
  return [...new Set([...Object.keys(a ?? {}), ...Object.keys(b ?? {})])].sort() as (keyof T & string)[];
}

function isSpec(value: unknown): value is LakehouseSpec {
  return isRecord(value) && Array.isArray(value.tables) && typeof value.name === "string";
}
