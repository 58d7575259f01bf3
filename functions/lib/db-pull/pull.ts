import type { TableSpec } from "../../../components/spec/schema";
import { pullWindowInto, type ApiPullPorts, type ApiPullResult, type PullMode } from "../api-pull";
import { parseCredentials } from "./credentials";
import {
  columnsStatement,
  engineFamily,
  isZoned,
  sourceTableName,
  windowStatement,
  type Family,
  type SourceColumn,
  type WindowBounds,
} from "./dialect";
import { connectMysql } from "./mysql";
import { connectPostgres } from "./postgres";
import { sourceColumns, type DatabaseConnector } from "./reader";
import { connectSqlServer } from "./sqlserver";
import { wallClock, wallClockToUtc } from "./zones";

/** The drivers from npm, by engine family. */
export const npmDrivers: DatabaseConnector = (family, credentials) =>
  family === "postgres"
    ? connectPostgres(credentials)
    : family === "mysql"
      ? connectMysql(credentials)
      : connectSqlServer(credentials);

export interface DatabasePullPorts extends Pick<ApiPullPorts, "raw" | "watermarks" | "secrets" | "now"> {
  connect?: DatabaseConnector;
}

/**
 * One scheduled pull of a database table (spec `source: { kind: database, capture: pull }`), with the same
 * window, raw object and watermark logic as the API pulls (`pullWindowInto`): the rows with
 * `since <= watermarkColumn < until`, in watermark then key order, read in one read-only snapshot. The
 * source's catalog is checked first: a spec column the table lacks, or a watermark column that may be NULL
 * (such a row would never be pulled), fails the run before anything is written.
 */
export async function pullDatabase(
  ports: DatabasePullPorts,
  table: TableSpec,
  mode: PullMode,
): Promise<ApiPullResult> {
  const source = table.source;
  if (source.kind !== "database" || source.capture !== "pull")
    throw new Error(`"${table.name}" is not a database table with capture "pull"`);
  const family = engineFamily(source.engine);
  const connect = ports.connect ?? npmDrivers;
  return pullWindowInto(ports, table.name, mode, async (window, emit) => {
    const credentials = parseCredentials(source.secret, await ports.secrets.get(source.secret));
    const connection = await connect(family, credentials);
    try {
      const name = sourceTableName(table, family);
      const columns = sourceColumns(await connection.query(columnsStatement(family, name)));
      checkSourceColumns(table, `${name.schema ? `${name.schema}.` : ""}${name.table}`, columns);
      const bounds = windowBounds(family, table, columns, window, source.timeZone);
      const toUtc = naiveTimestampColumns(family, table, columns);
      await connection.stream(windowStatement(family, table, name, columns, bounds), (row) => {
        emit(jsonRow(table, row, toUtc, source.timeZone));
      });
      return 1;
    } finally {
      await connection.close().catch(() => undefined);
    }
  });
}

function checkSourceColumns(
  table: TableSpec,
  qualified: string,
  columns: ReadonlyMap<string, SourceColumn>,
): void {
  if (columns.size === 0)
    throw new Error(`${table.name}: the source table ${qualified} does not exist or is not visible`);
  const missing = table.columns.filter((c) => !columns.has(c.name)).map((c) => c.name);
  if (missing.length > 0)
    throw new Error(
      `${table.name}: the source table ${qualified} has no column ${missing.map((m) => `"${m}"`).join(", ")}`,
    );
  const watermark = table.incremental?.watermarkColumn as string;
  if (columns.get(watermark)?.nullable)
    throw new Error(
      `${table.name}: the source column ${qualified}.${watermark} allows NULL; a row with a NULL watermark would ` +
        "never be pulled (make it NOT NULL, or pull another column)",
    );
}

/**
 * The window as the watermark column compares: instants for a zoned column, the source zone's wall-clock
 * times for one without a zone, and calendar days of that zone for a date column (so a day is read once it
 * is over, and again by the daily D-1 run).
 */
function windowBounds(
  family: Family,
  table: TableSpec,
  columns: ReadonlyMap<string, SourceColumn>,
  window: { since: string; until: string },
  zone: string,
): WindowBounds {
  const watermark = table.incremental?.watermarkColumn as string;
  const type = table.columns.find((c) => c.name === watermark)?.type;
  if (type === "date")
    return {
      since: wallClock(window.since, zone).slice(0, 10),
      until: wallClock(window.until, zone).slice(0, 10),
    };
  if (isZoned(family, columns.get(watermark)?.dataType ?? "")) return window;
  return { since: wallClock(window.since, zone), until: wallClock(window.until, zone) };
}

function naiveTimestampColumns(
  family: Family,
  table: TableSpec,
  columns: ReadonlyMap<string, SourceColumn>,
): ReadonlySet<string> {
  return new Set(
    table.columns
      .filter((c) => c.type === "timestamp" && !isZoned(family, columns.get(c.name)?.dataType ?? ""))
      .map((c) => c.name),
  );
}

/**
 * A row as the converter reads it: timestamps as ISO instants (`Z`), wall-clock ones converted from the
 * source zone, zoned ones already rendered in UTC; exact numbers as the text the database printed.
 */
function jsonRow(
  table: TableSpec,
  row: Record<string, unknown>,
  naive: ReadonlySet<string>,
  zone: string,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const column of table.columns) {
    const value = row[column.name];
    if (value === null || value === undefined) out[column.name] = null;
    else if (column.type === "timestamp")
      out[column.name] = naive.has(column.name) ? wallClockToUtc(String(value), zone) : `${String(value)}Z`;
    else if (column.type === "boolean" && typeof value === "number") out[column.name] = value !== 0;
    else out[column.name] = typeof value === "bigint" ? value.toString() : value;
  }
  return out;
}
