import * as cloudwatch from "@pulumi/aws/cloudwatch";
import { AwsDeadLetterQueue } from "./dead-letter-queue";
import * as iam from "@pulumi/aws/iam";
import * as scheduler from "@pulumi/aws/scheduler";
import * as sfn from "@pulumi/aws/sfn";
import * as sqs from "@pulumi/aws/sqs";
import * as pulumi from "@pulumi/pulumi";
import { alertAlarm, type AlertAlarmArgs } from "./alarms";
import type { Orchestrator } from "../contracts";
import type { LakehouseSpec } from "../spec";
import { awsResourceName, dashedResourceName, logGroupName, NAME_LIMITS } from "../naming";
import type { AwsAlertTopic } from "./alert-topic";
import type { AwsArtifactBucket } from "./artifact-bucket";
import { viaService, type AwsContext } from "./context";
import type { AwsTransformJobs } from "./glue-jobs";
import {
  GLUE_RUN_JOB_ACTIONS,
  KMS_SERVICE_PUBLISH_ACTIONS,
  SNS_PUBLISH_ACTIONS,
  SQS_SEND_ACTIONS,
} from "./perms";
import { denyInsecureTransport, policyJson } from "./policy-documents";
import { awsCronExpression } from "./schedule-expression";
import { serviceRole } from "./service-role";
import { AwsStateMachine } from "./state-machine";
import { mapWorkflowDefinition, type RetrySettings } from "./workflow-definitions";

export interface AwsTransformWorkflowsArgs {
  readonly spec: LakehouseSpec;
  readonly product: string;
  readonly environment: string;
  readonly jobs: AwsTransformJobs;
  readonly alerts: AwsAlertTopic;
  /** Its key encrypts the workflows' log group and the schedules' dead-letter queue. */
  readonly artifacts: AwsArtifactBucket;
  readonly context: AwsContext;
  /** Log retention (the spec's `retention.logDays`). */
  readonly logDays: number;
  /** Job runs at once in each Map. @default 4 */
  readonly maxConcurrency?: number;
  /** Retry of a failed job run. @default 2 attempts, 60 s apart, backoff 2 */
  readonly retry?: RetrySettings;
  /** Limit of one job run, Glue's retries included. @default 2 hours */
  readonly taskTimeoutSeconds?: number;
  /** Limit of one workflow execution. @default 6 hours */
  readonly timeoutSeconds?: number;
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * The orchestration of the transformations: a bronze → silver state machine (Map over the spec's tables,
 * then the flat views) and a silver → gold one (Map over the gold models), each logging ALL to an
 * encrypted log group with X-Ray tracing, every failure published to the alert topic; EventBridge
 * Scheduler runs them on the spec's cron with retries and a dead-letter queue, and alarms catch what a
 * Catch cannot (failed and timed-out executions, a schedule that could not start). Every failed or
 * timed-out run of either Glue job, however started (workflow, event job, console), reaches the alert
 * topic through an EventBridge rule whose target has a dead-letter queue.
 */
export class AwsTransformWorkflows extends pulumi.ComponentResource implements Orchestrator {
  /** Both stages' machines, their role and log group, with failed and timed-out alarms. */
  readonly machines: AwsStateMachine;
  readonly silverWorkflow: sfn.StateMachine;
  readonly goldWorkflow: sfn.StateMachine;
  readonly logGroup: cloudwatch.LogGroup;
  readonly deadLetterQueue: sqs.Queue;
  /** Glue job runs that FAILED, TIMEOUT or ERROR → the alert topic. */
  readonly jobFailureRule: cloudwatch.EventRule;
  readonly workflows: Readonly<Record<string, pulumi.Output<string>>>;

