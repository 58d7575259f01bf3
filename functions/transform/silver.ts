import type { TableSpec } from "../../components/spec";
import type { Dialect } from "./dialect";
import { firstFailure, maskExpression, rowChecks } from "./rules";
import { quarantineColumns, silverColumns, type TableColumn } from "./schema";
import type { Namespaces, PlanStep, TransformPlan } from "./plan";

/**
 * Bronze → silver for one table, as five ordered statements:
 * 1-2. create the silver table and its quarantine table when missing;
 * 3. stage the new bronze rows (past the high-water mark) typed, judged by the quality rules and masked,
 *    into a real table, so the later steps read one consistent batch (a view would re-read bronze after
 *    the merge has moved the mark);
 * 4. append the rows that failed a rule to the quarantine, with the rule and column;
 * 5. MERGE the rest, deduplicated by primary key keeping the latest `_ingested_at`: inserts and updates
 *    upsert, CDC deletes set `_is_deleted` (soft delete), a later re-insert revives the row.
 * Silver adds `_is_deleted`, `_created_at`, `_updated_at` (processing times) and `_ingested_at`; the
 * underscore keeps them apart from source columns such as the dev spec's own `created_at`/`updated_at`.
 */

/** CDC operation values that mean delete (Debezium/DMS style single letters too). */
const DELETE_VALUES = ["delete", "d"];

export function silverPlan(
  table: TableSpec,
  dialect: Dialect,
  ns: Namespaces,
  bronze: string,
): TransformPlan {
  const silver = `${ns.silver}.${table.name}`;
  const quarantine = `${ns.quarantine}.${table.name}`;
  const stage = `${ns.silver}._stage_${table.name}`;
  const columns = table.columns.map((c) => c.name);
  const definitions = (list: TableColumn[]) =>
    list.map((c) => `${c.name} ${dialect.type(c.type)}`).join(", ");

  const steps: PlanStep[] = [
    {
      name: `${table.name}.create_silver`,
      kind: "sql",
      sql: [
        `CREATE TABLE IF NOT EXISTS ${silver} (${definitions(silverColumns(table))})`,
        dialect.tableSuffix(table.partitionBy),
      ]
        .filter(Boolean)
        .join(" "),
    },
    {
      name: `${table.name}.create_quarantine`,
      kind: "sql",
      sql: [
        `CREATE TABLE IF NOT EXISTS ${quarantine} (${definitions(quarantineColumns(table))})`,
        dialect.tableSuffix([]),
      ]
        .filter(Boolean)
        .join(" "),
    },
    {
      name: `${table.name}.stage`,
      kind: "sql",
      target: stage,
      sql: [
        `CREATE OR REPLACE TABLE ${stage}`,
        dialect.tableSuffix([]),
        "AS",
        stageSelect(table, dialect, silver, quarantine, bronze),
      ]
        .filter(Boolean)
        .join(" "),
    },
    {
      name: `${table.name}.quarantine`,
      kind: "sql",
      target: quarantine,
      sql:
        `INSERT INTO ${quarantine} (${[...columns, "_operation", "_rule", "_column", "_ingested_at", "_quarantined_at"].join(", ")}) ` +
        `SELECT ${[...columns, "_operation", "_rule", "_column", "_ingested_at", dialect.now].join(", ")} ` +
        `FROM ${stage} WHERE _rule IS NOT NULL`,
    },
    {
      name: `${table.name}.merge`,
      kind: "sql",
      target: silver,
      sql: mergeStatement(table, dialect, silver, stage),
    },
  ];
  return { name: table.name, stage: "silver", steps };
}

function isDeleteOf(dialect: Dialect, expr: string): string {
  return `${expr} IN (${DELETE_VALUES.map(dialect.literal).join(", ")})`;
}

