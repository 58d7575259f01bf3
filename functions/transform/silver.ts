import type { TableSpec } from "../../components/spec";
import { createTableStep } from "./ddl";
import type { Dialect } from "./dialect";
import {
  ARRIVAL_COLUMNS,
  declaredOrderColumns,
  laterInOrder,
  liveOrderName,
  newestFirst,
  orderColumns,
  strictlyNewer,
} from "./order";
import { HASH_KEY_RELATION, type Namespaces, type PlanStep, type TransformPlan } from "./plan";
import { firstFailure, maskExpression, rowChecks } from "./rules";
import { ledgerColumns, quarantineColumns, silverColumns } from "./schema";

/**
 * Bronze → silver for one table, exactly once per bronze row, whatever its `_ingested_at`, whatever order
 * files land in, and whichever step a run fails at before it is retried:
 * 1-3. create silver, its quarantine and its ledger of consumed bronze rows when missing, or evolve them to
 *    the spec's columns (ddl.ts: added columns added, removed or retyped ones refused unless migrated);
 * 4. stage the bronze rows not in the ledger (all of bronze for `strategy: full`), typed, judged by the
 *    quality rules and masked, into this run's own session-local relation, materialised once (a view
 *    would re-read bronze after new files land, a shared table would be clobbered by an overlapping run);
 * 5. MERGE the failures into the quarantine, keyed by `(_source_file, _source_row)`: a retried or
 *    overlapping run never records a row twice;
 * 6. MERGE the rest, deduplicated by primary key keeping the newest change in source order (order.ts);
 *    only a strictly newer change touches a row, so merging a change again changes nothing: inserts and
 *    updates upsert, CDC deletes set `_is_deleted` (a delete of an unknown key leaves a deleted tombstone
 *    holding its order, so an older change arriving later cannot revive it), a newer re-insert revives;
 * 7. append the staged rows to the ledger, LAST: until it commits, a retry stages the rows again and
 *    steps 5-6 make that harmless; after it commits, they are never staged again;
 * 8. drop the staging relation.
 * Silver adds `_is_deleted`, `_created_at`, `_updated_at` (processing times) and the arrival columns; the
 * underscore keeps them apart from source columns such as the dev spec's own `created_at`/`updated_at`.
 */

/** CDC operation values (lower-cased) that mean delete, and every known one (DMS writes I/U/D). */
const DELETE_VALUES = ["delete", "d"];
const KNOWN_OPERATIONS = ["insert", "update", "delete", "i", "u", "d"];

export function silverPlan(
  table: TableSpec,
  dialect: Dialect,
  ns: Namespaces,
  bronze: string,
): TransformPlan {
  const silver = `${ns.silver}.${table.name}`;
  const quarantine = `${ns.quarantine}.${table.name}`;
  const ledger = table.incremental?.strategy === "full" ? undefined : `${ns.silver}._consumed_${table.name}`;
  // Session-local (see PlanStep.temporary): each run has its own, whatever else runs at the same time.
  const stage = `_stage_${table.name}`;
  const hashed = Object.values(table.pii).includes("hash");

  const migrations = table.migrations ?? [];
  const steps: PlanStep[] = [
    createTableStep(
      `${table.name}.create_silver`,
      silver,
      silverColumns(table),
      dialect,
      table.partitionBy,
      migrations,
    ),
    createTableStep(
      `${table.name}.create_quarantine`,
      quarantine,
      quarantineColumns(table),
      dialect,
      [],
      migrations,
    ),
    ...(ledger ? [createTableStep(`${table.name}.create_ledger`, ledger, ledgerColumns(), dialect)] : []),
    {
      name: `${table.name}.stage`,
      kind: "sql",
      temporary: stage,
      sql: stageSelect(table, dialect, bronze, ledger),
      ...(hashed ? { inputs: ["hash_key" as const] } : {}),
    },
    {
      name: `${table.name}.quarantine`,
      kind: "sql",
      target: quarantine,
      sql: quarantineStatement(table, dialect, quarantine, stage),
    },
    {
      name: `${table.name}.merge`,
      kind: "sql",
      target: silver,
      sql: mergeStatement(table, dialect, silver, stage),
    },
    ...(ledger
      ? [
          {
            name: `${table.name}.ledger`,
            kind: "sql" as const,
            target: ledger,
            // A plain append: the staged rows were not in the ledger when staged; an overlapping run may
            // append the same row again, which only repeats a fact (the stage's NOT EXISTS reads it the same).
            sql:
              `INSERT INTO ${ledger} (_source_file, _source_row, _consumed_at) ` +
              `SELECT _source_file, _source_row, ${dialect.now} FROM ${stage}`,
          },
        ]
      : []),
    { name: `${table.name}.drop_stage`, kind: "sql", sql: dialect.dropTemporary(stage) },
  ];
  return { name: table.name, stage: "silver", steps };
}

function isDeleteOf(dialect: Dialect, expr: string): string {
  return `${expr} IN (${DELETE_VALUES.map(dialect.literal).join(", ")})`;
}

