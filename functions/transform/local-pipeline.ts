import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import * as fs from "node:fs/promises";
import * as path from "node:path";
import type { LakehouseSpec } from "../../components/spec";
import { convert } from "../lib/convert/convert";
import { DirectorySink } from "../lib/convert/sinks";
import { createNamespaces, countRows, runPlans } from "./duckdb-runner";
import { buildTransformPlans, type Namespaces, type TransformPlan } from "./index";

/**
 * The whole pipeline on one machine: raw files → the converter (the same code as the cloud's Lambda/ECS)
 * → bronze Parquet in Hive partitions → the generated DuckDB SQL → silver, quarantine, flat views, gold,
 * all in a DuckDB file under `dir`, so a later batch merges into what the earlier ones built.
 */

export const LOCAL_NAMESPACES: Namespaces = {
  bronze: "bronze",
  silver: "silver",
  gold: "gold",
  quarantine: "quarantine",
};

/** The DuckDB file of a local lake, and where the converter writes bronze. */
export const lakeFile = (dir: string): string => path.join(dir, "lake.duckdb");
export const bronzeRootOf = (dir: string): string => path.join(dir, "bronze");

/** One raw object arriving, as the cloud's control record describes it. */
export interface Arrival {
  readonly table: string;
  /**
   * Opens the object's bytes, gzip or plain (the converter tells them apart by the gzip magic bytes), as a
   * stream: the converter holds one batch of rows, whatever the file's size.
   */
  readonly open: () => AsyncIterable<Uint8Array>;
  /** The control id: its hash names the bronze files, so converting the same id again overwrites them. */
  readonly controlId: string;
  /** When the object arrived (the control record's createdAt): every row's `_ingested_at`. */
  readonly ingestedAt: Date;
}

/** What the converter did with one arrival. */
export interface ConvertedArrival {
  readonly arrival: Arrival;
  readonly rowsIn: number;
  readonly rowsWritten: number;
  readonly rowsQuarantined: number;
  /** The converter's quarantine records of this arrival (`{ line, reason, raw }`). */
  readonly quarantine: readonly ConverterQuarantineRecord[];
}

/** One line of the converter's quarantine files (`bronze/_quarantine/<table>/.../*.jsonl`). */
export interface ConverterQuarantineRecord {
  readonly line: number;
  readonly reason: string;
  readonly raw: string;
}

export interface BatchOptions {
  readonly spec: LakehouseSpec;
  /** Working directory: bronze/ and lake.duckdb live here. */
  readonly dir: string;
  /** Name of the batch (the summary). */
  readonly batch: string;
  /** The batch's raw objects, converted in this order. */
  readonly arrivals: readonly Arrival[];
  /** An open connection to `lake.duckdb` under `dir`; one is opened and closed when absent. */
  readonly connection?: DuckDBConnection;
  /** Called after each arrival is converted, before the next (the CLI's ledger marks it converted). */
  readonly onConverted?: (converted: ConvertedArrival) => Promise<void>;
  /** Gold rows returned per model in the summary. @default 3 */
  readonly sampleRows?: number;
}

export interface TableSummary {
  /** Records the converter read in this batch (written + quarantined). */
  readonly raw: number;
  /** Rows the converter wrote to bronze in this batch, and those it could not read or coerce. */
  readonly bronze: number;
  readonly bronzeQuarantined: number;
  /** Silver after the batch: live rows and soft-deleted ones. */
  readonly silver: number;
  readonly silverDeleted: number;
  /** What this batch's MERGE did: rows it inserted, updated and soft-deleted. */
  readonly merged: { readonly inserted: number; readonly updated: number; readonly deleted: number };
}

export interface BatchSummary {
  readonly batch: string;
  readonly tables: Record<string, TableSummary>;
  /** Rows the converter quarantined in this batch, by `table: reason` (values elided). */
  readonly bronzeQuarantinedByReason: Record<string, number>;
  /** Rows in the silver quarantine by `table.rule(column)`, all batches so far. */
  readonly quarantinedByRule: Record<string, number>;
  readonly views: Record<string, number>;
  readonly gold: Record<string, number>;
  /** The first rows of each gold model, as JSON-friendly objects. */
  readonly goldSamples: Record<string, Record<string, unknown>[]>;
}

