import type { TableSpec } from "../../../components/spec/schema";

/** The spec's engines, by the SQL they speak (Aurora speaks its base engine's protocol and SQL). */
export type Engine = "postgres" | "mysql" | "sqlserver" | "aurora-postgresql" | "aurora-mysql";
export type Family = "postgres" | "mysql" | "sqlserver";

export function engineFamily(engine: Engine): Family {
  if (engine === "postgres" || engine === "aurora-postgresql") return "postgres";
  if (engine === "mysql" || engine === "aurora-mysql") return "mysql";
  return "sqlserver";
}

/** A source column as the database's catalog describes it. */
export interface SourceColumn {
  readonly name: string;
  readonly dataType: string;
  readonly nullable: boolean;
}

/** SQL text with positional parameters, in the driver's placeholder style. */
export interface Statement {
  readonly sql: string;
  readonly params: readonly unknown[];
}

export interface SourceTableName {
  readonly schema: string;
  readonly table: string;
}

/** `schema.table` from the spec, or the engine's default schema and the table's own name. */
export function sourceTableName(table: TableSpec, family: Family): SourceTableName {
  const named = table.source.kind === "database" ? table.source.sourceTable : undefined;
  const [first, second] = (named ?? table.name).split(".");
  if (second !== undefined) return { schema: first, table: second };
  const schema = family === "postgres" ? "public" : family === "sqlserver" ? "dbo" : "";
  return { schema, table: first };
}

/**
 * The catalog query for the source table's columns. MySQL has no schemas inside a database: its
 * information_schema `table_schema` is the database itself, so an unqualified table is looked up in the
 * connection's database (`DATABASE()`).
 */
export function columnsStatement(family: Family, name: SourceTableName): Statement {
  const select = "SELECT column_name, data_type, is_nullable FROM information_schema.columns";
  if (family === "postgres")
    return {
      sql: `${select} WHERE table_schema = $1 AND table_name = $2`,
      params: [name.schema, name.table],
    };
  if (family === "mysql")
    return name.schema
      ? { sql: `${select} WHERE table_schema = ? AND table_name = ?`, params: [name.schema, name.table] }
      : { sql: `${select} WHERE table_schema = DATABASE() AND table_name = ?`, params: [name.table] };
  return {
    sql: `${select} WHERE table_schema = @p1 AND table_name = @p2`,
    params: [name.schema, name.table],
  };
}

/** Whether a time column carries its zone (compared and read as an instant) or is a wall-clock time. */
export function isZoned(family: Family, dataType: string): boolean {
  const type = dataType.toLowerCase();
  if (family === "postgres") return type === "timestamp with time zone";
  // MySQL TIMESTAMP is stored in UTC and shown in the session zone, which the reader pins to UTC.
  if (family === "mysql") return type === "timestamp";
  return type === "datetimeoffset";
}

function quote(family: Family, identifier: string): string {
  if (family === "mysql") return "`" + identifier.replace(/`/g, "``") + "`";
  if (family === "sqlserver") return "[" + identifier.replace(/]/g, "]]") + "]";
  return '"' + identifier.replace(/"/g, '""') + '"';
}

function placeholder(family: Family, index: number): string {
  return family === "postgres" ? `$${index}` : family === "mysql" ? "?" : `@p${index}`;
}

/**
 * How a column is selected so its value survives JSON exactly: times and dates as fixed-format text
 * (a zoned time rendered in UTC, a wall-clock time as stored, converted from the source's zone by the
 * reader), exact numbers (bigint, decimal) as text, the rest as the driver gives them.
 */
function selectExpression(family: Family, column: string, specType: string, source: SourceColumn): string {
  const zoned = isZoned(family, source.dataType);
  if (specType === "timestamp") {
    if (family === "postgres")
      return zoned
        ? `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US')`
        : `to_char(${column}, 'YYYY-MM-DD"T"HH24:MI:SS.US')`;
    if (family === "mysql") return `DATE_FORMAT(${column}, '%Y-%m-%dT%H:%i:%s.%f')`;
    return zoned
      ? `CONVERT(varchar(27), CAST(SWITCHOFFSET(${column}, '+00:00') AS datetime2(6)), 126)`
      : `CONVERT(varchar(27), CAST(${column} AS datetime2(6)), 126)`;
  }
  if (specType === "date") {
    if (family === "postgres") return `to_char(${column}, 'YYYY-MM-DD')`;
    if (family === "mysql") return `DATE_FORMAT(${column}, '%Y-%m-%d')`;
    return `CONVERT(varchar(10), ${column}, 23)`;
  }
  if (specType === "bigint" || specType.startsWith("decimal")) {
    if (family === "postgres") return `${column}::text`;
    if (family === "mysql") return `CAST(${column} AS CHAR)`;
    return `CAST(${column} AS varchar(60))`;
  }
  return column;
}

/** The bounds of a window as the watermark column compares them: instants, or wall-clock times. */
export interface WindowBounds {
  readonly since: string;
  readonly until: string;
}

/**
 * The window's rows: `since <= watermark < until` (windows tile, so a row is in exactly one), every spec
 * column, ordered by the watermark and then the primary key so silver receives the source's order.
 */
export function windowStatement(
  family: Family,
  table: TableSpec,
  name: SourceTableName,
  columns: ReadonlyMap<string, SourceColumn>,
  bounds: WindowBounds,
): Statement {
  const watermark = table.incremental?.watermarkColumn;
  if (!watermark) throw new Error(`${table.name}: a database pull needs incremental.watermarkColumn`);
  const list = table.columns.map((c) => {
    const source = columns.get(c.name);
    if (!source) throw new Error(`${table.name}: the source has no column "${c.name}"`);
    return `${selectExpression(family, `src.${quote(family, c.name)}`, c.type, source)} AS ${quote(family, c.name)}`;
  });
  const from = name.schema
    ? `${quote(family, name.schema)}.${quote(family, name.table)}`
    : quote(family, name.table);
  const wm = quote(family, watermark);
  const zoned = isZoned(family, columns.get(watermark)?.dataType ?? "");
  const bound = (i: number) =>
    family === "postgres" && zoned ? `${placeholder(family, i)}::timestamptz` : placeholder(family, i);
  // Qualified: an output alias of the same name (`"id"::text AS "id"`) would otherwise order as text.
  const order = [watermark, ...table.primaryKey.filter((k) => k !== watermark)].map(
    (c) => `src.${quote(family, c)}`,
  );
  return {
    sql:
      `SELECT ${list.join(", ")} FROM ${from} AS src WHERE src.${wm} >= ${bound(1)} AND src.${wm} < ${bound(2)} ` +
      `ORDER BY ${order.join(", ")}`,
    params: [bounds.since, bounds.until],
  };
}
