import type { GoldModelSpec } from "../../components/spec";
import type { Dialect } from "./dialect";
import type { Namespaces, TransformPlan } from "./plan";
import type { SpecType } from "./schema";

type Measure = GoldModelSpec["measures"][number];

/**
 * A gold model as one CREATE OR REPLACE TABLE … AS SELECT: the spec's dimensions, the year and month of
 * its time column (the table's partitions), its measures, ordered and limited. Gold is rebuilt whole
 * from silver on every run, so it is always consistent with silver's soft deletes.
 */
export function goldPlan(
  model: GoldModelSpec,
  fromTable: boolean,
  dialect: Dialect,
  ns: Namespaces,
  measureTypes: ReadonlyMap<string, SpecType> = new Map(),
): TransformPlan {
  const time = model.timePartition;
  const groups = [
    ...model.dimensions,
    ...(time ? [`${dialect.year(time.column)}`, `${dialect.month(time.column)}`] : []),
  ];
  // Partition columns last: a catalog table's partition columns are the last of its schema (Spark's
  // CatalogTable.partitionSchema asserts it; Delta's CREATE OR REPLACE failed there), and schema.ts agrees.
  const select = [
    ...model.dimensions,
    // Cast to the type the catalog declares (schema.ts measureType): the engines' own result types differ
    // (Spark's avg of a decimal(p,s) is decimal(p+4,s+4), DuckDB's a double; their sums widen differently).
    ...model.measures.map((m) => {
      const type = measureTypes.get(m.name);
      const expr = measureExpression(m);
      return `${type ? `CAST(${expr} AS ${dialect.type(type)})` : expr} AS ${m.name}`;
    }),
    ...(time
      ? [`${dialect.year(time.column)} AS ${time.yearAs}`, `${dialect.month(time.column)} AS ${time.monthAs}`]
      : []),
  ];
  const target = `${ns.gold}.${model.name}`;
  const sql = [
    `CREATE OR REPLACE TABLE ${target}`,
    dialect.tableSuffix(time ? [time.yearAs, time.monthAs] : []),
    `AS SELECT ${select.join(", ")} FROM ${ns.silver}.${model.from}`,
    // Views already hold only live rows; silver tables keep soft-deleted ones.
    fromTable ? "WHERE NOT _is_deleted" : "",
    `GROUP BY ${groups.join(", ")}`,
    `ORDER BY ${orderBy(model).join(", ")}`,
    model.limit !== undefined ? `LIMIT ${model.limit}` : "",
  ]
    .filter(Boolean)
    .join(" ");
  return {
    name: model.name,
    stage: "gold",
    steps: [{ name: `${model.name}.build`, kind: "sql", sql, target }],
  };
}

/**
 * The spec's order, then the dimensions and time columns ascending, so ties (and LIMIT) are deterministic.
 * NULLs sort last in both directions, said explicitly: Spark puts them first in ASC order (Spark SQL ORDER BY
 * reference: NULLS FIRST is the ASC default), DuckDB last, which changed what LIMIT kept.
 */
function orderBy(model: GoldModelSpec): string[] {
  const ordered = model.orderBy.map((o) => `${o.column} ${o.direction.toUpperCase()} NULLS LAST`);
  const named = new Set(model.orderBy.map((o) => o.column));
  const time = model.timePartition ? [model.timePartition.yearAs, model.timePartition.monthAs] : [];
  const tieBreakers = [...model.dimensions, ...time]
    .filter((c) => !named.has(c))
    .map((c) => `${c} ASC NULLS LAST`);
  return [...ordered, ...tieBreakers];
}

function measureExpression(measure: Measure): string {
  switch (measure.fn) {
    case "count":
      return measure.column ? `count(${measure.column})` : "count(*)";
    case "count_distinct":
      return `count(DISTINCT ${measure.column})`;
    default:
      return `${measure.fn}(${measure.column})`;
  }
}