/** An open local lake: the DuckDB file under `dir`, in UTC with the layer schemas created. */
export interface Lake {
  readonly connection: DuckDBConnection;
  close(): void;
}

/** Opens (creating when missing) the lake of `dir`; `readOnly` opens an existing one without writing to it. */
export async function openLake(dir: string, options: { readOnly?: boolean } = {}): Promise<Lake> {
  const instance = await DuckDBInstance.create(
    lakeFile(dir),
    options.readOnly ? { access_mode: "READ_ONLY" } : undefined,
  );
  const connection = await instance.connect();
  await connection.run("SET TimeZone = 'UTC'");
  if (!options.readOnly) await createNamespaces(connection, LOCAL_NAMESPACES);
  return {
    connection,
    close: () => {
      connection.closeSync();
      instance.closeSync();
    },
  };
}

/** Runs one batch end to end (convert every arrival, then silver, views, gold) and returns what each layer holds. */
export async function runLocalBatch(options: BatchOptions): Promise<BatchSummary> {
  const converted: ConvertedArrival[] = [];
  for (const arrival of options.arrivals) {
    const result = await convertArrival(options.spec, options.dir, arrival);
    await options.onConverted?.(result);
    converted.push(result);
  }
  const lake = options.connection ? undefined : await openLake(options.dir);
  const connection = options.connection ?? lake!.connection;
  try {
    await transformLake(connection, options.spec, options.dir);
    return await summarizeLake(connection, options, converted);
  } finally {
    lake?.close();
  }
}

/** Converts one arrival into bronze under `dir` with the cloud's converter, and reads back its quarantine. */
export async function convertArrival(
  spec: LakehouseSpec,
  dir: string,
  arrival: Arrival,
): Promise<ConvertedArrival> {
  const table = spec.tables.find((t) => t.name === arrival.table);
  if (!table) throw new Error(`pipeline: no table "${arrival.table}" in the spec`);
  const bronzeRoot = bronzeRootOf(dir);
  const result = await convert({
    table,
    source: arrival.open(),
    sink: new DirectorySink(bronzeRoot),
    controlId: arrival.controlId,
    ingestedAt: arrival.ingestedAt,
  });
  const quarantine: ConverterQuarantineRecord[] = [];
  for (const key of result.quarantine) {
    // The directory sink reports where it wrote (a path); keys relative to the root otherwise.
    const file = path.isAbsolute(key) ? key : path.join(bronzeRoot, ...key.split("/"));
    quarantine.push(...parseQuarantineLines(await fs.readFile(file, "utf8")));
  }
  return {
    arrival,
    rowsIn: result.rowsIn,
    rowsWritten: result.rowsWritten,
    rowsQuarantined: result.rowsQuarantined,
    quarantine,
  };
}

/** The records of one converter quarantine file (JSON lines of `{ line, reason, raw }`). */
export function parseQuarantineLines(text: string): ConverterQuarantineRecord[] {
  return text
    .split("\n")
    .filter(Boolean)
    .map((line) => {
      const record = JSON.parse(line) as Partial<ConverterQuarantineRecord>;
      return { line: Number(record.line), reason: String(record.reason), raw: String(record.raw ?? "") };
    });
}

/**
 * Bronze → silver for every table, then the flat views and gold. A table with no bronze file yet only gets
 * its (empty) silver and quarantine tables, as the cloud's catalog declares them, so views and gold build.
 */
