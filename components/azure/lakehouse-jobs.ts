import type { Provider } from "@pulumi/databricks/provider";
import * as pulumi from "@pulumi/pulumi";
import type { LayerName } from "../naming";
import type { LakehouseSpec } from "../spec";
import { AzureLakehouseJob } from "./lakehouse-job";
import type { AzureMedallionLayer } from "./medallion-layer";
import { jobPlanFiles } from "./plans";

export interface MedallionJobsArgs {
  readonly spec: LakehouseSpec;
  readonly environment: string;
  readonly catalogName: string;
  readonly layerUri: (layer: string) => string;
  readonly provider: Provider;
  readonly runAs: pulumi.Input<string>;
  readonly runnerPath: string;
  readonly layers: Readonly<Record<LayerName, AzureMedallionLayer>>;
  readonly hashKeySecret: pulumi.Input<string>;
  /** What the medallion job waits for besides the layers (the quarantine schema, the secret store). */
  readonly waitFor: readonly pulumi.Resource[];
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * The lakehouse's two Databricks jobs, children of the lakehouse (same logical names as before the split):
 * the medallion job (bronze → silver on `schedules.bronzeToSilver`, started also by event messages when the
 * spec has event tables: their `event_table`/`transaction_id` job parameters) and the gold job on
 * `schedules.silverToGold`.
 */
export function medallionJobs(
  parent: pulumi.ComponentResource,
  name: string,
  args: MedallionJobsArgs,
): { job: AzureLakehouseJob; goldJob: AzureLakehouseJob } {
  const { spec, catalogName, layerUri } = args;
  const plans = jobPlanFiles(spec, {
    namespaces: {
      bronze: `${catalogName}.bronze`,
      silver: `${catalogName}.silver`,
      gold: `${catalogName}.gold`,
      quarantine: `${catalogName}.quarantine`,
    },
    rawRoot: layerUri("raw"),
    checkpointRoot: `${layerUri("bronze")}_checkpoints/`,
  });
  const jobArgs = {
    product: spec.name,
    environment: args.environment,
    provider: args.provider,
    settings: spec.databricks,
    rawLocation: args.layers.raw.location,
    emails: spec.alerts.emails,
    webhooks: spec.alerts.webhooks,
    runAs: args.runAs,
    runnerPath: args.runnerPath,
    plans,
    tags: args.tags,
  };
  const hasEvents = spec.tables.some((t) => t.source.kind === "event");
  const job = new AzureLakehouseJob(
    `${name}-job`,
    {
      ...jobArgs,
      schedule: spec.schedules.bronzeToSilver,
      tasks: ["bronze", "silver"],
      ...(hasEvents ? { jobParameters: ["event_table", "transaction_id"] } : {}),
      hashKeySecret: args.hashKeySecret,
    },
    { parent, dependsOn: [...args.waitFor, ...Object.values(args.layers)] },
  );
  // schedules.silverToGold: gold on its own schedule; a file-arrival trigger would start it on raw files.
  const goldJob = new AzureLakehouseJob(
    `${name}-gold-job`,
    {
      ...jobArgs,
      settings: { ...spec.databricks, trigger: "schedule" },
      schedule: spec.schedules.silverToGold,
      tasks: ["gold"],
      jobSuffix: "gold",
      runner: job.runner,
    },
    { parent, dependsOn: [...Object.values(args.layers)] },
  );
  return { job, goldJob };
}
