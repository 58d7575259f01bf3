import type { TableSpec, ViewSpec } from "../../components/spec";
import type { Dialect } from "./dialect";
import type { Namespaces, TransformPlan } from "./plan";

/**
 * A flat view (seed 001's BuildReviewFlat): the base table's columns, then every joined table's columns
 * as `<table>_<column>`, over live (not soft-deleted) silver rows. It is materialised as a table, because
 * the Glue Iceberg catalog has no Spark views and gold reads it many times.
 */
export function viewPlan(
  view: ViewSpec,
  tables: ReadonlyMap<string, TableSpec>,
  dialect: Dialect,
  ns: Namespaces,
): TransformPlan {
  const base = requireTable(tables, view.from, view.name);
  const select = base.columns.map((c) => `${base.name}.${c.name} AS ${c.name}`);
  const joins: string[] = [];
  for (const join of view.joins) {
    const right = requireTable(tables, join.table, view.name);
    const left = join.via ?? base.name;
    const rightColumn = join.rightColumn ?? join.leftColumn;
    select.push(...right.columns.map((c) => `${right.name}.${c.name} AS ${right.name}_${c.name}`));
    joins.push(
      `LEFT JOIN (SELECT * FROM ${ns.silver}.${right.name} WHERE NOT _is_deleted) AS ${right.name} ` +
        `ON ${left}.${join.leftColumn} = ${right.name}.${rightColumn}`,
    );
  }
  const target = `${ns.silver}.${view.name}`;
  const sql = [
    `CREATE OR REPLACE TABLE ${target}`,
    dialect.tableSuffix([]),
    `AS SELECT ${select.join(", ")} FROM ${ns.silver}.${base.name} AS ${base.name}`,
    ...joins,
    `WHERE NOT ${base.name}._is_deleted`,
  ]
    .filter(Boolean)
    .join(" ");
  return {
    name: view.name,
    stage: "views",
    steps: [{ name: `${view.name}.build`, kind: "sql", sql, target }],
  };
}

function requireTable(tables: ReadonlyMap<string, TableSpec>, name: string, view: string): TableSpec {
  const table = tables.get(name);
  if (!table) throw new Error(`transform: view "${view}" reads "${name}", which is not a table of the spec`);
  return table;
}