function stageSelect(table: TableSpec, dialect: Dialect, bronze: string, ledger: string | undefined): string {
  const text = (expr: string) => `NULLIF(TRIM(${dialect.toText(expr)}), '')`;
  const typed = table.columns.map((c) =>
    c.type === "string"
      ? `${text(c.name)} AS ${c.name}`
      : `${dialect.tryCast(text(c.name), c.type)} AS ${c.name}`,
  );
  const raw = table.columns
    .filter((c) => c.type !== "string")
    .map((c) => `${text(c.name)} AS _raw_${c.name}`);
  const cdc = table.source.kind === "cdc" ? table.source : undefined;
  const operation = cdc ? `lower(${text(cdc.operationField)})` : dialect.literal("upsert");
  const checks = rowChecks(dialect, table, {
    raw: (c) => `_raw_${c}`,
    ...(cdc
      ? {
          isDelete: isDeleteOf(dialect, "_operation"),
          operation: {
            column: cdc.operationField,
            isKnown: `_operation IN (${KNOWN_OPERATIONS.map(dialect.literal).join(", ")})`,
          },
        }
      : {}),
  });
  const masked = table.columns.map((c) => {
    const rule = table.pii[c.name];
    return rule ? `${maskExpression(dialect, rule, c.name)} AS ${c.name}` : c.name;
  });
  const arrival = [
    `CAST(bronze._ingested_at AS ${dialect.type("timestamp")}) AS _ingested_at`,
    `${dialect.toText("bronze._source_file")} AS _source_file`,
    `CAST(bronze._source_row AS ${dialect.type("bigint")}) AS _source_row`,
  ];
  // Not yet consumed: the ledger holds every row a committed run staged, good or bad.
  const unconsumed = ledger
    ? ` WHERE NOT EXISTS (SELECT 1 FROM ${ledger} AS consumed WHERE consumed._source_file = ${dialect.toText("bronze._source_file")} ` +
      `AND consumed._source_row = CAST(bronze._source_row AS ${dialect.type("bigint")}))`
    : "";
  const key = Object.values(table.pii).includes("hash") ? ` CROSS JOIN ${HASH_KEY_RELATION}` : "";
  return (
    `SELECT ${[...masked, "_operation", ...ARRIVAL_COLUMNS, "_rule", "_column"].join(", ")} FROM (` +
    `SELECT typed.*, ${firstFailure(checks, "rule", dialect)} AS _rule, ${firstFailure(checks, "column", dialect)} AS _column FROM (` +
    `SELECT ${[...typed, ...raw, `${operation} AS _operation`, ...arrival].join(", ")} ` +
    `FROM ${bronze} AS bronze${unconsumed}) AS typed) AS checked${key}`
  );
}

function quarantineStatement(table: TableSpec, dialect: Dialect, quarantine: string, stage: string): string {
  const columns = [...table.columns.map((c) => c.name), "_operation", "_rule", "_column", ...ARRIVAL_COLUMNS];
  return [
    `MERGE INTO ${quarantine} AS target USING (SELECT ${columns.join(", ")} FROM ${stage} WHERE _rule IS NOT NULL) AS source`,
    "ON target._source_file = source._source_file AND target._source_row = source._source_row",
    // A no-op update keeps this a full MERGE: Spark rewrites an insert-only MERGE as a plain append
    // (RewriteMergeIntoTable, Apache Spark 3.5), which skips Iceberg's and Delta's conflict checks, so two
    // overlapping runs would both insert the same rejected row (found by the model histories on Iceberg).
    "WHEN MATCHED THEN UPDATE SET _rule = target._rule",
    `WHEN NOT MATCHED THEN INSERT (${[...columns, "_quarantined_at"].join(", ")})`,
    `VALUES (${[...columns.map((c) => `source.${c}`), dialect.now].join(", ")})`,
  ].join(" ");
}

