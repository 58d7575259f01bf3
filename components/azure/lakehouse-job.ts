import { Job } from "@pulumi/databricks/job";
import { NotificationDestination } from "@pulumi/databricks/notificationDestination";
import type { Provider } from "@pulumi/databricks/provider";
import { WorkspaceFile } from "@pulumi/databricks/workspaceFile";
import * as pulumi from "@pulumi/pulumi";
import type { DatabricksSpec } from "../spec";
import { quartzFromCron } from "./quartz";

/** The job's tasks, in data-flow (and task key) order. */
export const JOB_TASKS = ["bronze", "silver", "gold"] as const;
export type JobTaskName = (typeof JOB_TASKS)[number];

/** Delta write settings of the seed's cluster (002): fewer small files on write, compaction after. */
export const DELTA_SPARK_CONF = {
  "spark.databricks.delta.optimizeWrite.enabled": "true",
  "spark.databricks.delta.autoCompact.enabled": "true",
} as const;

export interface AzureLakehouseJobArgs {
  readonly product: string;
  readonly environment: string;
  readonly provider: Provider;
  /** Cluster, trigger, retries and timeouts (the spec's `databricks` section). */
  readonly settings: DatabricksSpec;
  /** Five-field cron the job runs on when `settings.trigger` is `schedule`. */
  readonly schedule: string;
  /** The tasks this job runs, in order. @default all of JOB_TASKS */
  readonly tasks?: readonly JobTaskName[];
  /** Job name suffix after `<product>-<environment>-`. @default "medallion" */
  readonly jobSuffix?: string;
  /** The runner file another job of the stack already uploaded. @default uploaded here */
  readonly runner?: WorkspaceFile;
  /**
   * Secret reference (`databricks:<scope>/<key>`) of the environment's HMAC key, passed to the silver task
   * as `--hash-key-secret` (functions/transform/spark_runner.py). @default none
   */
  readonly hashKeySecret?: pulumi.Input<string>;
  /**
   * Job parameters (each with an empty default) a run may be started with: the event trigger passes
   * `event_table` and `transaction_id` (run-now `job_parameters`), recorded on the run and passed to the
   * silver task as `--transaction_id`. @default none
   */
  readonly jobParameters?: readonly string[];
  /** The raw layer's URI, watched when `settings.trigger` is `fileArrival`. */
  readonly rawLocation: pulumi.Input<string>;
  /** Addresses told about every failed or overlong run. */
  readonly emails: readonly string[];
  /** HTTPS endpoints called on every failed or overlong run (the spec's alert webhooks). @default none */
  readonly webhooks?: readonly string[];
  /** Application ID of the service principal the job runs as. */
  readonly runAs: pulumi.Input<string>;
  /** Local path of the Spark runner script the tasks execute. */
  readonly runnerPath: string;
  /** The plan (JSON text) each task runs. */
  readonly plans: Readonly<Partial<Record<JobTaskName, pulumi.Input<string>>>>;
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * The lakehouse's Databricks job: bronze (Auto Loader, availableNow, from raw) → silver → gold, each task
 * running its generated plan through the Spark runner on one job cluster with a pinned runtime and the
 * Delta write settings; retries, timeouts, a duration health rule, failure e-mails, at most one
 * concurrent run, run as a service principal, started by the spec's schedule or by files arriving in raw.
 */
export class AzureLakehouseJob extends pulumi.ComponentResource {
  readonly job: Job;
  readonly runner: WorkspaceFile;
  readonly planFiles: Readonly<Partial<Record<JobTaskName, WorkspaceFile>>>;
  readonly jobId: pulumi.Output<string>;

