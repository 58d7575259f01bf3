import * as mssql from "mssql";
import type { DatabaseCredentials } from "./credentials";
import type { DatabaseConnection } from "./reader";
import type { Statement } from "./dialect";

/**
 * A SQL Server connection: encrypted (`encrypt: true`; the certificate checked unless the secret says
 * `tls: require`), a snapshot transaction so the catalog check and the rows agree, rows streamed.
 * Parameters are `@p1`, `@p2`, ... in the order of `statement.params`.
 */
export async function connectSqlServer(credentials: DatabaseCredentials): Promise<DatabaseConnection> {
  const pool = await new mssql.ConnectionPool({
    server: credentials.host,
    port: credentials.port ?? 1433,
    user: credentials.username,
    password: credentials.password,
    database: credentials.dbname,
    options: { encrypt: true, trustServerCertificate: credentials.tls === "require" },
    connectionTimeout: 15_000,
    pool: { max: 1 },
  }).connect();
  const transaction = new mssql.Transaction(pool);
  await transaction.begin(mssql.ISOLATION_LEVEL.SNAPSHOT);
  const request = (statement: Statement) => {
    const r = new mssql.Request(transaction);
    statement.params.forEach((value, i) => r.input(`p${i + 1}`, value));
    return r;
  };
  return {
    query: async (statement) => (await request(statement).query(statement.sql)).recordset,
    stream: (statement, onRow) =>
      new Promise<void>((resolve, reject) => {
        const r = request(statement);
        r.stream = true;
        r.on("row", (row: Record<string, unknown>) => onRow(row));
        r.on("error", reject);
        r.on("done", () => resolve());
        void r.query(statement.sql);
      }),
    close: async () => {
      await transaction.commit().catch(() => undefined);
      await pool.close();
    },
  };
}
