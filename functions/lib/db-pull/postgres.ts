import { Client } from "pg";
import Cursor from "pg-cursor";
import { tlsOptions, type DatabaseCredentials } from "./credentials";
import type { DatabaseConnection } from "./reader";
import type { Statement } from "./dialect";

const BATCH_ROWS = 1000;

/**
 * A PostgreSQL (and Aurora PostgreSQL) connection: TLS always, the session pinned to UTC so zoned values
 * render as instants, rows read through a server-side cursor a thousand at a time.
 */
export async function connectPostgres(credentials: DatabaseCredentials): Promise<DatabaseConnection> {
  const client = new Client({
    host: credentials.host,
    port: credentials.port ?? 5432,
    user: credentials.username,
    password: credentials.password,
    database: credentials.dbname,
    ssl: tlsOptions(credentials),
    application_name: "medallion-pull",
    options: "-c TimeZone=UTC -c default_transaction_read_only=on",
    connectionTimeoutMillis: 15_000,
  });
  // The server can end the session at any time (a restart, pg_terminate_backend): pg emits that as an
  // 'error' event, which would crash the process without a listener; the query in flight rejects with it.
  // A cursor between reads is not pg's active query, so its next read would wait forever: race every read
  // with the end of the connection.
  let lost: Error | undefined;
  const broken = new Promise<never>((_, reject) => {
    client.on("error", (error) => reject((lost = error)));
    client.on("end", () => reject((lost ??= new Error("the database connection ended during the pull"))));
  });
  broken.catch(() => undefined);
  await client.connect();
  // A pull is one consistent snapshot: the catalog check and the window's rows see the same data.
  await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  return {
    query: async (statement: Statement) => (await client.query(statement.sql, [...statement.params])).rows,
    stream: async (statement, onRow) => {
      const cursor = client.query(new Cursor(statement.sql, [...statement.params]));
      try {
        const read = () => Promise.race([cursor.read(BATCH_ROWS), broken]);
        for (let rows = await read(); rows.length > 0; rows = await read()) {
          for (const row of rows) onRow(row as Record<string, unknown>);
        }
      } finally {
        // Closing a cursor on a lost connection would wait forever too.
        if (!lost) await Promise.race([cursor.close(), broken]).catch(() => undefined);
      }
    },
    close: async () => {
      if (!lost) await client.query("COMMIT").catch(() => undefined);
      if (!lost) await client.end();
      else client.end().catch(() => undefined);
    },
  };
}
