import * as cloudwatch from "@pulumi/aws/cloudwatch";
import * as glue from "@pulumi/aws/glue";
import * as iam from "@pulumi/aws/iam";
import * as s3 from "@pulumi/aws/s3";
import * as pulumi from "@pulumi/pulumi";
import { readFileSync } from "node:fs";
import {
  buildTransformPlans,
  runnerScriptPath,
  type Namespaces,
  type TransformPlan,
} from "../../functions/transform";
import { metricsPipeline } from "../../functions/lib/telemetry";
import type { LakehouseSpec } from "../spec";
import { dashedResourceName, logGroupName, NAME_LIMITS, type LayerName } from "../naming";
import { ARTIFACT_PREFIXES, type AwsArtifactBucket } from "./artifact-bucket";
import type { AwsIcebergTables } from "./catalog-tables";
import type { AwsContext } from "./context";
import type { AwsHashKey } from "./hash-key";
import type { AwsMedallionLayer, AwsPrincipal } from "./medallion-layer";
import {
  GLUE_CATALOG_READ_ACTIONS,
  GLUE_CATALOG_WRITE_ACTIONS,
  GLUE_ENCRYPTED_LOGS_ACTIONS,
  GLUE_METRICS_ACTIONS,
  KMS_CLIENT_SIDE_ACTIONS,
} from "./perms";
import { policyJson } from "./policy-documents";
import { serviceRole } from "./service-role";

/** The Spark catalog name the jobs register the Glue Data Catalog under (Iceberg's GlueCatalog). */
export const ICEBERG_CATALOG = "glue_catalog";

