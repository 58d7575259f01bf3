import {
  autoloaderPlans,
  buildTransformPlans,
  type Namespaces,
  type TransformPlan,
} from "../../functions/transform";
import type { LakehouseSpec } from "../spec";
import type { JobTaskName } from "./lakehouse-job";

/** Where the job's plans read and write: Unity Catalog namespaces and the raw and checkpoint roots. */
export interface JobPlanTargets {
  /** `catalog.schema` of bronze, silver, gold and quarantine. */
  readonly namespaces: Namespaces;
  /** The raw layer's `abfss://` URI. */
  readonly rawRoot: string;
  /** Where Auto Loader keeps stream checkpoints and inferred schemas. */
  readonly checkpointRoot: string;
}

/**
 * The plan file (JSON text, `{ "plans": [...] }`) each job task runs through the Spark runner, generated
 * from the spec by functions/transform in the Delta dialect: bronze is one Auto Loader stream per table
 * (availableNow) from `raw/<table>/`; silver casts, checks quality (failures to quarantine with the
 * reason), masks PII and merges each table, then builds the flat views; gold builds each model.
 */
export function jobPlanFiles(spec: LakehouseSpec, targets: JobPlanTargets): Record<JobTaskName, string> {
  const transforms = buildTransformPlans(spec, "spark-delta", targets.namespaces);
  return {
    bronze: planFile(autoloaderPlans(spec, targets.rawRoot, targets.checkpointRoot, targets.namespaces)),
    silver: planFile([...transforms.bronzeToSilver, ...transforms.views]),
    gold: planFile(transforms.silverToGold),
  };
}

function planFile(plans: readonly TransformPlan[]): string {
  return `${JSON.stringify({ plans }, null, 2)}\n`;
}
