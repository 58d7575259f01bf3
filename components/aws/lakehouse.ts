import * as pulumi from "@pulumi/pulumi";
import { capabilityProblems } from "../capabilities";
import type { Lakehouse, LakehouseArgs } from "../contracts";
import { ConfigError } from "../spec";
import { LAYERS, type LayerName } from "../naming";
import { AwsAccessLogBucket } from "./access-log-bucket";
import { AwsAlertTopic } from "./alert-topic";
import { awsContext } from "./context";
import { AwsMedallionLayer, type AwsPrincipal } from "./medallion-layer";
import { AwsIngestion, type AwsIngestionArgs } from "./ingestion";
import { dataLakeSettings } from "./lake-formation";
import { addObservability, type AwsObservability } from "./observability";
import { AwsSecretStore } from "./secret-store";
import { standardTags } from "./tags";
import { addTransformations, type AwsTransformations } from "./transformations";

export interface AwsLakehouseArgs extends LakehouseArgs {
  /** Ingestion options beyond the spec (the event tables' Glue job, converter network). @default the stack's bronze → silver job; the default VPC */
  readonly ingestion?: Pick<AwsIngestionArgs, "eventJobName" | "converterNetwork" | "databaseNetwork">;
  /**
   * Every Lake Formation administrator the account must keep (IAM role/user ARNs, paths kept): the
   * settings replace the account's list. The deploying identity is added. @default the deploying identity
   */
  readonly lakeFormationAdmins?: readonly pulumi.Input<string>[];
}

/**
 * The whole lakehouse on AWS, from one spec: four hardened layers sharing an access-log bucket, the
 * secret store and the alert topic. Pass an explicit AWS provider (with default tags) through
 * `opts.providers` or `opts.provider`; every child inherits it.
 */
export class AwsLakehouse extends pulumi.ComponentResource implements Lakehouse<AwsPrincipal> {
  readonly layers: Readonly<Record<LayerName, AwsMedallionLayer>>;
  readonly accessLogs: AwsAccessLogBucket;
  readonly secrets: AwsSecretStore;
  readonly monitoring: AwsAlertTopic;
  /** CDC stream, raw arrival → bronze, event-driven jobs and API pulls. */
  readonly ingestion: AwsIngestion;
  /** Silver and gold: Glue jobs, workflows and schedules, Iceberg tables, Athena, Lake Formation. */
  readonly transformations: AwsTransformations;
  /** The dashboard, a quarantine-ratio and a freshness alarm per table, and the stack's budget. */
  readonly observability: AwsObservability;

  constructor(name: string, args: AwsLakehouseArgs, opts?: pulumi.ComponentResourceOptions) {
    super("medallion:aws:Lakehouse", name, {}, opts);
    const { spec, environment } = args;
    const unsupported = capabilityProblems(spec, "aws");
    if (unsupported.length > 0) throw new ConfigError(`AwsLakehouse ${name} spec`, unsupported);
    const product = spec.name;
    const protect = spec.protect;
    const context = awsContext(this);
    const tagsFor = (layer: string) => standardTags({ project: product, environment, layer });

    this.accessLogs = new AwsAccessLogBucket(
      `${name}-access-logs`,
      {
        nameParts: [product, environment],
        context,
        expirationDays: Math.max(spec.retention.logDays, 90),
        protect,
        tags: tagsFor("logs"),
      },
      { parent: this },
    );
    // Before any Glue database: a database gets the Lake Formation defaults in force when it is created.
    const lakeFormationSettings = dataLakeSettings(
      `${name}-lake-formation-settings`,
      { ...(args.lakeFormationAdmins ? { admins: args.lakeFormationAdmins } : {}) },
      this,
    );
    const layers = {} as Record<LayerName, AwsMedallionLayer>;
    for (const layer of LAYERS) {
      layers[layer] = new AwsMedallionLayer(
        `${name}-${layer}`,
        {
          layer,
          product,
          environment,
          accessLogs: this.accessLogs,
          noncurrentVersionDays: spec.retention.noncurrentVersionDays,
          ...(layer === "raw"
            ? {
                transitionToInfrequentAccessDays: spec.retention.rawTransitionDays,
                expirationDays: spec.retention.rawExpirationDays,
              }
            : {}),
          protect,
          context,
          databaseDependsOn: [lakeFormationSettings],
          tags: tagsFor(layer),
        },
        { parent: this },
      );
    }
    this.layers = layers;
    this.secrets = new AwsSecretStore(
      `${name}-secrets`,
      {
        product,
        environment,
        secrets: spec.secrets,
        values: args.secretValues,
        protect,
        context,
        tags: tagsFor("secrets"),
      },
      { parent: this },
    );
    this.monitoring = new AwsAlertTopic(
      `${name}-alerts`,
      {
        product,
        environment,
        emails: spec.alerts.emails,
        webhooks: spec.alerts.webhooks,
        context,
        tags: tagsFor("alerts"),
      },
      { parent: this },
    );
    // Before ingestion: the event jobs run the bronze → silver job the transformations create.
    this.transformations = addTransformations(this, name, {
      spec,
      environment,
      layers,
      accessLogs: this.accessLogs,
      alerts: this.monitoring,
      context,
      lakeFormationSettings,
    });
    this.ingestion = new AwsIngestion(
      `${name}-ingestion`,
      {
        ...args.ingestion,
        eventJobName: args.ingestion?.eventJobName ?? this.transformations.jobs.silverJob.name,
        spec,
        environment,
        raw: layers.raw,
        bronze: layers.bronze,
        secrets: this.secrets,
        alerts: this.monitoring,
        context,
        tags: tagsFor("ingestion"),
      },
      { parent: this },
    );
    this.observability = addObservability(this, name, {
      spec,
      environment,
      ingestion: this.ingestion,
      transformations: this.transformations,
      alerts: this.monitoring,
      context,
      tags: tagsFor("observability"),
    });
    this.registerOutputs({});
  }
}
