import { createConnection, type Connection } from "mysql2";
import { tlsOptions, type DatabaseCredentials } from "./credentials";
import type { DatabaseConnection } from "./reader";

function run(connection: Connection, sql: string, params: readonly unknown[] = []): Promise<unknown> {
  return new Promise((resolve, reject) =>
    connection.query(sql, [...params], (error, rows) => (error ? reject(error) : resolve(rows))),
  );
}

/**
 * A MySQL (and Aurora MySQL) connection: TLS always, the session zone pinned to UTC (a TIMESTAMP renders
 * as its UTC instant), a consistent snapshot, rows streamed from the server.
 */
export async function connectMysql(credentials: DatabaseCredentials): Promise<DatabaseConnection> {
  const connection = createConnection({
    host: credentials.host,
    port: credentials.port ?? 3306,
    user: credentials.username,
    password: credentials.password,
    database: credentials.dbname,
    ssl: tlsOptions(credentials),
    timezone: "Z",
    supportBigNumbers: true,
    bigNumberStrings: true,
    dateStrings: true,
    connectTimeout: 15_000,
  });
  await new Promise<void>((resolve, reject) =>
    connection.connect((error) => (error ? reject(error) : resolve())),
  );
  await run(connection, "SET time_zone = '+00:00'");
  await run(connection, "START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY");
  return {
    query: async (statement) =>
      (await run(connection, statement.sql, statement.params)) as Record<string, unknown>[],
    stream: (statement, onRow) =>
      new Promise<void>((resolve, reject) => {
        connection
          .query(statement.sql, [...statement.params])
          .on("result", (row) => onRow(row as Record<string, unknown>))
          .on("error", reject)
          .on("end", () => resolve());
      }),
    close: async () => {
      await run(connection, "COMMIT").catch(() => undefined);
      await new Promise<void>((resolve) => connection.end(() => resolve()));
    },
  };
}
