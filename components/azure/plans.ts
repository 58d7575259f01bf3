import type { LayerName } from "../naming";
import type { LakehouseSpec } from "../spec";
import type { JobTaskName } from "./lakehouse-job";

/** Where the job's plans read and write: Unity Catalog namespaces and the raw and checkpoint roots. */
export interface JobPlanTargets {
  /** `catalog.schema` per layer, plus the quarantine schema. */
  readonly namespaces: Readonly<Record<Exclude<LayerName, "raw"> | "quarantine", string>>;
  /** The raw layer's `abfss://` URI. */
  readonly rawRoot: string;
  /** Where Auto Loader keeps stream checkpoints and inferred schemas. */
  readonly checkpointRoot: string;
}

/**
 * The plan file (JSON text, `{ "plans": [...] }`) each job task runs through the Spark runner. Bronze is
 * one Auto Loader stream per table (availableNow) from `raw/<table>/` into `<bronze>.<table>`.
 * Silver and gold carry the tables and models they build; the SQL comes from functions/transform.
 */
export function jobPlanFiles(spec: LakehouseSpec, targets: JobPlanTargets): Record<JobTaskName, string> {
  const root = targets.rawRoot.replace(/\/$/, "");
  const checkpoints = targets.checkpointRoot.replace(/\/$/, "");
  const bronze = spec.tables.map((table) => ({
    name: table.name,
    stage: "bronze",
    steps: [
      {
        name: `${table.name}.autoload`,
        kind: "autoloader",
        source: `${root}/${table.name}/`,
        format: table.format,
        target: `${targets.namespaces.bronze}.${table.name}`,
        checkpoint: `${checkpoints}/${table.name}`,
      },
    ],
  }));
  const silver = spec.tables.map((table) => ({ name: table.name, stage: "silver", steps: [] }));
  const gold = spec.gold.map((model) => ({ name: model.name, stage: "gold", steps: [] }));
  return { bronze: planFile(bronze), silver: planFile(silver), gold: planFile(gold) };
}

function planFile(plans: readonly unknown[]): string {
  return `${JSON.stringify({ plans }, null, 2)}\n`;
}
