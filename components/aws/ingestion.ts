import * as pulumi from "@pulumi/pulumi";
import type { LakehouseSpec } from "../spec";
import type { AwsAlertTopic } from "./alert-topic";
import { AwsApiPulls } from "./api-pulls";
import { AwsCdcStream } from "./cdc-stream";
import type { AwsContext } from "./context";
import type { ConverterNetwork } from "./converter-task";
import { AwsCustomerKey } from "./customer-key";
import { AwsEventJobs } from "./event-jobs";
import type { AwsFunctionCommon } from "./function";
import type { AwsMedallionLayer } from "./medallion-layer";
import { AwsRawArrival } from "./raw-arrival";
import type { AwsSecretStore } from "./secret-store";

export interface AwsIngestionArgs {
  /** The parsed spec: tables by source kind, routing threshold, schedules, log retention, protection. */
  readonly spec: LakehouseSpec;
  readonly environment: string;
  readonly raw: AwsMedallionLayer;
  readonly bronze: AwsMedallionLayer;
  readonly secrets: AwsSecretStore;
  readonly alerts: AwsAlertTopic;
  /**
   * Glue job an event table's transactions run (`--name <table> --transaction_id <id>`). Required when the spec
   * has event tables; `AwsLakehouse` passes the stack's bronze → silver job unless told another.
   */
  readonly eventJobName?: pulumi.Input<string>;
  /** Where the Fargate converter runs. @default the default VPC (see `AwsConverterTask`) */
  readonly converterNetwork?: ConverterNetwork;
  /** Subnets and security groups that reach the source databases; required when the spec has database pulls. */
  readonly databaseNetwork?: ConverterNetwork;
  readonly context: AwsContext;
  /** Tags for every taggable child (the standard set, with `layer: ingestion`). */
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * Everything that brings data into raw and bronze, from the spec: the CDC stream (when there are CDC
 * tables), raw arrival → bronze conversion, event-driven jobs (when there are event tables), and scheduled
 * API pulls (when there are API tables). Owns the keys they share: one for logs, one for DynamoDB state, one for messages.
 */
export class AwsIngestion extends pulumi.ComponentResource {
  readonly cdc?: AwsCdcStream;
  readonly rawArrival: AwsRawArrival;
  /** Present when the spec has event tables. */
  readonly eventJobs?: AwsEventJobs;
  readonly apiPulls?: AwsApiPulls;
  /** Present when the spec has database tables pulled by watermark. */
  readonly databasePulls?: AwsApiPulls;
  readonly logsKey: AwsCustomerKey;
  readonly stateKey: AwsCustomerKey;
  readonly messagesKey: AwsCustomerKey;

  constructor(name: string, args: AwsIngestionArgs, opts?: pulumi.ComponentResourceOptions) {
    super("medallion:aws:Ingestion", name, {}, opts);
    const { spec, environment, context, tags } = args;
    const product = spec.name;
    const protect = spec.protect;
    const bySource = (kind: string) => spec.tables.filter((t) => t.source.kind === kind);
    const key = (
      suffix: string,
      description: string,
      extra: Partial<ConstructorParameters<typeof AwsCustomerKey>[1]> = {},
    ) =>
      new AwsCustomerKey(
        `${name}-${suffix}-key`,
        {
          aliasParts: [product, environment, suffix],
          description: `${product} ${environment} ${description}`,
          context,
          protect,
          tags,
          ...extra,
        },
        { parent: this },
      );

    this.logsKey = key("logs", "function and workflow logs", { encryptsLogs: true });
    this.stateKey = key("state", "ingestion state (control records, watermarks)");
    // SNS delivers into the encrypted queue, EventBridge into its dead-letter queue.
    this.messagesKey = key("messages", "ingestion messages", {
      servicePrincipals: ["sns.amazonaws.com", "events.amazonaws.com"],
    });
    const common: AwsFunctionCommon = {
      logRetentionDays: spec.retention.logDays,
      logKeyArn: this.logsKey.arn,
      alertTopicArn: args.alerts.alertChannel,
      context,
      tags,
    };
    const shared = { ...common, product, environment, protect };

    const cdcTables = bySource("cdc");
    if (cdcTables.length > 0) {
      this.cdc = new AwsCdcStream(
        `${name}-cdc`,
        { ...shared, tables: cdcTables, raw: args.raw },
        { parent: this },
      );
    }
    this.rawArrival = new AwsRawArrival(
      `${name}-raw-arrival`,
      {
        ...shared,
        tables: spec.tables,
        raw: args.raw,
        bronze: args.bronze,
        stateKey: this.stateKey,
        messagesKeyArn: this.messagesKey.arn,
        alertKeyArn: args.alerts.key.arn,
        lambdaMaxRecords: spec.routing.lambdaMaxRecords,
        ...(args.converterNetwork ? { converterNetwork: args.converterNetwork } : {}),
      },
      { parent: this },
    );
    const eventTables = bySource("event");
    if (eventTables.length > 0) {
      if (args.eventJobName === undefined)
        throw new Error(
          `AwsIngestion ${name} has invalid args:\n  - eventJobName: required, the spec has event tables (${eventTables.map((t) => t.name).join(", ")})`,
        );
      this.eventJobs = new AwsEventJobs(
        `${name}-event-jobs`,
        {
          ...shared,
          tables: eventTables,
          glueJobName: args.eventJobName,
          messagesKey: this.messagesKey,
          alertKeyArn: args.alerts.key.arn,
        },
        { parent: this },
      );
    }
    const apiTables = bySource("api");
    if (apiTables.length > 0) {
      this.apiPulls = new AwsApiPulls(
        `${name}-api-pulls`,
        {
          ...shared,
          tables: apiTables,
          raw: args.raw,
          secrets: args.secrets,
          stateKey: this.stateKey,
          messagesKeyArn: this.messagesKey.arn,
          hourlyCron: spec.schedules.ingestion,
          dailyCron: spec.schedules.daily,
        },
        { parent: this },
      );
    }
    const databaseTables = spec.tables.filter(
      (t) => t.source.kind === "database" && t.source.capture === "pull",
    );
    if (databaseTables.length > 0) {
      this.databasePulls = new AwsApiPulls(
        `${name}-db-pulls`,
        {
          ...shared,
          sourceKind: "database",
          tables: databaseTables,
          raw: args.raw,
          secrets: args.secrets,
          stateKey: this.stateKey,
          messagesKeyArn: this.messagesKey.arn,
          hourlyCron: spec.schedules.ingestion,
          dailyCron: spec.schedules.daily,
          ...(args.databaseNetwork ? { network: args.databaseNetwork } : {}),
        },
        { parent: this },
      );
    }
    this.registerOutputs({});
  }
}
