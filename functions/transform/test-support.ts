import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { parseLakehouseSpec, type LakehouseSpec, type LakehouseSpecInput } from "../../components/spec";
import { Readable } from "node:stream";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { convert } from "../lib/convert/convert";
import { DirectorySink } from "../lib/convert/sinks";
import { buildTransformPlans, type Namespaces, type TransformPlan } from "./index";
import { createNamespaces, runPlans, type RunOptions } from "./duckdb-runner";

/** Helpers for the transformation tests: a spec from a few tables, and a DuckDB with bronze tables to fill. */

export const NAMESPACES: Namespaces = {
  bronze: "bronze",
  silver: "silver",
  gold: "gold",
  quarantine: "quarantine",
};

export function specWith(
  parts: Pick<LakehouseSpecInput, "tables"> & Partial<LakehouseSpecInput>,
): LakehouseSpec {
  return parseLakehouseSpec({ name: "test", alerts: { emails: ["a@example.com"] }, ...parts });
}

export type Row = Record<string, string | number | boolean | null>;

/** An in-memory DuckDB with the layer schemas and one all-VARCHAR bronze table per spec table. */
export class LocalLake {
  private constructor(
    private readonly instance: DuckDBInstance,
    readonly connection: DuckDBConnection,
    readonly spec: LakehouseSpec,
  ) {}

  static async create(spec: LakehouseSpec): Promise<LocalLake> {
    const instance = await DuckDBInstance.create(":memory:");
    const connection = await instance.connect();
    await createNamespaces(connection, NAMESPACES);
    for (const table of spec.tables) {
      const extra = table.source.kind === "cdc" ? [`${table.source.operationField} VARCHAR`] : [];
      const columns = [
        ...table.columns.map((c) => `${c.name} VARCHAR`),
        ...extra,
        "_ingested_at TIMESTAMP",
        "_source_file VARCHAR",
        "_source_row BIGINT",
      ];
      await connection.run(`CREATE TABLE bronze.${table.name} (${columns.join(", ")})`);
    }
    return new LocalLake(instance, connection, spec);
  }

  private files = 0;

  /**
   * Appends bronze rows as one file would: `_source_file` names the file and `_source_row` counts its rows
   * from 1, unless a row gives its own; missing columns are NULL.
   */
  async land(table: string, rows: readonly Row[]): Promise<void> {
    const file = `file://test/${table}/${++this.files}`;
    for (const [i, row] of rows.entries()) {
      const full: Row = { _source_file: file, _source_row: i + 1, ...row };
      const names = Object.keys(full);
      const values = names.map((n) => literal(full[n]));
      await this.connection.run(
        `INSERT INTO bronze.${table} (${names.join(", ")}) VALUES (${values.join(", ")})`,
      );
    }
  }

  /**
   * Converts a raw file with the project's converter (as the cloud does) and appends its bronze rows.
   * @returns the converter's counts
   */
  async landRaw(table: string, text: string, ingestedAt: Date, name = `${++this.files}`) {
    const spec = this.spec.tables.find((t) => t.name === table);
    if (!spec) throw new Error(`test: no table ${table}`);
    const root = mkdtempSync(path.join(tmpdir(), "bronze-"));
    const result = await convert({
      table: spec,
      source: Readable.from([Buffer.from(text)]),
      sink: new DirectorySink(root),
      controlId: `file://raw/${table}/${name}`,
      ingestedAt,
    });
    if (result.outputs.length > 0) {
      const files = result.outputs.map((f) => `'${f}'`).join(", ");
      // The bronze columns only: partition values come from the Hive path, `ingest_date` is not a column.
      const columns = [
        ...spec.columns.map((c) => c.name),
        ...(spec.source.kind === "cdc" ? ["operation"] : []),
        "_ingested_at",
        "_source_file",
        "_source_row",
      ];
      await this.connection.run(
        `INSERT INTO bronze.${table} BY NAME SELECT ${columns.join(", ")} FROM read_parquet([${files}], hive_partitioning = true)`,
      );
    }
    return result;
  }

  /** Another session on the same database (its own TEMP tables), as a second, overlapping run has. */
  async session(): Promise<DuckDBConnection> {
    return this.instance.connect();
  }

  /** The bronze → silver plans, as the runners receive them. */
  silverPlans(): TransformPlan[] {
    return buildTransformPlans(this.spec, "duckdb", NAMESPACES).bronzeToSilver;
  }

  async silver(options: RunOptions = {}): Promise<void> {
    await runPlans(this.connection, this.silverPlans(), options);
  }

  /** A bronze → silver run that dies after the step named `<table>.<last>` (the rest never runs). */
  async silverFailingAfter(last: string, options: RunOptions = {}): Promise<void> {
    const plans = this.silverPlans().map((plan) => {
      const at = plan.steps.findIndex((s) => s.name === `${plan.name}.${last}`);
      return at < 0 ? plan : { ...plan, steps: plan.steps.slice(0, at + 1) };
    });
    await runPlans(this.connection, plans, options);
  }

  async viewsAndGold(): Promise<void> {
    const plans = buildTransformPlans(this.spec, "duckdb", NAMESPACES);
    await runPlans(this.connection, [...plans.views, ...plans.silverToGold]);
  }

  /** Rows as JSON-friendly objects (bigints and decimals as strings, timestamps as text). */
  async rows(sql: string): Promise<Record<string, unknown>[]> {
    return (await this.connection.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];
  }
}

function literal(value: Row[string]): string {
  if (value === null || value === undefined) return "NULL";
  return `'${String(value).replace(/'/g, "''")}'`;
}