export interface AwsTransformJobsArgs {
  readonly spec: LakehouseSpec;
  readonly product: string;
  readonly environment: string;
  readonly layers: Readonly<Record<LayerName, AwsMedallionLayer>>;
  readonly artifacts: AwsArtifactBucket;
  readonly tables: AwsIcebergTables;
  readonly context: AwsContext;
  /** The key of `hash` masks: the silver job reads it (`--hash-key-secret`). */
  readonly hashKey: AwsHashKey;
  /** Log retention of the jobs' log groups (the spec's `retention.logDays`). */
  readonly logDays: number;
  /** Minutes before a job run is stopped. @default 60 */
  readonly timeoutMinutes?: number;
  /** Glue's own retries of a failed run (the workflows retry too). @default 1 */
  readonly maxRetries?: number;
  /** Glue worker type. @default "G.1X" */
  readonly workerType?: string;
  /** Workers per run (at least 2). @default 2 */
  readonly numberOfWorkers?: number;
  /** Runs of one job at the same time (the workflows' Map concurrency). @default 4 */
  readonly maxConcurrentRuns?: number;
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * The Glue 5.0 Spark jobs that run the generated plans with spark_runner.py: one job per stage
 * (bronze → silver, silver → gold), the table or model passed as `--name`, so adding a table adds no
 * job. Iceberg is enabled on the Glue Data Catalog; a security configuration encrypts S3 writes,
 * CloudWatch logs and job bookmarks with the artifacts key. The job role gets least privilege: the layer
 * grants, its code read-only, its scratch space, the tables of the databases it writes (one ARN per
 * database, so the role's policies do not grow with the spec), its two log groups and the hash key.
 */
export class AwsTransformJobs extends pulumi.ComponentResource {
  readonly role: iam.Role;
  readonly principal: AwsPrincipal;
  readonly securityConfiguration: glue.SecurityConfiguration;
  /** Where Glue 5.0 writes the jobs' logs (`error`: driver and Spark logs, `output`: stdout/stderr). */
  readonly logGroups: Readonly<Record<"error" | "output", cloudwatch.LogGroup>>;
  readonly silverJob: glue.Job;
  readonly goldJob: glue.Job;
  /** `s3://…/plans/views.json`: the silver job runs it (`--plan`) for the flat views. */
  readonly viewsPlanUri: pulumi.Output<string>;
  /** Names of the views plan's entries (empty when the spec has no views). */
  readonly viewNames: readonly string[];

  constructor(name: string, args: AwsTransformJobsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("medallion:aws:TransformJobs", name, {}, opts);
    validateJobArgs(name, args);
    const timeoutMinutes = args.timeoutMinutes ?? 60;
    const maxRetries = args.maxRetries ?? 1;
    const workerType = args.workerType ?? "G.1X";
    const numberOfWorkers = args.numberOfWorkers ?? 2;
    const maxConcurrentRuns = args.maxConcurrentRuns ?? 4;
    const { artifacts, context, layers, product, environment } = args;
    const tags = { ...args.tags };
    const prefix = ARTIFACT_PREFIXES.transform;

    this.role = serviceRole(
      `${name}-role`,
      {
        roleName: dashedResourceName([product, environment, "transform-job"], NAME_LIMITS.iamRole),
        service: "glue.amazonaws.com",
        accountId: context.accountId,
        description: `Glue transformation jobs of ${product} (${environment})`,
        tags,
      },
      this,
    );
    this.principal = { name: "transform-job", role: this.role };
    layers.bronze.grantRead(this.principal);
    for (const layer of ["silver", "gold"] as const) {
      layers[layer].grantRead(this.principal);
      layers[layer].grantWrite(this.principal);
    }
    artifacts.grantRead(this.principal, prefix);
    artifacts.grantRead(this.principal, ARTIFACT_PREFIXES.scratch);
    artifacts.grantWrite(this.principal, ARTIFACT_PREFIXES.scratch);

    const securityConfigurationName = dashedResourceName(
      [product, environment, "transform"],
      NAME_LIMITS.glueSecurityConfiguration,
    );
    // Glue 5.0 has no continuous-logging arguments (--enable-continuous-cloudwatch-log is Glue <= 4.0): it
    // always logs to `<prefix>/error` and `<prefix>/output`, the prefix set by --custom-logGroup-prefix
    // (https://docs.aws.amazon.com/glue/latest/dg/monitor-continuous-logging.html). With a security
    // configuration encrypting CloudWatch logs, Glue appends `-<security configuration name>` to the group
    // and associates the key with it, which needs logs:AssociateKmsKey
    // (https://docs.aws.amazon.com/glue/latest/dg/monitor-continuous-logging-enable.html, "Security
    // configuration with continuous logging"). The groups exist beforehand, so they have a retention and
    // the key from the start; the artifacts key admits CloudWatch Logs for this account's groups.
    const logPrefix = logGroupName("/aws-glue/jobs", [product, environment, "transform"]);
    const logGroup = (stream: "error" | "output") =>
      new cloudwatch.LogGroup(
        `${name}-${stream}-logs`,
        {
          name: `${logPrefix}/${stream}-${securityConfigurationName}`,
          retentionInDays: args.logDays,
          kmsKeyId: artifacts.key.arn,
          tags,
        },
        { parent: this },
      );
    this.logGroups = { error: logGroup("error"), output: logGroup("output") };
    this.securityConfiguration = new glue.SecurityConfiguration(
      `${name}-security`,
      {
        name: securityConfigurationName,
        encryptionConfiguration: {
          s3Encryption: { s3EncryptionMode: "SSE-KMS", kmsKeyArn: artifacts.key.arn },
          cloudwatchEncryption: { cloudwatchEncryptionMode: "SSE-KMS", kmsKeyArn: artifacts.key.arn },
          jobBookmarksEncryption: { jobBookmarksEncryptionMode: "CSE-KMS", kmsKeyArn: artifacts.key.arn },
        },
      },
      { parent: this },
    );
    const runtimePolicy = new iam.RolePolicy(
      `${name}-runtime`,
      { role: this.role.name, policy: this.runtimePolicy(args) },
      { parent: this },
    );
    const hashKeyPolicy = args.hashKey.grantRead(this.principal);

    // The plans, generated from the spec for Spark on Iceberg, with the real catalog and bucket names.
    const plans = pulumi
      .all([
        layers.silver.catalogNamespace,
        layers.gold.catalogNamespace,
        args.tables.quarantineDatabase.name,
        layers.bronze.bucketName,
        layers.bronze.catalogNamespace,
      ])
      .apply(([silver, gold, quarantine, bronzeBucket, bronze]) => {
        // Bronze is read as the converter's Parquet files (bronzeRoot); its namespace names it in logs.
        const namespaces: Namespaces = {
          bronze: `${ICEBERG_CATALOG}.${bronze}`,
          silver: `${ICEBERG_CATALOG}.${silver}`,
          gold: `${ICEBERG_CATALOG}.${gold}`,
          quarantine: `${ICEBERG_CATALOG}.${quarantine}`,
        };
        return buildTransformPlans(args.spec, "spark-iceberg", namespaces, {
          bronzeRoot: `s3://${bronzeBucket}/`,
        });
      });
    const upload = (key: string, file: string, content: pulumi.Input<string>, contentType: string) =>
      new s3.BucketObjectv2(
        `${name}-${key}`,
        {
          bucket: artifacts.bucketName,
          key: `${prefix}${file}`,
          content,
          contentType,
          serverSideEncryption: "aws:kms",
          kmsKeyId: artifacts.key.arn,
          tags,
        },
        { parent: this },
      );
    const runner = upload(
      "runner",
      "spark_runner.py",
      readFileSync(runnerScriptPath(), "utf8"),
      "text/x-python",
    );
    const planFile = (
      stage: string,
      select: (p: ReturnType<typeof buildTransformPlans>) => TransformPlan[],
    ) =>
      upload(
        `${stage}-plan`,
        `plans/${stage}.json`,
        plans.apply((p) => `${JSON.stringify({ plans: select(p) }, null, 2)}\n`),
        "application/json",
      );
    const silverPlan = planFile("silver", (p) => p.bronzeToSilver);
    const viewsPlan = planFile("views", (p) => p.views);
    const goldPlan = planFile("gold", (p) => p.silverToGold);
    const uri = (object: s3.BucketObjectv2) => pulumi.interpolate`s3://${object.bucket}/${object.key}`;
    this.viewsPlanUri = uri(viewsPlan);
    this.viewNames = args.spec.views.map((v) => v.name);

    const job = (
      stage: string,
      plan: s3.BucketObjectv2,
      description: string,
      fixed: Record<string, pulumi.Input<string>> = {},
    ) =>
      new glue.Job(
        `${name}-${stage}`,
        {
          name: dashedResourceName([product, environment, stage], NAME_LIMITS.glueJob),
          description,
          roleArn: this.role.arn,
          glueVersion: "5.0",
          command: { name: "glueetl", pythonVersion: "3", scriptLocation: uri(runner) },
          workerType,
          numberOfWorkers,
          timeout: timeoutMinutes,
          maxRetries,
          executionClass: "STANDARD",
          executionProperty: { maxConcurrentRuns },
          securityConfiguration: this.securityConfiguration.name,
          defaultArguments: {
            "--plan": uri(plan),
            "--TempDir": artifacts.uri(ARTIFACT_PREFIXES.scratch),
            "--job-bookmark-option": "job-bookmark-disable",
            "--enable-metrics": "true",
            "--enable-observability-metrics": "true",
          },
          // What makes the job an Iceberg job, and where it logs, cannot be overridden per run.
          nonOverridableArguments: {
            "--datalake-formats": "iceberg",
            "--conf": icebergSparkConf(layers.silver),
            "--custom-logGroup-prefix": logPrefix,
            // The per-table data metrics' pipeline dimension (spark_runner.py TableMetrics).
            "--metrics-pipeline": metricsPipeline(product, environment),
            ...fixed,
          },
          tags,
        },
        // A run started before its role may log, write tables or read the hash key fails at its first call.
        { parent: this, dependsOn: [runtimePolicy, hashKeyPolicy] },
      );
    // Only silver masks: the key reference is fixed, since a run keyed differently would hash differently.
    this.silverJob = job("bronze-to-silver", silverPlan, `Bronze → silver (and flat views) of ${product}`, {
      "--hash-key-secret": args.hashKey.reference,
    });
    this.goldJob = job("silver-to-gold", goldPlan, `Silver → gold models of ${product}`);
    this.registerOutputs({ silverJob: this.silverJob.name, goldJob: this.goldJob.name });
  }

  private runtimePolicy(args: AwsTransformJobsArgs): pulumi.Output<string> {
    const { context, layers } = args;
    const glueArn = (resource: pulumi.Input<string>) =>
      pulumi.interpolate`arn:${context.partition}:glue:${context.region}:${context.accountId}:${resource}`;
    const databases = [
      layers.silver.catalogNamespace,
      layers.gold.catalogNamespace,
      args.tables.quarantineDatabase.name,
    ];
    // The jobs own these three databases and write every table in them: silver tables, their ledgers of
    // consumed bronze rows (`_consumed_<t>`) and the flat views in silver, quarantine, gold. One
    // `table/<db>/*` per database keeps the policy's size independent of the number of tables (IAM allows
    // 10,240 characters of inline policy per role; naming each table passed it at 7 tables).
    const catalog = [
      glueArn("catalog"),
      ...databases.map((db) => glueArn(pulumi.interpolate`database/${db}`)),
      ...databases.map((db) => glueArn(pulumi.interpolate`table/${db}/*`)),
    ];
    const logs = (group: cloudwatch.LogGroup) => pulumi.interpolate`${group.arn}:*`;
    const groups = Object.values(this.logGroups);
    return policyJson([
      { Sid: "ReadCatalog", Effect: "Allow", Action: [...GLUE_CATALOG_READ_ACTIONS], Resource: catalog },
      { Sid: "CommitTables", Effect: "Allow", Action: [...GLUE_CATALOG_WRITE_ACTIONS], Resource: catalog },
      {
        // Glue creates the log group when missing and associates the security configuration's key with it.
        Sid: "EncryptedJobLogs",
        Effect: "Allow",
        Action: [...GLUE_ENCRYPTED_LOGS_ACTIONS],
        Resource: [...groups.map((g) => g.arn), ...groups.map(logs)],
      },
      {
        // --enable-metrics and --enable-observability-metrics publish to the `Glue` namespace; PutMetricData
        // has no resource type, so the namespace condition is the scope
        // (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatch.html).
        Sid: "JobMetrics",
        Effect: "Allow",
        Action: [...GLUE_METRICS_ACTIONS],
        Resource: "*",
        Condition: { StringEquals: { "cloudwatch:namespace": "Glue" } },
      },
      {
        // Bookmarks are encrypted client-side (CSE-KMS), so the role calls KMS directly, not through a service.
        Sid: "BookmarkKey",
        Effect: "Allow",
        Action: [...KMS_CLIENT_SIDE_ACTIONS],
        Resource: args.artifacts.key.arn,
      },
    ]);
  }
}

/** The Spark settings that register the Glue Data Catalog as an Iceberg catalog (one `--conf` value). */
export function icebergSparkConf(silver: AwsMedallionLayer): pulumi.Output<string> {
  const catalog = `spark.sql.catalog.${ICEBERG_CATALOG}`;
  return pulumi.interpolate`${[
    "spark.sql.extensions=org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions",
    `${catalog}=org.apache.iceberg.spark.SparkCatalog`,
    `${catalog}.catalog-impl=org.apache.iceberg.aws.glue.GlueCatalog`,
    `${catalog}.io-impl=org.apache.iceberg.aws.s3.S3FileIO`,
    "spark.sql.session.timeZone=UTC",
  ].join(" --conf ")} --conf ${catalog}.warehouse=s3://${silver.bucketName}/`;
}

/** Collects every problem with the args and throws one error naming the component and each field. */
export function validateJobArgs(name: string, args: AwsTransformJobsArgs): void {
  const problems: string[] = [];
  const positive = (field: string, value: number | undefined, min: number) => {
    if (value !== undefined && (!Number.isInteger(value) || value < min))
      problems.push(`${field}: must be a whole number of at least ${min}, got ${value}`);
  };
  positive("timeoutMinutes", args.timeoutMinutes, 1);
  positive("maxRetries", args.maxRetries, 0);
  positive("numberOfWorkers", args.numberOfWorkers, 2);
  positive("maxConcurrentRuns", args.maxConcurrentRuns, 1);
  positive("logDays", args.logDays, 1);
  if (problems.length > 0) {
    throw new Error(
      `AwsTransformJobs ${name} has invalid args:\n${problems.map((p) => `  - ${p}`).join("\n")}`,
    );
  }
}