  constructor(name: string, args: AzureLakehouseJobArgs, opts?: pulumi.ComponentResourceOptions) {
    super("medallion:azure:LakehouseJob", name, {}, opts);
    if (args.emails.length === 0) {
      throw new Error(
        `AzureLakehouseJob ${name}: at least one e-mail is required, or failures notify nobody`,
      );
    }
    const settings = args.settings;
    const webhooks = args.webhooks ?? [];
    const tasks = args.tasks ?? JOB_TASKS;
    const jobParameters = args.jobParameters ?? [];
    const jobSuffix = args.jobSuffix ?? "medallion";
    const folder = `/Shared/medallion/${args.product}-${args.environment}`;
    const workspace = { parent: this, provider: args.provider };
    const taskTimeoutSeconds = settings.taskTimeoutSeconds;
    const jobTimeoutSeconds = taskTimeoutSeconds * tasks.length;
    const quartz = settings.trigger === "schedule" ? quartzFromCron(args.schedule) : undefined;

    this.runner =
      args.runner ??
      new WorkspaceFile(
        `${name}-runner`,
        { path: `${folder}/spark_runner.py`, source: args.runnerPath },
        workspace,
      );
    const planFiles: Partial<Record<JobTaskName, WorkspaceFile>> = {};
    for (const task of tasks) {
      const plan = args.plans[task];
      if (plan === undefined) throw new Error(`AzureLakehouseJob ${name}: no plan for task ${task}`);
      planFiles[task] = new WorkspaceFile(
        `${name}-plan-${task}`,
        {
          path: `${folder}/plans/${task}.json`,
          contentBase64: pulumi.output(plan).apply((text) => Buffer.from(text, "utf8").toString("base64")),
        },
        workspace,
      );
    }
    this.planFiles = planFiles;

    // Logical names derive from the URL, so reordering the list replaces nothing.
    const destinations = webhooks.map(
      (url) =>
        new NotificationDestination(
          `${name}-webhook-${slug(url.replace(/^https:\/\//, ""))}`,
          {
            displayName: `${args.product}-${args.environment} ${url}`.slice(0, 100),
            config: { genericWebhook: { url } },
          },
          workspace,
        ),
    );
    const webhookIds = destinations.map((d) => ({ id: d.id }));

    this.job = new Job(
      name,
      {
        name: `${args.product}-${args.environment}-${jobSuffix}`,
        description: `${tasks.join(" → ")}, from the lakehouse spec`,
        maxConcurrentRuns: 1,
        ...(jobParameters.length > 0
          ? {
              parameters: jobParameters.map((parameter) => ({ name: parameter, default: "" })),
              // A run started while one is active waits instead of being skipped (each event needs its run).
              queue: { enabled: true },
            }
          : {}),
        timeoutSeconds: jobTimeoutSeconds,
        runAs: { servicePrincipalName: args.runAs },
        jobClusters: [
          {
            jobClusterKey: "medallion",
            newCluster: {
              sparkVersion: settings.sparkVersion,
              nodeTypeId: settings.nodeType,
              driverNodeTypeId: settings.nodeType,
              numWorkers: settings.workers,
              dataSecurityMode: "SINGLE_USER",
              singleUserName: args.runAs,
              enableLocalDiskEncryption: true,
              azureAttributes: { availability: "ON_DEMAND_AZURE" },
              sparkConf: { ...DELTA_SPARK_CONF },
              customTags: { ...args.tags },
            },
          },
        ],
        tasks: tasks.map((task, i) => ({
          taskKey: task,
          description: `${task} layer`,
          ...(i > 0 ? { dependsOns: [{ taskKey: tasks[i - 1] }] } : {}),
          jobClusterKey: "medallion",
          sparkPythonTask: {
            pythonFile: this.runner.workspacePath,
            source: "WORKSPACE",
            parameters: pulumi
              .all([(planFiles[task] as WorkspaceFile).workspacePath, args.hashKeySecret])
              .apply(([planPath, hashKey]) => [
                "--plan",
                planPath,
                ...(task === "silver" && hashKey ? ["--hash-key-secret", hashKey] : []),
                ...(task === "silver" && jobParameters.includes("transaction_id")
                  ? ["--transaction_id", "{{job.parameters.transaction_id}}"]
                  : []),
              ]),
          },
          maxRetries: settings.maxRetries,
          minRetryIntervalMillis: 60_000,
          retryOnTimeout: false,
          timeoutSeconds: taskTimeoutSeconds,
          // No task-level e-mails: the job's own onFailures already tells the same addresses once.
        })),
        health: {
          rules: [
            {
              metric: "RUN_DURATION_SECONDS",
              op: "GREATER_THAN",
              value: Math.round(jobTimeoutSeconds * 0.75),
            },
          ],
        },
        emailNotifications: {
          onFailures: [...args.emails],
          onDurationWarningThresholdExceededs: [...args.emails],
          noAlertForSkippedRuns: true,
        },
        ...(webhookIds.length > 0
          ? {
              webhookNotifications: {
                onFailures: webhookIds,
                onDurationWarningThresholdExceededs: webhookIds,
              },
            }
          : {}),
        ...(quartz
          ? {
              schedule: {
                quartzCronExpression: quartz,
                timezoneId: settings.timezone,
                pauseStatus: "UNPAUSED",
              },
            }
          : {
              trigger: {
                pauseStatus: "UNPAUSED",
                fileArrival: {
                  url: args.rawLocation,
                  minTimeBetweenTriggersSeconds: 300,
                  waitAfterLastChangeSeconds: 120,
                },
              },
            }),
        tags: { ...args.tags },
      },
      workspace,
    );
    this.jobId = this.job.id;
    this.registerOutputs({ jobId: this.jobId });
  }
}

function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
}
