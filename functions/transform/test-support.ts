import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { parseLakehouseSpec, type LakehouseSpec, type LakehouseSpecInput } from "../../components/spec";
import { buildTransformPlans, type Namespaces } from "./index";
import { createNamespaces, runPlans } from "./duckdb-runner";

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
    readonly connection: DuckDBConnection,
    readonly spec: LakehouseSpec,
  ) {}

  static async create(spec: LakehouseSpec): Promise<LocalLake> {
    const connection = await (await DuckDBInstance.create(":memory:")).connect();
    await createNamespaces(connection, NAMESPACES);
    for (const table of spec.tables) {
      const extra = table.source.kind === "cdc" ? [`${table.source.operationField} VARCHAR`] : [];
      const columns = [...table.columns.map((c) => `${c.name} VARCHAR`), ...extra, "_ingested_at TIMESTAMP"];
      await connection.run(`CREATE TABLE bronze.${table.name} (${columns.join(", ")})`);
    }
    return new LocalLake(connection, spec);
  }

  /** Appends bronze rows; missing columns are NULL. */
  async land(table: string, rows: readonly Row[]): Promise<void> {
    for (const row of rows) {
      const names = Object.keys(row);
      const values = names.map((n) => literal(row[n]));
      await this.connection.run(
        `INSERT INTO bronze.${table} (${names.join(", ")}) VALUES (${values.join(", ")})`,
      );
    }
  }

  async silver(): Promise<void> {
    const plans = buildTransformPlans(this.spec, "duckdb", NAMESPACES);
    await runPlans(this.connection, plans.bronzeToSilver);
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
