/** The plan format the Spark runner (spark_runner.py) and the local DuckDB runner execute. */

/** One named statement (or, on Databricks, one Auto Loader stream) in a plan. */
export interface PlanStep {
  /** Logged by the runners with the step's row count. */
  name: string;
  kind: "sql" | "autoloader";
  /** The statement, for `sql` steps. */
  sql?: string;
  /** Raw files to stream from, for `autoloader` steps. */
  source?: string;
  /** Raw file format, for `autoloader` steps. */
  format?: "json" | "csv";
  /** The table a step writes: runners log its row count after the step. */
  target?: string;
  /** Stream checkpoint and schema location, for `autoloader` steps. */
  checkpoint?: string;
}

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
