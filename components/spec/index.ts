export { ConfigError, type ConfigProblem } from "./errors";
export { parseLakehouseSpec, lakehouseSpecProblems } from "./parse";
export { parseStackSettings, CLOUDS, type Cloud, type StackSettings, type RawStackSettings } from "./stack";
// The spec's types with each field's doc comment (generated; zod's inferred types lose them in the .d.ts).
export type { LakehouseSpec, LakehouseSpecInput } from "./types.generated";
import type { LakehouseSpec } from "./types.generated";
export type TableSpec = LakehouseSpec["tables"][number];
export type ColumnSpec = TableSpec["columns"][number];
export type SourceSpec = TableSpec["source"];
export type QualityRuleSpec = TableSpec["quality"][number];
export type ColumnMigrationSpec = NonNullable<TableSpec["migrations"]>[number];
export type ViewSpec = LakehouseSpec["views"][number];
export type GoldModelSpec = LakehouseSpec["gold"][number];
export type SecretSpec = LakehouseSpec["secrets"][number];
export type DatabricksSpec = LakehouseSpec["databricks"];
export type { MaskingRule } from "./schema";
export { formatProblem } from "./errors";
export { cronProblems } from "./cron";
export {
  lakehouseJsonSchema,
  stackFileJsonSchema,
  printSchema,
  STACK_SCHEMA_FILE,
  STACK_SCHEMA_ID,
  type JsonSchema,
} from "./json-schema";
export { specReference } from "./reference";
export {
  validateStackFile,
  printValidation,
  withStackFileLocations,
  type StackFileValidation,
} from "./stack-file";
export { initStackFile, minimalStackFile, schemaComment, PACKAGE_SCHEMA_PATH } from "./init";
