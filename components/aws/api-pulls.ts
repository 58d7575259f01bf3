import * as iam from "@pulumi/aws/iam";
import * as scheduler from "@pulumi/aws/scheduler";
import * as pulumi from "@pulumi/pulumi";
import { awsResourceName } from "../naming";
import type { TableSpec } from "../spec";
import type { ConverterNetwork } from "./converter-task";
import type { AwsCustomerKey } from "./customer-key";
import { AwsDeadLetterQueue } from "./dead-letter-queue";
import { AwsDynamoTable } from "./dynamo-table";
import { AwsFunction, functionCommon, type AwsFunctionCommon } from "./function";
import { serviceTrustPolicy } from "./service-trust";
import type { AwsMedallionLayer } from "./medallion-layer";
import { DYNAMODB_WATERMARK_ACTIONS, LAMBDA_INVOKE_ACTIONS } from "./perms";
import { policyJson } from "./policy-documents";
import { awsCronExpression } from "./schedule-expression";
import type { AwsSecretStore } from "./secret-store";
import { metricsPipeline } from "../../functions/lib/telemetry";

/** How a run reads its source: since the watermark (hourly) or the whole previous day (daily D-1). */
export type ApiPullMode = "hourly" | "daily";

export interface AwsApiPullsArgs extends AwsFunctionCommon {
  readonly product: string;
  readonly environment: string;
  /** The API tables (source kind `api`); at least one. */
  readonly tables: readonly TableSpec[];
  readonly raw: AwsMedallionLayer;
  /** Holds the API credentials the tables name (`source.secret`). */
  readonly secrets: AwsSecretStore;
  /** Customer key of the watermark table. */
  readonly stateKey: AwsCustomerKey;
  /** Customer key of the schedules' dead-letter queue. */
  readonly messagesKeyArn: pulumi.Input<string>;
  /** Five-field cron of the hourly pull (the spec's `schedules.ingestion`). */
  readonly hourlyCron: string;
  /** Five-field cron of the daily D-1 run, in UTC (the spec's `schedules.daily`). */
  readonly dailyCron: string;
  /** Seconds a pull may run. @default 300 */
  readonly timeoutSeconds?: number;
  /**
   * Concurrency reserved for (and capping) the pull function, to spare the source APIs. Opt-in: Lambda
   * keeps 10 executions unreserved, so an account at the default quota of 10 refuses any reservation.
   * @default unreserved
   */
  readonly reservedConcurrency?: number;
  readonly protect?: boolean;
  /**
   * What the tables pull from: `api` (https sources) or `database` (spec `source.kind: database` with
   * `capture: pull`, read by the database pull function in `network`). @default "api"
   */
  readonly sourceKind?: "api" | "database";
  /** Subnets and security groups that reach the source databases (required for `database`). */
  readonly network?: ConverterNetwork;
}

/** The names each kind of pull uses for its function, watermarks, schedules and alarms. */
const PULL_KIND = {
  api: { type: "medallion:aws:ApiPulls", entry: "api-pull/handler.ts", short: "api-pull", label: "API" },
  database: {
    type: "medallion:aws:DatabasePulls",
    entry: "db-pull/handler.ts",
    short: "db-pull",
    label: "database",
  },
} as const;

/** The secret a pulled table names: its API credential or its database connection. */
function pullSecret(table: TableSpec): string | undefined {
  if (table.source.kind === "api") return table.source.secret;
  if (table.source.kind === "database") return table.source.secret;
  return undefined;
}

/**
 * API pulls into raw (seed 004): one pull function for every API table, invoked per table by EventBridge
 * Scheduler hourly and once a day for D-1 (`{ table, mode }`), each schedule with a retry policy and a
 * KMS-encrypted dead-letter queue (alarmed); a scheduler role that may invoke that function only; a
 * watermark table (KMS, point-in-time recovery) the function advances after a successful write; read
 * access to the tables' own secrets only.
 */
export class AwsApiPulls extends pulumi.ComponentResource {
  readonly puller: AwsFunction;
  readonly watermarkTable: AwsDynamoTable;
  readonly deadLetterQueue: AwsDeadLetterQueue;
  readonly schedules: Readonly<Record<string, scheduler.Schedule>>;

