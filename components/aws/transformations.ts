import type * as lakeformation from "@pulumi/aws/lakeformation";
import type * as pulumi from "@pulumi/pulumi";
import type { LakehouseSpec } from "../spec";
import type { LayerName } from "../naming";
import type { AwsAccessLogBucket } from "./access-log-bucket";
import type { AwsAlertTopic } from "./alert-topic";
import { AwsArtifactBucket } from "./artifact-bucket";
import { AwsAthenaWorkgroup } from "./athena";
import { AwsIcebergTables } from "./catalog-tables";
import type { AwsContext } from "./context";
import { AwsTransformJobs } from "./glue-jobs";
import { AwsHashKey } from "./hash-key";
import { AwsLakeFormation } from "./lake-formation";
import type { AwsMedallionLayer } from "./medallion-layer";
import { standardTags } from "./tags";
import { AwsTransformWorkflows } from "./transform-workflows";

/** What the lakehouse already has that the transformations build on. */
export interface TransformationInputs {
  readonly spec: LakehouseSpec;
  readonly environment: string;
  readonly layers: Readonly<Record<LayerName, AwsMedallionLayer>>;
  readonly accessLogs: AwsAccessLogBucket;
  readonly alerts: AwsAlertTopic;
  readonly context: AwsContext;
  /** Lake Formation administrators. @default the deploying identity */
  readonly lakeFormationAdmins?: readonly pulumi.Input<string>[];
  /** The account's Lake Formation settings, made before any database. @default made by the governance */
  readonly lakeFormationSettings?: lakeformation.DataLakeSettings;
}

/** Silver and gold on AWS: the pieces, for a lakehouse to expose. */
export interface AwsTransformations {
  readonly artifacts: AwsArtifactBucket;
  readonly catalog: AwsIcebergTables;
  readonly hashKey: AwsHashKey;
  readonly jobs: AwsTransformJobs;
  readonly workflows: AwsTransformWorkflows;
  readonly athena: AwsAthenaWorkgroup;
  readonly governance: AwsLakeFormation;
}

/**
 * Builds the transformations of a lakehouse under `parent`: artifacts bucket, the quarantine database,
 * the environment's key of `hash` masks, Glue jobs, Step Functions workflows with their schedules, the Athena workgroup and Lake Formation.
 */
export function addTransformations(
  parent: pulumi.Resource,
  name: string,
  inputs: TransformationInputs,
): AwsTransformations {
  const { spec, environment, layers, context } = inputs;
  const product = spec.name;
  const protect = spec.protect;
  const opts = { parent };
  const tags = (layer: string) => standardTags({ project: product, environment, layer });
  const artifacts = new AwsArtifactBucket(
    `${name}-artifacts`,
    { product, environment, accessLogs: inputs.accessLogs, context, protect, tags: tags("transform") },
    opts,
  );
  const catalog = new AwsIcebergTables(
    `${name}-catalog`,
    {
      product,
      environment,
      silver: layers.silver,
      protect,
      ...(inputs.lakeFormationSettings ? { databaseDependsOn: [inputs.lakeFormationSettings] } : {}),
      tags: tags("catalog"),
    },
    opts,
  );
  const hashKey = new AwsHashKey(
    `${name}-hash-key`,
    { product, environment, context, protect, tags: tags("transform") },
    opts,
  );
  const jobs = new AwsTransformJobs(
    `${name}-transform`,
    {
      spec,
      product,
      environment,
      layers,
      artifacts,
      tables: catalog,
      context,
      hashKey,
      logDays: spec.retention.logDays,
      tags: tags("transform"),
    },
    opts,
  );
  const workflows = new AwsTransformWorkflows(
    `${name}-workflows`,
    {
      spec,
      product,
      environment,
      jobs,
      alerts: inputs.alerts,
      artifacts,
      context,
      logDays: spec.retention.logDays,
      tags: tags("transform"),
    },
    opts,
  );
  const athena = new AwsAthenaWorkgroup(
    `${name}-athena`,
    { product, environment, artifacts, context, tags: tags("gold") },
    opts,
  );
  const governance = new AwsLakeFormation(
    `${name}-lake-formation`,
    {
      spec,
      product,
      environment,
      layers,
      tables: catalog,
      jobs: jobs.principal,
      athena,
      context,
      ...(inputs.lakeFormationAdmins ? { admins: inputs.lakeFormationAdmins } : {}),
      ...(inputs.lakeFormationSettings ? { settings: inputs.lakeFormationSettings } : {}),
      tags: tags("governance"),
    },
    opts,
  );
  return { artifacts, catalog, hashKey, jobs, workflows, athena, governance };
}
