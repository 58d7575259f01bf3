import * as fs from "node:fs";
import * as path from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
import type { LakehouseSpec } from "../components/spec";
import { controlHash } from "../functions/lib/control";
import { bronzeRootOf, parseQuarantineLines, tableExists } from "../functions/transform/local-pipeline";
import { PipelineError, readLedger } from "./pipeline-local-raw";

/**
 * `pipeline:local --dump <layer>.<name>`: a layer's table as JSON lines, each row rendered by DuckDB's own
 * `to_json` (numbers, decimals and bigints as JSON numbers, timestamps as `YYYY-MM-DD HH:MM:SS[.ffffff]`).
 * `quarantine.<table>` merges both stages: the converter's records (`bronze/_quarantine/<table>/`) and the
 * silver quality gate's table, each line naming its stage, the raw file it came from and the reason.
 */

export const DUMP_LAYERS = ["bronze", "silver", "views", "gold", "quarantine"] as const;
export type DumpLayer = (typeof DUMP_LAYERS)[number];

export interface DumpTarget {
  readonly layer: DumpLayer;
  readonly name: string;
}

/** Parses `<layer>.<name>` against the spec: a table for bronze/silver/quarantine, a view, or a gold model. */
export function parseDumpTarget(spec: LakehouseSpec, target: string): DumpTarget {
  const names: Record<DumpLayer, string[]> = {
    bronze: spec.tables.map((t) => t.name),
    silver: spec.tables.map((t) => t.name),
    quarantine: spec.tables.map((t) => t.name),
    views: spec.views.map((v) => v.name),
    gold: spec.gold.map((g) => g.name),
  };
  const dot = target.indexOf(".");
  const layer = target.slice(0, dot) as DumpLayer;
  const name = target.slice(dot + 1);
  if (dot < 0 || !DUMP_LAYERS.includes(layer) || !names[layer].includes(name)) {
    const expected =
      dot >= 0 && DUMP_LAYERS.includes(layer)
        ? `${layer} has ${names[layer].join(", ") || "nothing"}`
        : `expected <layer>.<name> with a layer of ${DUMP_LAYERS.join(", ")}`;
    throw new PipelineError(`unknown dump target "${target}": ${expected}`);
  }
  return { layer, name };
}

/** The JSON lines of a target, in a stable order. A table the lake does not hold yet has none. */
export async function dumpLines(
  connection: DuckDBConnection,
  spec: LakehouseSpec,
  dir: string,
  target: DumpTarget,
): Promise<string[]> {
  const table = spec.tables.find((t) => t.name === target.name);
  switch (target.layer) {
    case "bronze":
      return bronzeLines(connection, dir, target.name);
    case "silver":
      return jsonLines(connection, "silver", target.name, table!.primaryKey.join(", "));
    case "views":
      return jsonLines(connection, "silver", target.name, "ALL");
    case "gold":
      // Every column, so ties on the model's own orderBy still print in one order.
      return jsonLines(connection, "gold", target.name, "ALL");
    case "quarantine":
      return quarantineLines(connection, dir, target.name, table!.primaryKey);
  }
}

async function jsonLines(
  connection: DuckDBConnection,
  schema: string,
  name: string,
  orderBy: string,
): Promise<string[]> {
  if (!(await tableExists(connection, schema, name))) return [];
  const reader = await connection.runAndReadAll(
    `SELECT CAST(to_json(struct_pack(*COLUMNS(*))) AS VARCHAR) FROM ${schema}.${name} ORDER BY ${orderBy}`,
  );
  return reader.getRows().map(([line]) => String(line));
}

