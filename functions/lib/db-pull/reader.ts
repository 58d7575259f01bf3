import type { DatabaseCredentials } from "./credentials";
import type { Family, SourceColumn, Statement } from "./dialect";

/** One open connection to a source database, as the pull uses it. */
export interface DatabaseConnection {
  /** Runs a catalog query and returns its rows. */
  query(statement: Statement): Promise<Record<string, unknown>[]>;
  /** Streams a query's rows to `onRow` in order, without holding the result in memory. */
  stream(statement: Statement, onRow: (row: Record<string, unknown>) => void): Promise<void>;
  close(): Promise<void>;
}

/** Opens connections for an engine family (PostgreSQL, MySQL, SQL Server drivers from npm). */
export type DatabaseConnector = (
  family: Family,
  credentials: DatabaseCredentials,
) => Promise<DatabaseConnection>;

/** The catalog rows as source columns (information_schema spells its column names per engine's case). */
export function sourceColumns(rows: readonly Record<string, unknown>[]): Map<string, SourceColumn> {
  const columns = new Map<string, SourceColumn>();
  for (const row of rows) {
    const get = (key: string) => String(row[key] ?? row[key.toUpperCase()] ?? "");
    columns.set(get("column_name"), {
      name: get("column_name"),
      dataType: get("data_type"),
      nullable: get("is_nullable").toUpperCase() === "YES",
    });
  }
  return columns;
}