  constructor(name: string, args: AwsTransformWorkflowsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("medallion:aws:TransformWorkflows", name, {}, opts);
    const maxConcurrency = args.maxConcurrency ?? 4;
    const retry = args.retry ?? { maxAttempts: 2, intervalSeconds: 60, backoffRate: 2 };
    const taskTimeoutSeconds = args.taskTimeoutSeconds ?? 2 * 3600;
    const timeoutSeconds = args.timeoutSeconds ?? 6 * 3600;
    const { spec, product, environment, jobs, alerts, artifacts, context } = args;
    const tags = { ...args.tags };
    const schedules = {
      silver: awsCronExpression(spec.schedules.bronzeToSilver),
      gold: awsCronExpression(spec.schedules.silverToGold),
    };
    const key = artifacts.key.arn;
    const via = (service: string) => ({
      StringEquals: { "kms:ViaService": viaService(context, service) },
    });

    const common = { maxConcurrency, retry, taskTimeoutSeconds, timeoutSeconds };
    const silverDefinition = pulumi
      .all([jobs.silverJob.name, jobs.viewsPlanUri, alerts.topic.arn])
      .apply(([jobName, viewsPlan, topic]) =>
        JSON.stringify(
          mapWorkflowDefinition({
            ...common,
            description: `${product} ${environment} bronze to silver`,
            items: spec.tables.map((t) => t.name),
            itemLabel: "Table",
            jobName,
            ...(jobs.viewNames.length
              ? { after: { name: "BuildFlatViews", jobName, arguments: { "--plan": viewsPlan } } }
              : {}),
            alertTopicArn: topic,
            alertSubject: `${product} ${environment}: bronze to silver failed`,
          }),
        ),
      );
    const goldDefinition = pulumi.all([jobs.goldJob.name, alerts.topic.arn]).apply(([jobName, topic]) =>
      JSON.stringify(
        mapWorkflowDefinition({
          ...common,
          description: `${product} ${environment} silver to gold`,
          items: spec.gold.map((g) => g.name),
          itemLabel: "Model",
          jobName,
          alertTopicArn: topic,
          alertSubject: `${product} ${environment}: silver to gold failed`,
        }),
      ),
    );
    const stages = ["bronze-to-silver", "silver-to-gold"] as const;
    const machineName = (stage: string) =>
      dashedResourceName([product, environment, stage], NAME_LIMITS.stateMachine);
    // One AwsStateMachine for both stages; its children keep the logical names and state they had here.
    this.machines = new AwsStateMachine(
      `${name}-machines`,
      {
        context,
        machines: {
          "bronze-to-silver": { name: machineName("bronze-to-silver"), definition: silverDefinition },
          "silver-to-gold": { name: machineName("silver-to-gold"), definition: goldDefinition },
        },
        statements: [
          {
            Sid: "RunTransformJobs",
            Effect: "Allow",
            Action: [...GLUE_RUN_JOB_ACTIONS],
            Resource: [jobs.silverJob.arn, jobs.goldJob.arn],
          },
          { Sid: "Alert", Effect: "Allow", Action: [...SNS_PUBLISH_ACTIONS], Resource: alerts.topic.arn },
          {
            Sid: "AlertKeyThroughSns",
            Effect: "Allow",
            Action: [...KMS_SERVICE_PUBLISH_ACTIONS],
            Resource: alerts.key.arn,
            Condition: via("sns"),
          },
        ],
        roleName: dashedResourceName([product, environment, "transform-workflow"], NAME_LIMITS.iamRole),
        roleDescription: `Transformation workflows of ${product} (${environment})`,
        logGroupName: logGroupName("/aws/vendedlogs/states", [product, environment, "transform"]),
        logKeyArn: key,
        logRetentionDays: args.logDays,
        alertTopicArn: alerts.alertChannel,
        tags,
        formerly: {
          parent: this,
          logs: `${name}-logs`,
          role: `${name}-role`,
          rolePolicy: `${name}-role-policy`,
          machines: Object.fromEntries(stages.map((stage) => [stage, `${name}-${stage}`])),
        },
      },
      { parent: this },
    );
    this.logGroup = this.machines.logGroup;
    this.silverWorkflow = this.machines.machine("bronze-to-silver");
    this.goldWorkflow = this.machines.machine("silver-to-gold");

    this.deadLetterQueue = new sqs.Queue(
      `${name}-schedule-dlq`,
      {
        name: dashedResourceName([product, environment, "transform-schedule-dlq"], NAME_LIMITS.sqsQueue),
        kmsMasterKeyId: key,
        kmsDataKeyReusePeriodSeconds: 300,
        messageRetentionSeconds: 14 * 24 * 3600,
        tags,
      },
      { parent: this },
    );
    new sqs.QueuePolicy(
      `${name}-schedule-dlq-policy`,
      {
        queueUrl: this.deadLetterQueue.url,
        policy: policyJson([denyInsecureTransport("sqs:*", [this.deadLetterQueue.arn])]),
      },
      { parent: this },
    );
    const schedulerRole = serviceRole(
      `${name}-scheduler-role`,
      {
        roleName: dashedResourceName([product, environment, "transform-scheduler"], NAME_LIMITS.iamRole),
        service: "scheduler.amazonaws.com",
        accountId: context.accountId,
        description: `Starts the transformation workflows of ${product} (${environment})`,
        tags,
      },
      this,
    );
    new iam.RolePolicy(
      `${name}-scheduler-role-policy`,
      {
        role: schedulerRole.name,
        policy: policyJson([
          this.machines.startStatement("StartWorkflows"),
          {
            Sid: "DeadLetter",
            Effect: "Allow",
            Action: [...SQS_SEND_ACTIONS],
            Resource: this.deadLetterQueue.arn,
          },
          {
            Sid: "DeadLetterKeyThroughSqs",
            Effect: "Allow",
            Action: [...KMS_SERVICE_PUBLISH_ACTIONS],
            Resource: key,
            Condition: via("sqs"),
          },
        ]),
      },
      { parent: this },
    );
    const schedule = (stage: string, expression: string, target: sfn.StateMachine) =>
      new scheduler.Schedule(
        `${name}-${stage}-schedule`,
        {
          name: dashedResourceName([product, environment, stage], NAME_LIMITS.schedule),
          description: `Runs ${stage} for ${product} (${environment})`,
          scheduleExpression: expression,
          scheduleExpressionTimezone: "UTC",
          flexibleTimeWindow: { mode: "OFF" },
          state: "ENABLED",
          target: {
            arn: target.arn,
            roleArn: schedulerRole.arn,
            input: JSON.stringify({ trigger: "schedule", stage }),
            retryPolicy: { maximumRetryAttempts: 3, maximumEventAgeInSeconds: 3600 },
            deadLetterConfig: { arn: this.deadLetterQueue.arn },
          },
        },
        { parent: this },
      );
    schedule("bronze-to-silver", schedules.silver, this.silverWorkflow);
    schedule("silver-to-gold", schedules.gold, this.goldWorkflow);

    // A schedule that could not start an execution (the machines' own alarms catch failed and timed-out ones).
    const alarm = (
      suffix: string,
      description: string,
      metric: Pick<AlertAlarmArgs, "namespace" | "metricName" | "dimensions" | "statistic">,
    ) =>
      alertAlarm(
        `${name}-${suffix}`,
        { ...metric, description, alertTopicArn: alerts.alertChannel, tags },
        this,
      );
    alarm("schedule-dlq-depth", "A scheduled transformation could not be started", {
      namespace: "AWS/SQS",
      metricName: "ApproximateNumberOfMessagesVisible",
      dimensions: { QueueName: this.deadLetterQueue.name },
      statistic: "Maximum",
    });

    this.jobFailureRule = this.jobFailureAlerts(name, args);

    this.workflows = {
      bronzeToSilver: this.silverWorkflow.arn,
      silverToGold: this.goldWorkflow.arn,
    };
    this.registerOutputs({ workflows: this.workflows });
  }