  constructor(name: string, args: AwsApiPullsArgs, opts?: pulumi.ComponentResourceOptions) {
    const kind = PULL_KIND[args.sourceKind ?? "api"];
    super(kind.type, name, {}, opts);
    validateApiPullsArgs(name, args);
    const timeoutSeconds = args.timeoutSeconds ?? 300;
    const protect = args.protect ?? false;
    const hourly = awsCronExpression(args.hourlyCron);
    const daily = awsCronExpression(args.dailyCron);
    const { context, product, environment } = args;
    const secretNames = [
      ...new Set(
        args.tables.flatMap((t) => {
          const secret = pullSecret(t);
          return secret ? [secret] : [];
        }),
      ),
    ].sort();

    this.watermarkTable = new AwsDynamoTable(
      `${name}-watermarks`,
      {
        tableName: awsResourceName([product, environment, kind.short.replace("-pull", "-watermarks")], 255),
        hashKey: "source",
        key: args.stateKey,
        protect,
        context,
        tags: args.tags,
      },
      { parent: this },
    );
    this.puller = new AwsFunction(
      `${name}-puller`,
      {
        ...functionCommon(args),
        entry: kind.entry,
        functionName: awsResourceName([product, environment, kind.short], 64),
        description: `Pulls ${kind.label} sources into raw from their watermark (hourly) or for D-1 (daily)`,
        principalName: kind.short,
        tables: args.tables,
        environment: {
          WATERMARK_TABLE: this.watermarkTable.tableName,
          RAW_BUCKET: args.raw.bucketName,
          METRICS_PIPELINE: metricsPipeline(args.product, args.environment),
          SECRET_ARNS: pulumi.jsonStringify(
            Object.fromEntries(secretNames.map((n) => [n, args.secrets.references[n]])),
          ),
        },
        timeoutSeconds,
        memorySizeMb: 512,
        ...(args.reservedConcurrency !== undefined ? { reservedConcurrency: args.reservedConcurrency } : {}),
        ...(args.network ? { vpc: args.network } : {}),
      },
      { parent: this },
    );
    args.raw.grantWrite(this.puller);
    this.puller.alarmOnMetric("PullsFailed", kind.short, `${kind.label} pulls failed (see its logs)`);
    this.watermarkTable.grant(this.puller, DYNAMODB_WATERMARK_ACTIONS);
    if (secretNames.length > 0) args.secrets.grantRead(this.puller, secretNames);

    const schedulerRole = new iam.Role(
      `${name}-scheduler-role`,
      {
        description: `Lets EventBridge Scheduler invoke the ${kind.label} pull function`,
        assumeRolePolicy: serviceTrustPolicy("scheduler", context),
        tags: { ...args.tags },
      },
      { parent: this },
    );
    const schedulerPrincipal = { name: `${kind.short}-scheduler`, role: schedulerRole };
    this.deadLetterQueue = new AwsDeadLetterQueue(
      `${name}-dlq`,
      {
        queueName: awsResourceName([product, environment, `${kind.short}-dlq`], 80),
        keyArn: args.messagesKeyArn,
        alertTopicArn: args.alertTopicArn,
        purpose: `${kind.label} pull runs the scheduler could not start, or that failed after retries`,
        via: context,
        tags: args.tags,
      },
      { parent: this },
    );
    this.puller.sendAsyncFailuresTo(this.deadLetterQueue);
    const access = [
      this.deadLetterQueue.grantSend(schedulerPrincipal),
      new iam.RolePolicy(
        `${name}-scheduler-invoke`,
        {
          role: schedulerRole.name,
          policy: policyJson([
            {
              Sid: kind.short === "api-pull" ? "InvokeApiPull" : "InvokeDatabasePull",
              Effect: "Allow",
              Action: [...LAMBDA_INVOKE_ACTIONS],
              Resource: [this.puller.arn, pulumi.interpolate`${this.puller.arn}:*`],
            },
          ]),
        },
        { parent: this },
      ),
    ];
    const group = new scheduler.ScheduleGroup(
      `${name}-schedules`,
      { name: awsResourceName([product, environment, `${kind.short}s`], 64), tags: { ...args.tags } },
      { parent: this },
    );

    const schedules: Record<string, scheduler.Schedule> = {};
    for (const table of [...args.tables].sort((a, b) => a.name.localeCompare(b.name))) {
      for (const [mode, expression] of [
        ["hourly", hourly],
        ["daily", daily],
      ] as const) {
        schedules[`${table.name}-${mode}`] = new scheduler.Schedule(
          `${name}-${table.name}-${mode}`,
          {
            name: awsResourceName([table.name, mode], 64),
            groupName: group.name,
            description: `${mode === "hourly" ? "Hourly pull" : "Daily D-1 pull"} of ${table.name}`,
            scheduleExpression: expression,
            scheduleExpressionTimezone: "UTC",
            flexibleTimeWindow: { mode: "OFF" },
            state: "ENABLED",
            target: {
              arn: this.puller.arn,
              roleArn: schedulerRole.arn,
              input: JSON.stringify({ table: table.name, mode }),
              retryPolicy: { maximumEventAgeInSeconds: 3600, maximumRetryAttempts: 5 },
              deadLetterConfig: { arn: this.deadLetterQueue.arn },
            },
          },
          { parent: this, dependsOn: access },
        );
      }
    }
    this.schedules = schedules;
    this.registerOutputs({ watermarkTable: this.watermarkTable.tableName });
  }
}

/** Collects every problem with the args and throws one error naming the component and each field. */
export function validateApiPullsArgs(name: string, args: AwsApiPullsArgs): void {
  const problems: string[] = [];
  const sourceKind = args.sourceKind ?? "api";
  const label = PULL_KIND[sourceKind].label;
  if (args.tables.length === 0) problems.push(`tables: at least one ${label} table is required`);
  const wrong = args.tables
    .filter((t) =>
      sourceKind === "api"
        ? t.source.kind !== "api"
        : t.source.kind !== "database" || t.source.capture !== "pull",
    )
    .map((t) => t.name);
  if (wrong.length > 0) problems.push(`tables: not ${label} pull tables: ${wrong.join(", ")}`);
  for (const t of args.tables) {
    const secret = pullSecret(t);
    if (secret && !(secret in args.secrets.references))
      problems.push(`tables.${t.name}.source.secret: no secret "${secret}" in the secret store`);
  }
  if (sourceKind === "database" && !args.network)
    problems.push(
      "network: required for database pulls (the subnets and security groups that reach the databases)",
    );
  for (const [field, cron] of [
    ["hourlyCron", args.hourlyCron],
    ["dailyCron", args.dailyCron],
  ] as const) {
    try {
      awsCronExpression(cron);
    } catch (error) {
      problems.push(`${field}: ${(error as Error).message}`);
    }
  }
  if (problems.length > 0) {
    throw new Error(`AwsApiPulls ${name} has invalid args:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  }
}