function mergeStatement(table: TableSpec, dialect: Dialect, silver: string, stage: string): string {
  const columns = table.columns.map((c) => c.name);
  const keys = table.primaryKey;
  const selected = [...columns, "_operation", ...ARRIVAL_COLUMNS].join(", ");
  const ranked = (where: string, names: string, outer = names) =>
    `SELECT ${outer} FROM (` +
    `SELECT ${names}, row_number() OVER (PARTITION BY ${keys.join(", ")} ORDER BY ${newestFirst(table)}) AS _rank ` +
    `FROM ${stage} WHERE ${where}) AS ranked WHERE _rank = 1`;
  const latest = ranked("_rule IS NULL", selected);
  const newer = strictlyNewer(table, "source", "target");
  const set = (names: readonly string[]) => names.map((c) => `${c} = source.${c}`);
  const order = declaredOrderColumns(table);
  const updates = columns.filter((c) => !keys.includes(c));
  const now = dialect.now;
  const cdc = table.source.kind === "cdc";
  // CDC: each key's newest change, and beside it the batch's newest live (not delete) change (`_l_*`), whose
  // values a delete keeps; `_live_*` columns hold the order of the values a row holds (schema.ts).
  const liveOrder = orderColumns(table).map((c) => c.name);
  const live = (c: string) => `_l${c.startsWith("_") ? "" : "_"}${c}`;
  const carried = [...new Set([...columns, ...liveOrder])];
  const lastLive = ranked(
    `_rule IS NULL AND NOT ${isDeleteOf(dialect, "_operation")}`,
    carried.map((c) => `${c} AS ${live(c)}`).join(", "),
    carried.map(live).join(", "),
  );
  const source = cdc
    ? `SELECT newest.*, ${carried.map((c) => `lastLive.${live(c)}`).join(", ")} FROM (${latest}) AS newest ` +
      `LEFT JOIN (${lastLive}) AS lastLive ON ${keys.map((k) => `newest.${k} = lastLive.${live(k)}`).join(" AND ")}`
    : latest;
  // Every column is listed (a tombstone's data columns as NULL): Iceberg's MERGE aligns an INSERT by its
  // column list, and a list with every column reads the same on Iceberg, Delta and DuckDB.
  const keptByDelete = new Set([...keys, ...order]);
  const liveColumns = cdc ? liveOrder.map(liveOrderName) : [];
  const insert = (deleted: boolean) =>
    `INSERT (${[...columns, "_is_deleted", "_created_at", "_updated_at", ...ARRIVAL_COLUMNS, ...liveColumns].join(", ")}) ` +
    `VALUES (${[
      // A delete of a key not in silver keeps the batch's last live values (NULL when it has none).
      ...columns.map((c) => (!deleted || keptByDelete.has(c) ? `source.${c}` : `source.${live(c)}`)),
      deleted ? "TRUE" : "FALSE",
      now,
      now,
      ...ARRIVAL_COLUMNS.map((c) => `source.${c}`),
      ...(cdc ? liveOrder.map((c) => `source.${deleted ? live(c) : c}`) : []),
    ].join(", ")})`;
  if (!cdc)
    return [
      `MERGE INTO ${silver} AS target USING (${source}) AS source`,
      `ON ${keys.map((k) => `target.${k} = source.${k}`).join(" AND ")}`,
      `WHEN MATCHED AND ${newer} THEN UPDATE SET ${[...set(updates), `_updated_at = ${now}`, ...set(ARRIVAL_COLUMNS)].join(", ")}`,
      `WHEN NOT MATCHED THEN ${insert(false)}`,
    ].join(" ");
  // The batch's last live change is newer than the values the row holds (none held: any is newer).
  const liveIsNewer =
    `(source.${live(keys[0]!)} IS NOT NULL AND (target.${liveOrderName(liveOrder[0]!)} IS NULL OR ` +
    `${laterInOrder(
      orderColumns(table),
      (c) => `source.${live(c)}`,
      (c) => `target.${liveOrderName(c)}`,
    )}))`;
  const values = updates.filter((c) => !keptByDelete.has(c));
  const takeLive = (names: readonly string[], targetName: (c: string) => string) =>
    names.map(
      (c) =>
        `${targetName(c)} = CASE WHEN ${liveIsNewer} THEN source.${live(c)} ELSE target.${targetName(c)} END`,
    );
  return [
    `MERGE INTO ${silver} AS target USING (${source}) AS source`,
    `ON ${keys.map((k) => `target.${k} = source.${k}`).join(" AND ")}`,
    `WHEN MATCHED AND ${newer} AND ${isDeleteOf(dialect, "source._operation")} THEN UPDATE SET ${[
      "_is_deleted = TRUE",
      ...set(order.filter((c) => !keys.includes(c))),
      ...takeLive(values, (c) => c),
      ...takeLive(liveOrder, liveOrderName),
      `_updated_at = ${now}`,
      ...set(ARRIVAL_COLUMNS),
    ].join(", ")}`,
    `WHEN MATCHED AND ${newer} THEN UPDATE SET ${[
      ...set(updates),
      "_is_deleted = FALSE",
      `_updated_at = ${now}`,
      ...set(ARRIVAL_COLUMNS),
      ...liveOrder.map((c) => `${liveOrderName(c)} = source.${c}`),
    ].join(", ")}`,
    // A live change older than the row's delete but newer than its values (it arrived late): the deleted
    // row's values become it, its delete and order stay.
    `WHEN MATCHED AND target._is_deleted AND ${liveIsNewer} THEN UPDATE SET ${[
      ...values.map((c) => `${c} = source.${live(c)}`),
      ...liveOrder.map((c) => `${liveOrderName(c)} = source.${live(c)}`),
      `_updated_at = ${now}`,
    ].join(", ")}`,
    `WHEN NOT MATCHED AND ${isDeleteOf(dialect, "source._operation")} THEN ${insert(true)}`,
    `WHEN NOT MATCHED THEN ${insert(false)}`,
  ].join(" ");
}