  /**
   * Glue emits "Glue Job State Change" to EventBridge for every run that ends (SUCCEEDED, FAILED, TIMEOUT,
   * STOPPED: https://docs.aws.amazon.com/glue/latest/dg/automating-awsglue-with-cloudwatch-events.html);
   * ERROR is a run state of the Glue API too, matched in case it is reported. STOPPED is an operator's act.
   * The target's dead-letter queue is under the alert key, which admits EventBridge.
   */
  private jobFailureAlerts(name: string, args: AwsTransformWorkflowsArgs): cloudwatch.EventRule {
    const { jobs, alerts, product, environment, context } = args;
    const tags = { ...args.tags };
    const rule = new cloudwatch.EventRule(
      `${name}-job-failed-rule`,
      {
        name: awsResourceName([product, environment, "transform-job-failed"], 64),
        description: `A Glue transformation job run of ${product} (${environment}) failed or timed out`,
        eventPattern: pulumi.all([jobs.silverJob.name, jobs.goldJob.name]).apply((names) =>
          JSON.stringify({
            source: ["aws.glue"],
            "detail-type": ["Glue Job State Change"],
            detail: { jobName: names, state: ["FAILED", "TIMEOUT", "ERROR"] },
          }),
        ),
        tags,
      },
      { parent: this },
    );
    const dlq = new AwsDeadLetterQueue(
      `${name}-job-failed-dlq`,
      {
        queueName: awsResourceName([product, environment, "transform-job-failed-dlq"], 80),
        keyArn: alerts.key.arn,
        serviceSender: { service: "events.amazonaws.com", sourceArns: [rule.arn] },
        alertTopicArn: alerts.alertChannel,
        purpose: "Glue job failure alerts that could not be published to the alert topic",
        via: context,
        tags,
      },
      { parent: this },
    );
    new cloudwatch.EventTarget(
      `${name}-job-failed-alert`,
      {
        rule: rule.name,
        arn: alerts.topic.arn,
        // Names, ids and states only: the run's free-text message could break the JSON template.
        inputTransformer: {
          inputPaths: { job: "$.detail.jobName", run: "$.detail.jobRunId", state: "$.detail.state" },
          inputTemplate: '"Glue job <job> run <run> ended <state>"',
        },
        retryPolicy: { maximumEventAgeInSeconds: 3600, maximumRetryAttempts: 10 },
        deadLetterConfig: { arn: dlq.arn },
      },
      { parent: this },
    );
    return rule;
  }
}
