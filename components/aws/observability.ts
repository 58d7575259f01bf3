import type * as budgets from "@pulumi/aws/budgets";
import type * as cloudwatch from "@pulumi/aws/cloudwatch";
import type * as pulumi from "@pulumi/pulumi";
import { CONTROL_RECORD_SERVICE, SKIPPED_OBJECTS_METRIC } from "../../functions/lib/control";
import { metricsPipeline } from "../../functions/lib/telemetry";
import type { LakehouseSpec } from "../spec";
import type { AwsAlertTopic } from "./alert-topic";
import { awsStackBudget } from "./budget";
import type { AwsContext } from "./context";
import { awsDashboard, type Charted, type ChartedHandlerMetric } from "./dashboard";
import type { AwsIngestion } from "./ingestion";
import { awsTableAlarms, type TableAlarms } from "./table-alarms";
import type { AwsTransformations } from "./transformations";

export interface AwsObservabilityArgs {
  readonly spec: LakehouseSpec;
  readonly environment: string;
  readonly ingestion: AwsIngestion;
  readonly transformations: AwsTransformations;
  readonly alerts: AwsAlertTopic;
  readonly context: AwsContext;
  readonly tags: Readonly<Record<string, string>>;
}

/** What the stack shows and alerts on beyond failures: its dashboard, the per-table alarms and the budget. */
export interface AwsObservability {
  readonly dashboard: cloudwatch.Dashboard;
  readonly tableAlarms: ReadonlyMap<string, TableAlarms>;
  readonly budget: budgets.Budget;
}

/** Builds the dashboard from the stack's own resources, one pair of data alarms per table and the budget. */
export function addObservability(
  parent: pulumi.Resource,
  name: string,
  args: AwsObservabilityArgs,
): AwsObservability {
  const { spec, environment, ingestion, transformations, alerts } = args;
  const product = spec.name;
  const pipeline = metricsPipeline(product, environment);
  const { rawArrival, cdc, eventJobs, apiPulls } = ingestion;
  const { jobs, workflows: transformWorkflows } = transformations;
  const workflows: Charted[] = [
    { label: "raw arrival", name: rawArrival.stateMachine.arn },
    { label: "bronze → silver", name: transformWorkflows.silverWorkflow.arn },
    { label: "silver → gold", name: transformWorkflows.goldWorkflow.arn },
    ...(eventJobs ? [{ label: "event jobs", name: eventJobs.stateMachine.arn }] : []),
  ];
  const lambdas = [
    {
      label: "control record",
      fn: rawArrival.controlRecord,
      service: CONTROL_RECORD_SERVICE,
      metrics: ["ObjectsRegistered", SKIPPED_OBJECTS_METRIC],
    },
    {
      label: "converter",
      fn: rawArrival.converter,
      service: "converter",
      metrics: ["RowsWritten", "RowsQuarantined"],
    },
    ...(cdc
      ? [
          {
            label: "CDC transformer",
            fn: cdc.transformer,
            service: "firehose-transformer",
            metrics: ["RecordsProcessed", "RecordsFailed"],
          },
        ]
      : []),
    ...(eventJobs
      ? [
          {
            label: "event trigger",
            fn: eventJobs.trigger,
            service: "event-trigger",
            metrics: ["JobRunsStarted", "MessagesFailed"],
          },
        ]
      : []),
    ...(apiPulls
      ? [
          {
            label: "API pull",
            fn: apiPulls.puller,
            service: "api-pull",
            metrics: ["RowsPulled", "PullsFailed"],
          },
        ]
      : []),
  ];
  const handlerMetrics: ChartedHandlerMetric[] = [
    ...lambdas.flatMap((l) =>
      l.metrics.map((metricName) => ({
        label: `${l.label} ${metricName}`,
        service: l.service,
        scope: l.fn.functionName,
        metricName,
      })),
    ),
    ...["RowsWritten", "RowsQuarantined"].map((metricName) => ({
      label: `converter task ${metricName}`,
      service: "converter-task",
      scope: rawArrival.converterTask.metricsScope,
      metricName,
    })),
  ];
  const deadLetterQueues: Charted[] = [
    { label: "transform workflows", name: transformWorkflows.deadLetterQueue.name },
    ...(eventJobs ? [{ label: "event jobs", name: eventJobs.deadLetterQueue.queue.name }] : []),
    ...(apiPulls ? [{ label: "API pulls", name: apiPulls.deadLetterQueue.queue.name }] : []),
  ];
  const dashboard = awsDashboard(
    `${name}-dashboard`,
    {
      product,
      environment,
      pipeline,
      region: args.context.region,
      tables: spec.tables,
      workflows,
      functions: lambdas.map((l) => ({ label: l.label, name: l.fn.functionName })),
      handlerMetrics,
      deadLetterQueues,
      ...(cdc ? { deliveryStreams: [{ label: "CDC", name: cdc.deliveryStream.name }] } : {}),
      glueJobs: [
        { label: "bronze → silver job", name: jobs.silverJob.name },
        { label: "silver → gold job", name: jobs.goldJob.name },
      ],
    },
    parent,
  );
  const tableAlarms = awsTableAlarms(
    `${name}-table`,
    { tables: spec.tables, pipeline, alertTopicArn: alerts.alertChannel, tags: args.tags },
    parent,
  );
  const budget = awsStackBudget(
    `${name}-budget`,
    {
      product,
      environment,
      budget: spec.observability.budget,
      alertTopicArn: alerts.alertChannel,
      tags: args.tags,
    },
    parent,
  );
  return { dashboard, tableAlarms, budget };
}
