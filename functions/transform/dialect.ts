import type { ColumnSpec } from "../../components/spec";
import { HASH_KEY_RELATION } from "./plan";

/**
 * Every difference between the SQL dialects the transformations run on, in one place: Spark SQL on
 * Iceberg (Glue), Spark SQL on Delta (Databricks) and DuckDB (local runs and tests). The generators
 * build one statement model and ask the dialect only for the pieces below.
 */

export type Engine = "spark-iceberg" | "spark-delta" | "duckdb";

export interface Dialect {
  readonly engine: Engine;
  /** A string literal; Spark's parser treats backslash as an escape, DuckDB's does not. */
  literal(text: string): string;
  /** The SQL type of a spec column type. */
  type(specType: ColumnSpec["type"]): string;
  /** A cast that yields NULL instead of failing on bad input. */
  tryCast(expr: string, specType: ColumnSpec["type"]): string;
  /** Cast to the engine's string type. */
  toText(expr: string): string;
  /** True when `expr` matches the regular expression `pattern` anywhere (anchor it for a full match). */
  matches(expr: string, pattern: string): string;
  /** Removes every match of `pattern` (all occurrences). */
  removeAll(expr: string, pattern: string): string;
  /** Lower-case hex SHA-256 of the text of `expr`. */
  sha256(expr: string): string;
  /**
   * Lower-case hex HMAC-SHA256 of the UTF-8 text of `expr` (NULL for NULL), keyed by the pads in
   * `HASH_KEY_RELATION`, which the statement must join.
   */
  hmacSha256(expr: string): string;
  /** Drops a session-local relation a `temporary` step made (a TEMP table, a temporary view). */
  dropTemporary(name: string): string;
  /** Calendar year / month (1-12) of a timestamp or date. */
  year(expr: string): string;
  month(expr: string): string;
  /** Table options after the column list or before `AS` (format, partitioning). */
  tableSuffix(partitionBy: readonly string[]): string;
  /** Reads Parquet files under a directory (Hive partitions) as a relation. */
  readParquet(directory: string): string;
  /** The processing time as a TIMESTAMP (no time zone). */
  readonly now: string;
}

const SPARK_TYPES: Record<string, string> = {
  string: "STRING",
  int: "INT",
  bigint: "BIGINT",
  double: "DOUBLE",
  boolean: "BOOLEAN",
  date: "DATE",
  timestamp: "TIMESTAMP",
};
const DUCKDB_TYPES: Record<string, string> = { ...SPARK_TYPES, string: "VARCHAR", int: "INTEGER" };

const KEY = HASH_KEY_RELATION;

function mapType(types: Record<string, string>, specType: string): string {
  return types[specType] ?? specType.toUpperCase(); // decimal(p,s) is spelled the same everywhere
}

function spark(engine: "spark-iceberg" | "spark-delta"): Dialect {
  const format = engine === "spark-iceberg" ? "iceberg" : "delta";
  return {
    engine,
    literal: (text) => `'${text.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`,
    type: (t) => mapType(SPARK_TYPES, t),
    tryCast: (expr, t) => `try_cast(${expr} AS ${mapType(SPARK_TYPES, t)})`,
    toText: (expr) => `CAST(${expr} AS STRING)`,
    matches: (expr, pattern) => `(${expr} RLIKE ${spark(engine).literal(pattern)})`,
    removeAll: (expr, pattern) => `regexp_replace(${expr}, ${spark(engine).literal(pattern)}, '')`,
    sha256: (expr) => `sha2(CAST(${expr} AS STRING), 256)`,
    // sha2 takes binary, concat joins binaries, unhex gives binary (Spark SQL built-in functions reference).
    hmacSha256: (expr) =>
      `sha2(concat(${KEY}._hash_outer_pad, unhex(sha2(concat(${KEY}._hash_inner_pad, CAST(CAST(${expr} AS STRING) AS BINARY)), 256))), 256)`,
    dropTemporary: (name) => `DROP VIEW IF EXISTS ${name}`,
    year: (expr) => `year(${expr})`,
    month: (expr) => `month(${expr})`,
    tableSuffix: (partitionBy) =>
      `USING ${format}${partitionBy.length ? ` PARTITIONED BY (${partitionBy.join(", ")})` : ""}`,
    readParquet: (directory) => `parquet.\`${directory.replace(/\/?$/, "/")}\``,
    now: "current_timestamp()",
  };
}