export async function transformLake(
  connection: DuckDBConnection,
  spec: LakehouseSpec,
  dir: string,
): Promise<void> {
  const bronzeRoot = bronzeRootOf(dir);
  const plans = buildTransformPlans(spec, "duckdb", LOCAL_NAMESPACES, { bronzeRoot });
  const silver: TransformPlan[] = [];
  for (const plan of plans.bronzeToSilver) {
    // Without bronze files the stage's glob fails: keep only the idempotent CREATE TABLE IF NOT EXISTS steps.
    silver.push(
      (await hasFiles(path.join(bronzeRoot, plan.name)))
        ? plan
        : { ...plan, steps: plan.steps.filter((s) => /^CREATE TABLE IF NOT EXISTS /i.test(s.sql ?? "")) },
    );
  }
  await runPlans(connection, silver);
  await runPlans(connection, [...plans.views, ...plans.silverToGold]);
}

/** What each layer holds after a batch, with what the batch's own arrivals did. */
export async function summarizeLake(
  connection: DuckDBConnection,
  options: Pick<BatchOptions, "spec" | "batch" | "sampleRows">,
  converted: readonly ConvertedArrival[],
): Promise<BatchSummary> {
  const { spec } = options;
  const tables: Record<string, TableSummary> = {};
  const bronzeQuarantinedByReason: Record<string, number> = {};
  for (const table of spec.tables) {
    const mine = converted.filter((c) => c.arrival.table === table.name);
    const sum = (pick: (c: ConvertedArrival) => number) => mine.reduce((n, c) => n + pick(c), 0);
    for (const record of mine.flatMap((c) => c.quarantine)) {
      const reason = `${table.name}: ${elideValues(record.reason)}`;
      bronzeQuarantinedByReason[reason] = (bronzeQuarantinedByReason[reason] ?? 0) + 1;
    }
    const [live, deleted] = await silverCounts(connection, table.name);
    tables[table.name] = {
      raw: sum((c) => c.rowsIn),
      bronze: sum((c) => c.rowsWritten),
      bronzeQuarantined: sum((c) => c.rowsQuarantined),
      silver: live,
      silverDeleted: deleted,
      merged: await mergeCounts(
        connection,
        table.name,
        mine.map((c) => c.arrival.ingestedAt),
      ),
    };
  }
  const quarantinedByRule: Record<string, number> = {};
  for (const table of spec.tables) {
    if (!(await tableExists(connection, LOCAL_NAMESPACES.quarantine, table.name))) continue;
    const reader = await connection.runAndReadAll(
      `SELECT _rule, _column, count(*) AS n FROM quarantine.${table.name} GROUP BY _rule, _column ORDER BY _rule, _column`,
    );
    for (const [rule, column, n] of reader.getRows())
      quarantinedByRule[`${table.name}.${String(rule)}(${String(column)})`] = Number(n);
  }
  const views: Record<string, number> = {};
  for (const view of spec.views)
    views[view.name] = (await tableExists(connection, "silver", view.name))
      ? await countRows(connection, `silver.${view.name}`)
      : 0;
  const gold: Record<string, number> = {};
  const goldSamples: Record<string, Record<string, unknown>[]> = {};
  for (const model of spec.gold) {
    const exists = await tableExists(connection, "gold", model.name);
    gold[model.name] = exists ? await countRows(connection, `gold.${model.name}`) : 0;
    goldSamples[model.name] = exists
      ? ((
          await connection.runAndReadAll(`SELECT * FROM gold.${model.name} LIMIT ${options.sampleRows ?? 3}`)
        ).getRowObjectsJson() as Record<string, unknown>[])
      : [];
  }
  return {
    batch: options.batch,
    tables,
    bronzeQuarantinedByReason,
    quarantinedByRule,
    views,
    gold,
    goldSamples,
  };
}

/** Whether `schema.name` exists in the lake (a table or view). */
export async function tableExists(
  connection: DuckDBConnection,
  schema: string,
  name: string,
): Promise<boolean> {
  const reader = await connection.runAndReadAll(
    `SELECT count(*) FROM information_schema.tables WHERE table_schema = '${schema}' AND table_name = '${name}'`,
  );
  return Number(reader.getRows()[0][0]) > 0;
}

