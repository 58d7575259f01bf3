import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { Readable } from "node:stream";
import * as fs from "node:fs/promises";
import * as path from "node:path";
import type { LakehouseSpec } from "../../components/spec";
import { convert } from "../lib/convert/convert";
import { DirectorySink } from "../lib/convert/sinks";
import { createNamespaces, countRows, runPlans } from "./duckdb-runner";
import { buildTransformPlans, type Namespaces } from "./index";
import type { RawFile } from "./sample-data";

/**
 * The whole pipeline on one machine: raw files → the converter (the same code as the cloud's Lambda/ECS)
 * → bronze Parquet in Hive partitions → the generated DuckDB SQL → silver, quarantine, flat views, gold,
 * all in a DuckDB file under `dir`, so a second batch merges into what the first one built.
 */

export const LOCAL_NAMESPACES: Namespaces = {
  bronze: "bronze",
  silver: "silver",
  gold: "gold",
  quarantine: "quarantine",
};

export interface BatchOptions {
  readonly spec: LakehouseSpec;
  /** Working directory: raw/, bronze/ and lake.duckdb live here. */
  readonly dir: string;
  /** Name of the batch (file names, the summary). */
  readonly batch: string;
  readonly files: readonly RawFile[];
  /** When the batch arrived: the converter's `_ingested_at`. */
  readonly ingestedAt: Date;
}

export interface TableSummary {
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

/** Runs one batch end to end and returns what each layer holds. */
export async function runLocalBatch(options: BatchOptions, sampleRows = 3): Promise<BatchSummary> {
  const { spec, dir } = options;
  const bronzeRoot = path.join(dir, "bronze");
  const tables: Record<string, TableSummary> = {};
  const converted: Record<string, { bronze: number; quarantined: number; raw: number }> = {};
  const bronzeQuarantinedByReason: Record<string, number> = {};
  for (const file of options.files) {
    const table = spec.tables.find((t) => t.name === file.table);
    if (!table) throw new Error(`pipeline: no table "${file.table}" in the spec`);
    const rawPath = path.join(dir, "raw", table.name, `${options.batch}.${file.format}`);
    await fs.mkdir(path.dirname(rawPath), { recursive: true });
    await fs.writeFile(rawPath, file.text);
    const result = await convert({
      table,
      source: Readable.from([Buffer.from(file.text)]),
      sink: new DirectorySink(bronzeRoot),
      controlId: `file://${rawPath}`,
      ingestedAt: options.ingestedAt,
    });
    converted[table.name] = {
      raw: file.rows,
      bronze: result.rowsWritten,
      quarantined: result.rowsQuarantined,
    };
    for (const key of result.quarantine) {
      // The directory sink reports where it wrote (a path); keys relative to the root otherwise.
      const file = path.isAbsolute(key) ? key : path.join(bronzeRoot, ...key.split("/"));
      const text = await fs.readFile(file, "utf8");
      for (const line of text.split("\n").filter(Boolean)) {
        const reason = `${table.name}: ${elideValues(String((JSON.parse(line) as { reason: unknown }).reason))}`;
        bronzeQuarantinedByReason[reason] = (bronzeQuarantinedByReason[reason] ?? 0) + 1;
      }
    }
  }

  const instance = await DuckDBInstance.create(path.join(dir, "lake.duckdb"));
  const connection = await instance.connect();
  try {
    await connection.run("SET TimeZone = 'UTC'");
    await createNamespaces(connection, LOCAL_NAMESPACES);
    const plans = buildTransformPlans(spec, "duckdb", LOCAL_NAMESPACES, { bronzeRoot });
    // A table with no bronze files yet has nothing to read: skip it instead of failing the glob.
    const withBronze = [];
    for (const plan of plans.bronzeToSilver) {
      if (await hasFiles(path.join(bronzeRoot, plan.name))) withBronze.push(plan);
    }
    await runPlans(connection, withBronze);
    await runPlans(connection, [...plans.views, ...plans.silverToGold]);

    for (const table of spec.tables) {
      const batch = converted[table.name] ?? { raw: 0, bronze: 0, quarantined: 0 };
      const [live, deleted] = await silverCounts(connection, table.name);
      const merged = await mergeCounts(connection, table.name, options.ingestedAt);
      tables[table.name] = {
        raw: batch.raw,
        bronze: batch.bronze,
        bronzeQuarantined: batch.quarantined,
        silver: live,
        silverDeleted: deleted,
        merged,
      };
    }
    const quarantinedByRule: Record<string, number> = {};
    for (const table of spec.tables) {
      const reader = await connection.runAndReadAll(
        `SELECT _rule, _column, count(*) AS n FROM quarantine.${table.name} GROUP BY _rule, _column ORDER BY _rule, _column`,
      );
      for (const [rule, column, n] of reader.getRows())
        quarantinedByRule[`${table.name}.${String(rule)}(${String(column)})`] = Number(n);
    }
    const views: Record<string, number> = {};
    for (const view of spec.views) views[view.name] = await countRows(connection, `silver.${view.name}`);
    const gold: Record<string, number> = {};
    const goldSamples: Record<string, Record<string, unknown>[]> = {};
    for (const model of spec.gold) {
      gold[model.name] = await countRows(connection, `gold.${model.name}`);
      goldSamples[model.name] = (
        await connection.runAndReadAll(`SELECT * FROM gold.${model.name} LIMIT ${sampleRows}`)
      ).getRowObjectsJson() as Record<string, unknown>[];
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
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

async function silverCounts(connection: DuckDBConnection, table: string): Promise<[number, number]> {
  const exists = await connection.runAndReadAll(
    `SELECT count(*) FROM information_schema.tables WHERE table_schema = 'silver' AND table_name = '${table}'`,
  );
  if (Number(exists.getRows()[0][0]) === 0) return [0, 0];
  const reader = await connection.runAndReadAll(
    `SELECT count(*) FILTER (WHERE NOT _is_deleted), count(*) FILTER (WHERE _is_deleted) FROM silver.${table}`,
  );
  const [live, deleted] = reader.getRows()[0];
  return [Number(live), Number(deleted)];
}

/** Rows this batch touched (its `_ingested_at`): inserted ones were created and updated in the same MERGE. */
async function mergeCounts(
  connection: DuckDBConnection,
  table: string,
  ingestedAt: Date,
): Promise<TableSummary["merged"]> {
  const [live] = await silverCounts(connection, table);
  if (live === 0) return { inserted: 0, updated: 0, deleted: 0 };
  const at = ingestedAt.toISOString().replace("T", " ").replace("Z", "");
  const reader = await connection.runAndReadAll(
    `SELECT count(*) FILTER (WHERE NOT _is_deleted AND _created_at = _updated_at), ` +
      `count(*) FILTER (WHERE NOT _is_deleted AND _created_at <> _updated_at), count(*) FILTER (WHERE _is_deleted) ` +
      `FROM silver.${table} WHERE _ingested_at = TIMESTAMP '${at}'`,
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
