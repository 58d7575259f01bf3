import * as cloudwatch from "@pulumi/aws/cloudwatch";
import type * as pulumi from "@pulumi/pulumi";
import { METRICS_NAMESPACE, METRICS_SCOPE_DIMENSION } from "../../functions/lib/telemetry";

/** One metric condition that must reach the alert topic. */
export interface AlertAlarmArgs {
  /** What the alarm means, as the e-mail subject reads it. */
  readonly description: pulumi.Input<string>;
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** @default "Sum" */
  readonly statistic?: string;
  /** Seconds per evaluation. @default 300 */
  readonly period?: number;
  /** @default "GreaterThanThreshold" */
  readonly comparisonOperator?: string;
  /** @default 0 (any occurrence) */
  readonly threshold?: number;
  /** The alert channel: the alarm and its recovery both notify it. */
  readonly alertTopicArn: pulumi.Input<string>;
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * The one shape of every alarm in the lakehouse: one period breaching is enough, missing data is not a
 * breach, and both the alarm and the recovery notify the alert topic (an alarm without an action never
 * reaches anyone; the policy pack checks it).
 */
export function alertAlarm(
  name: string,
  args: AlertAlarmArgs,
  parent: pulumi.Resource,
  options: Omit<pulumi.CustomResourceOptions, "parent"> = {},
): cloudwatch.MetricAlarm {
  return new cloudwatch.MetricAlarm(
    name,
    {
      alarmDescription: args.description,
      namespace: args.namespace,
      metricName: args.metricName,
      dimensions: args.dimensions,
      statistic: args.statistic ?? "Sum",
      period: args.period ?? 300,
      evaluationPeriods: 1,
      threshold: args.threshold ?? 0,
      comparisonOperator: args.comparisonOperator ?? "GreaterThanThreshold",
      treatMissingData: "notBreaching",
      alarmActions: [args.alertTopicArn],
      okActions: [args.alertTopicArn],
      tags: { ...args.tags },
    },
    { ...options, parent },
  );
}

/** An emitter of the functions' Powertools metrics (`functions/lib/telemetry.ts`). */
export interface MetricEmitter {
  /** The `service` the handler passes to `telemetry()`. */
  readonly service: string;
  /** The Lambda function's name, or the ECS task's `METRICS_SCOPE`. */
  readonly scope: pulumi.Input<string>;
}

/**
 * An alarm on a failure metric one handler emits: CloudWatch matches a metric by its exact dimension set,
 * so the dimensions are the ones `telemetry()` publishes (`service` and `function`), any occurrence alarms.
 */
export function emittedMetricAlarm(
  name: string,
  args: Pick<AlertAlarmArgs, "description" | "metricName" | "alertTopicArn" | "tags"> & {
    readonly emitter: MetricEmitter;
  },
  parent: pulumi.Resource,
): cloudwatch.MetricAlarm {
  return alertAlarm(
    name,
    {
      description: args.description,
      namespace: METRICS_NAMESPACE,
      metricName: args.metricName,
      dimensions: { service: args.emitter.service, [METRICS_SCOPE_DIMENSION]: args.emitter.scope },
      alertTopicArn: args.alertTopicArn,
      tags: args.tags,
    },
    parent,
  );
}
