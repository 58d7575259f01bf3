import type { ColumnSpec, GoldModelSpec, LakehouseSpec, TableSpec } from "../../components/spec";
import { ARRIVAL_COLUMNS, liveOrderName, orderColumns } from "./order";
import { silverType } from "./rules";

/**
 * The shapes of the tables the plans write, as spec types, so the catalogs (Glue Iceberg tables, Unity
 * Catalog) declare exactly what the SQL produces and a spec change shows in the plan diff.
 */

export type SpecType = ColumnSpec["type"];

export interface TableColumn {
  readonly name: string;
  readonly type: SpecType;
  /** False for primary-key columns, which the quality gate guarantees. */
  readonly nullable: boolean;
}

/** Silver: the spec's columns (masked ones as strings) and the bookkeeping columns. */
export function silverColumns(table: TableSpec): TableColumn[] {
  return [
    ...table.columns.map((c) => ({
      name: c.name,
      type: silverType(table, c),
      nullable: !table.primaryKey.includes(c.name),
    })),
    { name: "_is_deleted", type: "boolean", nullable: false },
    { name: "_created_at", type: "timestamp", nullable: false },
    { name: "_updated_at", type: "timestamp", nullable: false },
    { name: "_ingested_at", type: "timestamp", nullable: false },
    // The source order of the change the row holds (order.ts): the MERGE's "strictly newer" test.
    { name: "_source_file", type: "string", nullable: false },
    { name: "_source_row", type: "bigint", nullable: false },
    ...liveOrderColumns(table),
  ];
}

/**
 * CDC tables only: the source order of the last live change whose values the row holds (order.ts
 * `orderColumns`, each as `_live_<name>`). A live row's equals its own order; a deleted row keeps the
 * delete's order in the columns above and its last live values' order here (NULL for a tombstone no live
 * change reached yet), so a live change that arrives late, older than the delete but newer than the values,
 * still becomes the deleted row's values: a deleted row holds its key's last live values in source order,
 * however the changes were batched.
 */
export function liveOrderColumns(table: TableSpec): TableColumn[] {
  if (table.source.kind !== "cdc") return [];
  const types = new Map(table.columns.map((c) => [c.name, silverType(table, c)]));
  return orderColumns(table).map(({ name }) => ({
    name: liveOrderName(name),
    type: types.get(name) ?? ARRIVAL_TYPES[name as (typeof ARRIVAL_COLUMNS)[number]],
    nullable: true,
  }));
}

const ARRIVAL_TYPES: Record<(typeof ARRIVAL_COLUMNS)[number], SpecType> = {
  _ingested_at: "timestamp",
  _source_file: "string",
  _source_row: "bigint",
};

/** The ledger of bronze rows a committed bronze → silver run consumed (merged or quarantined). */
export function ledgerColumns(): TableColumn[] {
  return [
    { name: "_source_file", type: "string", nullable: false },
    { name: "_source_row", type: "bigint", nullable: false },
    { name: "_consumed_at", type: "timestamp", nullable: false },
  ];
}

/** Quarantine: the masked columns (any may be NULL, that is often why a row is here) and the failure. */
export function quarantineColumns(table: TableSpec): TableColumn[] {
  return [
    ...table.columns.map((c) => ({ name: c.name, type: silverType(table, c), nullable: true })),
    { name: "_operation", type: "string", nullable: true },
    { name: "_rule", type: "string", nullable: false },
    { name: "_column", type: "string", nullable: false },
    { name: "_ingested_at", type: "timestamp", nullable: true },
    // Which bronze row failed: also what keeps a retried run from quarantining it twice.
    { name: "_source_file", type: "string", nullable: true },
    { name: "_source_row", type: "bigint", nullable: true },
    { name: "_quarantined_at", type: "timestamp", nullable: false },
  ];
}

/** Columns of a silver table or flat view by name, with their silver types. */
export function relationColumns(spec: LakehouseSpec, relation: string): Map<string, SpecType> {
  const tables = new Map(spec.tables.map((t) => [t.name, t]));
  const typed = (t: TableSpec) => t.columns.map((c) => [c.name, silverType(t, c)] as const);
  const table = tables.get(relation);
  if (table) return new Map(typed(table));
  const view = spec.views.find((v) => v.name === relation);
  const base = view && tables.get(view.from);
  if (!view || !base) throw new Error(`transform: "${relation}" is not a table or view of the spec`);
  const columns = new Map(typed(base));
  for (const join of view.joins) {
    const joined = tables.get(join.table);
    if (!joined)
      throw new Error(`transform: view "${view.name}" joins "${join.table}", not a table of the spec`);
    for (const [name, type] of typed(joined)) columns.set(`${joined.name}_${name}`, type);
  }
  return columns;
}

/** A flat view's columns, in the order the view selects them. */
export function viewColumns(spec: LakehouseSpec, view: string): TableColumn[] {
  return [...relationColumns(spec, view)].map(([name, type]) => ({ name, type, nullable: true }));
}

/** Gold: dimensions, the time partition columns, then measures, typed as the SQL computes them. */
export function goldColumns(spec: LakehouseSpec, model: GoldModelSpec): TableColumn[] {
  const source = relationColumns(spec, model.from);
  const typeOf = (column: string): SpecType => {
    const type = source.get(column);
    if (!type)
      throw new Error(`transform: gold model "${model.name}" reads "${column}", not in ${model.from}`);
    return type;
  };
  const time = model.timePartition;
  return [
    ...model.dimensions.map((d) => ({ name: d, type: typeOf(d), nullable: true })),
    ...model.measures.map((m) => ({
      name: m.name,
      type: measureType(m.fn, m.column ? typeOf(m.column) : undefined),
      nullable: m.fn !== "count" && m.fn !== "count_distinct",
    })),
    // The partition columns last, as the gold statement writes them (gold.ts).
    ...(time
      ? [
          { name: time.yearAs, type: "int" as const, nullable: true },
          { name: time.monthAs, type: "int" as const, nullable: true },
        ]
      : []),
  ];
}

/** Spark's result types: counts are bigint, avg is double, sum widens decimals by 10 digits (max 38). */
export function measureType(
  fn: GoldModelSpec["measures"][number]["fn"],
  input: SpecType | undefined,
): SpecType {
  if (fn === "count" || fn === "count_distinct") return "bigint";
  if (fn === "avg") return "double";
  if (!input) throw new Error(`transform: measure ${fn} needs a column`);
  if (fn === "min" || fn === "max") return input;
  const decimal = /^decimal\((\d+),(\d+)\)$/.exec(input);
  if (decimal) return `decimal(${Math.min(38, Number(decimal[1]) + 10)},${decimal[2]})`;
  if (input === "int" || input === "bigint") return "bigint";
  return "double";
}
