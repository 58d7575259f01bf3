import { DuckDBInstance } from "@duckdb/node-api";

/** Runs SQL in an in-memory DuckDB and returns rows as JSON-friendly objects (for reading Parquet back). */
export async function query(sql: string): Promise<Record<string, unknown>[]> {
  const db = await DuckDBInstance.create(":memory:");
  const connection = await db.connect();
  try {
    return (await connection.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];
  } finally {
    connection.closeSync();
  }
}