/** Bronze as the silver stage reads it (Hive partition columns included), in arrival and file order. */
async function bronzeLines(connection: DuckDBConnection, dir: string, table: string): Promise<string[]> {
  const root = path.join(bronzeRootOf(dir), table);
  if (
    !fs.existsSync(root) ||
    !fs.readdirSync(root, { recursive: true }).some((f) => String(f).endsWith(".parquet"))
  )
    return [];
  const glob = `${root}/**/*.parquet`.replace(/'/g, "''");
  const reader = await connection.runAndReadAll(
    `SELECT CAST(to_json(struct_pack(*COLUMNS(* EXCLUDE (filename, file_row_number)))) AS VARCHAR) ` +
      `FROM read_parquet('${glob}', hive_partitioning = true, union_by_name = true, filename = true, file_row_number = true) ` +
      `ORDER BY _ingested_at, filename, file_row_number`,
  );
  return reader.getRows().map(([line]) => String(line));
}

/**
 * Both quarantines of a table, in arrival order of their raw files: the converter's records (with the line and
 * the raw text), then the quality gate's rows (with the rule, the column and the row as silver would have
 * held it, masked). `_quarantined_at` is left out: it is the run's clock, not the data's.
 */
async function quarantineLines(
  connection: DuckDBConnection,
  dir: string,
  table: string,
  primaryKey: readonly string[],
): Promise<string[]> {
  const ledger = (await readLedger(connection)).filter((row) => row.path.startsWith(`${table}/`));
  const bySourceHash = new Map(ledger.map((row) => [controlHash(row.controlId), row]));
  const byArrival = new Map(ledger.map((row) => [row.ingestedAt.getTime(), row]));
  const records: { order: number; stage: number; sort: string; line: string }[] = [];

  const root = path.join(bronzeRootOf(dir), "_quarantine", table);
  const files = fs.existsSync(root)
    ? fs
        .readdirSync(root, { recursive: true, encoding: "utf8" })
        .filter((f) => f.endsWith(".jsonl"))
        .sort()
    : [];
  for (const file of files) {
    // The converter names its files part-<controlHash>-<batch>.jsonl: the hash finds the raw file.
    const hash = /part-([0-9a-f]+)-\d+\.jsonl$/.exec(file)?.[1];
    const source = hash ? bySourceHash.get(hash) : undefined;
    for (const record of parseQuarantineLines(fs.readFileSync(path.join(root, file), "utf8"))) {
      records.push({
        order: source?.ingestedAt.getTime() ?? Number.MAX_SAFE_INTEGER,
        stage: 0,
        sort: String(record.line).padStart(12, "0"),
        line: JSON.stringify({
          stage: "convert",
          source: source?.path ?? null,
          line: record.line,
          reason: record.reason,
          raw: record.raw,
        }),
      });
    }
  }

  if (await tableExists(connection, "quarantine", table)) {
    // Once bronze rows carry the contract's _source_row, the quarantine does too: file order, then.
    const position = (await hasColumn(connection, "quarantine", table, "_source_row")) ? "_source_row, " : "";
    const reader = await connection.runAndReadAll(
      `SELECT _rule, _column, epoch_ms(_ingested_at), ` +
        `CAST(to_json(struct_pack(*COLUMNS(* EXCLUDE (_rule, _column, _quarantined_at)))) AS VARCHAR) AS j ` +
        `FROM quarantine.${table} ORDER BY _ingested_at, ${position}${primaryKey.join(", ")}, j`,
    );
    reader.getRows().forEach(([rule, column, at, row], i) => {
      const source = at === null ? undefined : byArrival.get(Number(at));
      records.push({
        order: source?.ingestedAt.getTime() ?? Number.MAX_SAFE_INTEGER,
        stage: 1,
        sort: String(i).padStart(12, "0"),
        // The row stays DuckDB's JSON text: re-parsing it would round bigints past 2^53.
        line: `${JSON.stringify({
          stage: "quality",
          source: source?.path ?? null,
          reason: `${String(rule)}(${String(column)})`,
          rule: String(rule),
          column: String(column),
        }).slice(0, -1)},"row":${String(row)}}`,
      });
    });
  }
  return records
    .sort(
      (a, b) => a.order - b.order || a.stage - b.stage || (a.sort < b.sort ? -1 : a.sort > b.sort ? 1 : 0),
    )
    .map((r) => r.line);
}

async function hasColumn(
  connection: DuckDBConnection,
  schema: string,
  table: string,
  column: string,
): Promise<boolean> {
  const reader = await connection.runAndReadAll(
    `SELECT count(*) FROM information_schema.columns WHERE table_schema = '${schema}' AND table_name = '${table}' AND column_name = '${column}'`,
  );
  return Number(reader.getRows()[0][0]) > 0;
}