/**
 * DuckDB's TRY_CAST, narrowed to what Spark's try_cast accepts (test/spark/probes.ts runs both):
 * - integers: Spark's ANSI string→integral cast takes digits with an optional sign only; DuckDB rounds
 *   '1.5' to 2 and reads '0x1F' (hex) and '1_000' (digit separators).
 * - every number: Spark reads no '_' separator.
 * - timestamps: Spark applies a value's offset ('…+02:00') and stores the instant; DuckDB's TIMESTAMP cast
 *   drops the offset. Read as TIMESTAMPTZ (no offset = the session zone, UTC, as on Spark), then UTC wall time.
 */
function duckdbTryCast(expr: string, specType: ColumnSpec["type"]): string {
  const type = mapType(DUCKDB_TYPES, specType);
  if (specType === "timestamp") return `timezone('UTC', TRY_CAST(${expr} AS TIMESTAMPTZ))`;
  if (specType === "int" || specType === "bigint")
    return `CASE WHEN regexp_full_match(${expr}, '[+-]?[0-9]+') THEN TRY_CAST(${expr} AS ${type}) END`;
  if (specType === "double" || specType.startsWith("decimal"))
    return `CASE WHEN NOT contains(${expr}, '_') THEN TRY_CAST(${expr} AS ${type}) END`;
  return `TRY_CAST(${expr} AS ${type})`;
}

const duckdb: Dialect = {
  engine: "duckdb",
  literal: (text) => `'${text.replace(/'/g, "''")}'`,
  type: (t) => mapType(DUCKDB_TYPES, t),
  tryCast: duckdbTryCast,
  toText: (expr) => `CAST(${expr} AS VARCHAR)`,
  matches: (expr, pattern) => `regexp_matches(${expr}, ${duckdb.literal(pattern)})`,
  // DuckDB replaces only the first match unless asked for all with the 'g' option.
  removeAll: (expr, pattern) => `regexp_replace(${expr}, ${duckdb.literal(pattern)}, '', 'g')`,
  sha256: (expr) => `sha256(CAST(${expr} AS VARCHAR))`,
  // encode() is the UTF-8 bytes of a VARCHAR (CAST AS BLOB would read \x escapes); sha256 and || take BLOBs.
  hmacSha256: (expr) =>
    `sha256(${KEY}._hash_outer_pad || unhex(sha256(${KEY}._hash_inner_pad || encode(CAST(${expr} AS VARCHAR)))))`,
  dropTemporary: (name) => `DROP TABLE IF EXISTS ${name}`,
  year: (expr) => `CAST(year(${expr}) AS INTEGER)`,
  month: (expr) => `CAST(month(${expr}) AS INTEGER)`,
  // DuckDB tables are not partitioned; partitioning only matters for the lake formats.
  tableSuffix: () => "",
  readParquet: (directory) =>
    `read_parquet(${duckdb.literal(`${directory.replace(/\/$/, "")}/**/*.parquet`)}, hive_partitioning = true, union_by_name = true)`,
  now: "CAST(current_timestamp AS TIMESTAMP)",
};

/** The dialect of an engine. */
export function dialectFor(engine: Engine): Dialect {
  if (engine === "duckdb") return duckdb;
  if (engine === "spark-iceberg" || engine === "spark-delta") return spark(engine);
  throw new Error(
    `transform: unknown engine "${String(engine)}" (expected spark-iceberg, spark-delta or duckdb)`,
  );
}