async function silverCounts(connection: DuckDBConnection, table: string): Promise<[number, number]> {
  if (!(await tableExists(connection, "silver", table))) return [0, 0];
  const reader = await connection.runAndReadAll(
    `SELECT count(*) FILTER (WHERE NOT _is_deleted), count(*) FILTER (WHERE _is_deleted) FROM silver.${table}`,
  );
  const [live, deleted] = reader.getRows()[0];
  return [Number(live), Number(deleted)];
}

/** `2024-07-01T02:00:00.001Z` → a DuckDB TIMESTAMP literal (UTC, millisecond precision). */
export function timestampLiteral(at: Date): string {
  return `TIMESTAMP '${at.toISOString().replace("T", " ").replace("Z", "")}'`;
}

/**
 * Rows this batch's arrivals touched (each arrival has its own `_ingested_at`): inserted ones were created
 * and updated in the same MERGE.
 */
async function mergeCounts(
  connection: DuckDBConnection,
  table: string,
  arrivedAt: readonly Date[],
): Promise<TableSummary["merged"]> {
  if (arrivedAt.length === 0 || !(await tableExists(connection, "silver", table)))
    return { inserted: 0, updated: 0, deleted: 0 };
  const reader = await connection.runAndReadAll(
    `SELECT count(*) FILTER (WHERE NOT _is_deleted AND _created_at = _updated_at), ` +
      `count(*) FILTER (WHERE NOT _is_deleted AND _created_at <> _updated_at), count(*) FILTER (WHERE _is_deleted) ` +
      `FROM silver.${table} WHERE _ingested_at IN (${arrivedAt.map(timestampLiteral).join(", ")})`,
  );
  const [inserted, updated, deleted] = reader.getRows()[0].map(Number);
  return { inserted, updated, deleted };
}

/** `beer_id: "abc" is not a bigint` → `beer_id: "…" is not a bigint`, so reasons group across rows. */
function elideValues(reason: string): string {
  return reason.replace(/"(?:[^"\\]|\\.)*"/g, '"…"');
}

async function hasFiles(directory: string): Promise<boolean> {
  try {
    const entries = await fs.readdir(directory, { recursive: true });
    return entries.some((entry) => String(entry).endsWith(".parquet"));
  } catch {
    return false;
  }
}

/** The summary as the lines `npm run pipeline:local` prints. */
export function formatSummary(summary: BatchSummary, samples: readonly string[] = []): string {
  const lines = [
    `== batch ${summary.batch}`,
    "rows per layer (raw → bronze [+quarantined by the converter] → silver live / deleted):",
  ];
  const width = Math.max(...Object.keys(summary.tables).map((t) => t.length));
  for (const [table, t] of Object.entries(summary.tables)) {
    lines.push(
      `  ${table.padEnd(width)}  raw ${String(t.raw).padStart(4)}  bronze ${String(t.bronze).padStart(4)} [+${t.bronzeQuarantined}]  silver ${String(t.silver).padStart(4)} / ${t.silverDeleted}  (merge: ${t.merged.inserted} inserted, ${t.merged.updated} updated, ${t.merged.deleted} deleted)`,
    );
  }
  lines.push("rows quarantined by the converter (bronze, this batch):");
  for (const [reason, n] of Object.entries(summary.bronzeQuarantinedByReason))
    lines.push(`  ${reason}: ${n}`);
  lines.push("rows quarantined by rule (silver quality gate, all batches):");
  for (const [rule, n] of Object.entries(summary.quarantinedByRule)) lines.push(`  ${rule}: ${n}`);
  lines.push("views and gold models (rows):");
  for (const [name, n] of [...Object.entries(summary.views), ...Object.entries(summary.gold)])
    lines.push(`  ${name}: ${n}`);
  for (const model of samples) {
    lines.push(`gold.${model} (first rows):`);
    for (const row of summary.goldSamples[model] ?? []) lines.push(`  ${JSON.stringify(row)}`);
  }
  return lines.join("\n");
}
