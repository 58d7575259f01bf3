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
import type { LakehouseSpec } from "../spec";
import { dashedResourceName, logGroupName, NAME_LIMITS, type LayerName } from "../naming";
import { ARTIFACT_PREFIXES, type AwsArtifactBucket } from "./artifact-bucket";
import type { AwsIcebergTables } from "./catalog-tables";
import type { AwsContext } from "./context";
import type { AwsMedallionLayer, AwsPrincipal } from "./medallion-layer";
import {
  GLUE_CATALOG_READ_ACTIONS,
  GLUE_CATALOG_WRITE_ACTIONS,
  GLUE_ENCRYPTED_LOGS_ACTIONS,
  KMS_CLIENT_SIDE_ACTIONS,
  LOGS_WRITE_ACTIONS,
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
  /** Log retention of the jobs' log group (the spec's `retention.logDays`). */
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
 * grants, its code read-only, its scratch space, and the catalog tables it writes, by name.
 */
export class AwsTransformJobs extends pulumi.ComponentResource {
  readonly role: iam.Role;
  readonly principal: AwsPrincipal;
  readonly securityConfiguration: glue.SecurityConfiguration;
  readonly logGroup: cloudwatch.LogGroup;
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

    this.logGroup = new cloudwatch.LogGroup(
      `${name}-logs`,
      {
        name: logGroupName("/aws-glue/jobs", [product, environment, "transform"]),
        retentionInDays: args.logDays,
        kmsKeyId: artifacts.key.arn,
        tags,
      },
      { parent: this },
    );
    const securityConfigurationName = dashedResourceName(
      [product, environment, "transform"],
      NAME_LIMITS.glueSecurityConfiguration,
    );
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
    new iam.RolePolicy(
      `${name}-runtime`,
      { role: this.role.name, policy: this.runtimePolicy(args, securityConfigurationName) },
      { parent: this },
    );

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

    const job = (stage: string, plan: s3.BucketObjectv2, description: string) =>
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
            "--enable-continuous-cloudwatch-log": "true",
            "--continuous-log-logGroup": this.logGroup.name,
          },
          tags,
        },
        { parent: this },
      );
    this.silverJob = job("bronze-to-silver", silverPlan, `Bronze → silver (and flat views) of ${product}`);
    this.goldJob = job("silver-to-gold", goldPlan, `Silver → gold models of ${product}`);
    this.registerOutputs({ silverJob: this.silverJob.name, goldJob: this.goldJob.name });
  }

  private runtimePolicy(
    args: AwsTransformJobsArgs,
    securityConfigurationName: string,
  ): pulumi.Output<string> {
    const { context, layers, spec } = args;
    const glueArn = (resource: pulumi.Input<string>) =>
      pulumi.interpolate`arn:${context.partition}:glue:${context.region}:${context.accountId}:${resource}`;
    const silver = layers.silver.catalogNamespace;
    const gold = layers.gold.catalogNamespace;
    const quarantine = args.tables.quarantineDatabase.name;
    const table = (db: pulumi.Input<string>, t: string) => glueArn(pulumi.interpolate`table/${db}/${t}`);
    // Every table the plans write, by name: silver tables and their ledgers of consumed bronze rows
    // (staging is session-local, not a catalog table), quarantine, views, gold.
    const written = [
      ...spec.tables.flatMap((t) => [
        table(silver, t.name),
        table(silver, `_consumed_${t.name}`),
        table(quarantine, t.name),
      ]),
      ...spec.views.map((v) => table(silver, v.name)),
      ...spec.gold.map((g) => table(gold, g.name)),
    ];
    const databases = [silver, gold, quarantine].map((db) => glueArn(pulumi.interpolate`database/${db}`));
    const logs = (group: pulumi.Input<string>) =>
      pulumi.interpolate`arn:${context.partition}:logs:${context.region}:${context.accountId}:log-group:${group}`;
    return policyJson([
      {
        Sid: "ReadCatalog",
        Effect: "Allow",
        Action: [...GLUE_CATALOG_READ_ACTIONS],
        Resource: [glueArn("catalog"), ...databases, ...written],
      },
      {
        Sid: "CommitTables",
        Effect: "Allow",
        Action: [...GLUE_CATALOG_WRITE_ACTIONS],
        Resource: [glueArn("catalog"), ...databases, ...written],
      },
      {
        Sid: "ContinuousLogs",
        Effect: "Allow",
        Action: [...LOGS_WRITE_ACTIONS],
        Resource: [pulumi.interpolate`${logs(this.logGroup.name)}:*`],
      },
      {
        // With CloudWatch encryption on, Glue writes driver output under a group named for the
        // security configuration and the role.
        Sid: "EncryptedJobLogs",
        Effect: "Allow",
        Action: [...GLUE_ENCRYPTED_LOGS_ACTIONS],
        Resource: ["output", "error"].map(
          (stream) =>
            pulumi.interpolate`${logs(pulumi.interpolate`/aws-glue/jobs/${securityConfigurationName}-role/${this.role.name}/${stream}`)}:*`,
        ),
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
