import type { TableSpec } from "../../components/spec";

/**
 * The source order of a table's changes (the bronze row contract): the declared order columns, then the
 * arrival of the change's file (`_ingested_at`, then `_source_file`) and its position in the file
 * (`_source_row`). `(_source_file, _source_row)` is unique, so there are no ties.
 */

/** Bookkeeping columns every bronze row carries after its data columns (written by the converter). */
export const ARRIVAL_COLUMNS = ["_ingested_at", "_source_file", "_source_row"] as const;

export interface OrderColumn {
  readonly name: string;
  /** A NULL sorts first (oldest); only the watermark column may be NULL, the rest are never NULL in silver. */
  readonly nullable: boolean;
}

/**
 * The columns that order a table's changes, most significant first:
 * - CDC: `source.sequenceBy` (required on every change, deletes included);
 * - other sources (no deletes): `incremental.watermarkColumn` when set, so an older version (by that
 *   column) never replaces a newer one however late it arrives; a CDC table's watermark column is not an
 *   order (a key-only delete has none), declare `sequenceBy` instead;
 * - then the arrival order.
 */
export function orderColumns(table: TableSpec): OrderColumn[] {
  const declared =
    table.source.kind === "cdc"
      ? table.source.sequenceBy.map((name) => ({ name, nullable: false }))
      : table.incremental?.watermarkColumn
        ? [{ name: table.incremental.watermarkColumn, nullable: true }]
        : [];
  return [...declared, ...ARRIVAL_COLUMNS.map((name) => ({ name, nullable: false }))];
}

/** The spec's own columns among the order columns (stored as silver data columns). */
export function declaredOrderColumns(table: TableSpec): string[] {
  const arrival = new Set<string>(ARRIVAL_COLUMNS);
  return orderColumns(table)
    .map((c) => c.name)
    .filter((name) => !arrival.has(name));
}

/** `ORDER BY` items putting the newest change first (NULL watermark values last, being oldest). */
export function newestFirst(table: TableSpec): string {
  return orderColumns(table)
    .map((c) => `${c.name} DESC${c.nullable ? " NULLS LAST" : ""}`)
    .join(", ");
}

/**
 * True when the change in `source` comes strictly after the row in `target` in source order: a
 * lexicographic comparison spelled out, so NULLs (oldest) compare the same on Spark and DuckDB.
 */
export function strictlyNewer(table: TableSpec, source: string, target: string): string {
  return laterInOrder(
    orderColumns(table),
    (name) => `${source}.${name}`,
    (name) => `${target}.${name}`,
  );
}

/**
 * True when the order held by `left(name)` comes strictly after `right(name)` (each order column under the
 * names the two sides give it): the lexicographic comparison `strictlyNewer` spells out.
 */
export function laterInOrder(
  columns: readonly OrderColumn[],
  left: (name: string) => string,
  right: (name: string) => string,
): string {
  let rest = "";
  for (let i = columns.length - 1; i >= 0; i--) {
    const { name, nullable } = columns[i];
    const s = left(name);
    const t = right(name);
    const greater = nullable ? `${s} > ${t} OR (${s} IS NOT NULL AND ${t} IS NULL)` : `${s} > ${t}`;
    const equal = nullable ? `(${s} = ${t} OR (${s} IS NULL AND ${t} IS NULL))` : `${s} = ${t}`;
    rest = rest ? `(${greater} OR (${equal} AND ${rest}))` : `(${greater})`;
  }
  return rest;
}

/** `_live_<name>`: the silver column holding the order of a row's last live values (schema.ts `liveOrderColumns`). */
export function liveOrderName(name: string): string {
  return `_live${name.startsWith("_") ? "" : "_"}${name}`;
}
