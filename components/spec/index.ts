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
  ColumnMigrationSpec,
  MaskingRule,
  ViewSpec,
  GoldModelSpec,
  SecretSpec,
  DatabricksSpec,
} from "./schema";
