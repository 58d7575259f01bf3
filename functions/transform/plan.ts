/** The plan format the Spark runner (spark_runner.py) and the local DuckDB runner execute. */

/** One named statement (or, on Databricks, one Auto Loader stream) in a plan. */
export interface PlanStep {
  /** Logged by the runners with the step's row count. */
  name: string;
  kind: "sql" | "autoloader" | "create_table";
  /**
   * The statement, for `sql` steps; for `create_table` steps, the `CREATE TABLE IF NOT EXISTS` of a
   * missing table (an existing one is evolved to `columns` instead, see ddl.ts).
   */
  sql?: string;
  /** Raw files to stream from, for `autoloader` steps. */
  source?: string;
  /** Raw file format, for `autoloader` steps. */
  format?: "json" | "csv";
  /** The raw schema (Spark DDL, from the spec), for `autoloader` steps: Auto Loader infers nothing. */
  schema?: string;
  /** The table a step writes: runners log its row count after the step. */
  target?: string;
  /**
   * For `sql` steps whose statement is a query: the runner keeps its result, for this session only, as a
   * relation of this name, materialised once (DuckDB: a TEMP table; Spark: the locally checkpointed
   * DataFrame as a temporary view, so no later step re-reads its sources), and logs its row count. Being
   * session-local, overlapping runs cannot clobber each other's, and nothing is left in the catalog.
   */
  temporary?: string;
  /** Stream checkpoint and schema location, for `autoloader` steps. */
  checkpoint?: string;
  /**
   * Runtime inputs the runner provides before the step. `hash_key`: the relation `HASH_KEY_RELATION` holding
   * the HMAC pads of the environment's hash secret (never a literal in the plan: plans are shown in diffs).
   */
  inputs?: RuntimeInput[];
  /** For `create_table` steps: the columns the table must have, in the engine's type names. */
  columns?: PlanColumn[];
  /** For `create_table` steps: the table options (format, partitioning) a rebuild keeps. */
  options?: string;
  /** For `create_table` steps: the partition columns (never recast or dropped). */
  partitionBy?: string[];
  /** For `create_table` steps: what to do with a column the spec removed or retyped (the table's `migrations`). */
  migrations?: { column: string; change: "drop" | "recast" }[];
}

/** A column of a `create_table` step. */
export interface PlanColumn {
  readonly name: string;
  /** The engine's type (`BIGINT`, `DECIMAL(12,2)`). */
  readonly type: string;
}

export type RuntimeInput = "hash_key";

/**
 * The one-row relation (a session temporary table or view) the runners create for a step that needs the
 * hash key: `_hash_inner_pad` = K ⊕ ipad, `_hash_outer_pad` = K ⊕ opad (binary, 64 bytes, RFC 2104), so
 * the SQL computes HMAC-SHA256 with sha256 and concatenation only.
 */
export const HASH_KEY_RELATION = "_medallion_hash_key";

/** Ordered steps for one table, view or gold model. */
export interface TransformPlan {
  name: string;
  stage: "bronze" | "silver" | "gold" | "views";
  steps: PlanStep[];
}

/** Catalog/database (or catalog.schema) names that qualify tables in each layer. */
export interface Namespaces {
  bronze: string;
  silver: string;
  gold: string;
  quarantine: string;
}
