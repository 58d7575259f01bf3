export { ConfigError, type ConfigProblem } from "./errors";
export { parseLakehouseSpec, lakehouseSpecProblems } from "./parse";
export { parseStackSettings, CLOUDS, type Cloud, type StackSettings, type RawStackSettings } from "./stack";
export type {
  LakehouseSpec,
  LakehouseSpecInput,
  TableSpec,
  ColumnSpec,
  SourceSpec,
  QualityRuleSpec,
  MaskingRule,
  ViewSpec,
  GoldModelSpec,
  SecretSpec,
  DatabricksSpec,
} from "./schema";
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