function stageSelect(
  table: TableSpec,
  dialect: Dialect,
  silver: string,
  quarantine: string,
  bronze: string,
): string {
  const text = (expr: string) => `NULLIF(TRIM(${dialect.toText(expr)}), '')`;
  const typed = table.columns.map((c) =>
    c.type === "string"
      ? `${text(c.name)} AS ${c.name}`
      : `${dialect.tryCast(text(c.name), c.type)} AS ${c.name}`,
  );
  const raw = table.columns
    .filter((c) => c.type !== "string")
    .map((c) => `${text(c.name)} AS _raw_${c.name}`);
  const operation =
    table.source.kind === "cdc" ? `lower(${text(table.source.operationField)})` : dialect.literal("upsert");
  const checks = rowChecks(dialect, table, {
    raw: (c) => `_raw_${c}`,
    ...(table.source.kind === "cdc" ? { isDelete: isDeleteOf(dialect, "_operation") } : {}),
  });
  const masked = table.columns.map((c) => {
    const rule = table.pii[c.name];
    return rule ? `${maskExpression(dialect, rule, c.name)} AS ${c.name}` : c.name;
  });
  const epoch = `CAST('1970-01-01 00:00:00' AS ${dialect.type("timestamp")})`;
  // Incremental runs read past the high-water mark of what silver and the quarantine already hold.
  const since =
    table.incremental?.strategy === "full"
      ? ""
      : ` WHERE CAST(_ingested_at AS ${dialect.type("timestamp")}) > (SELECT COALESCE(max(mark), ${epoch}) FROM (` +
        `SELECT max(_ingested_at) AS mark FROM ${silver} UNION ALL SELECT max(_ingested_at) AS mark FROM ${quarantine}) AS marks)`;
  return (
    `SELECT ${[...masked, "_operation", "_ingested_at", "_rule", "_column"].join(", ")} FROM (` +
    `SELECT typed.*, ${firstFailure(checks, "rule", dialect)} AS _rule, ${firstFailure(checks, "column", dialect)} AS _column FROM (` +
    `SELECT ${[...typed, ...raw, `${operation} AS _operation`, `CAST(_ingested_at AS ${dialect.type("timestamp")}) AS _ingested_at`].join(", ")} ` +
    `FROM ${bronze}${since}) AS typed) AS checked`
  );
}

function mergeStatement(table: TableSpec, dialect: Dialect, silver: string, stage: string): string {
  const columns = table.columns.map((c) => c.name);
  const keys = table.primaryKey;
  const latest =
    `SELECT ${[...columns, "_operation", "_ingested_at"].join(", ")} FROM (` +
    `SELECT ${[...columns, "_operation", "_ingested_at"].join(", ")}, row_number() OVER (PARTITION BY ${keys.join(", ")} ORDER BY _ingested_at DESC) AS _rank ` +
    `FROM ${stage} WHERE _rule IS NULL) AS ranked WHERE _rank = 1`;
  const isDelete = isDeleteOf(dialect, "source._operation");
  // Only a strictly newer record changes a row, so replaying a batch (strategy full) changes nothing.
  const newer = "source._ingested_at > target._ingested_at";
  const updates = columns.filter((c) => !keys.includes(c)).map((c) => `${c} = source.${c}`);
  return [
    `MERGE INTO ${silver} AS target USING (${latest}) AS source`,
    `ON ${keys.map((k) => `target.${k} = source.${k}`).join(" AND ")}`,
    `WHEN MATCHED AND ${newer} AND ${isDelete} THEN UPDATE SET _is_deleted = TRUE, _updated_at = ${dialect.now}, _ingested_at = source._ingested_at`,
    `WHEN MATCHED AND ${newer} THEN UPDATE SET ${[...updates, "_is_deleted = FALSE", `_updated_at = ${dialect.now}`, "_ingested_at = source._ingested_at"].join(", ")}`,
    `WHEN NOT MATCHED AND NOT (${isDelete}) THEN INSERT (${[...columns, "_is_deleted", "_created_at", "_updated_at", "_ingested_at"].join(", ")})`,
    `VALUES (${[...columns.map((c) => `source.${c}`), "FALSE", dialect.now, dialect.now, "source._ingested_at"].join(", ")})`,
  ].join(" ");
}
