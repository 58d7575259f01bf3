import * as cloudwatch from "@pulumi/aws/cloudwatch";
import type * as pulumi from "@pulumi/pulumi";
import { DATA_METRICS, DATA_METRICS_NAMESPACE } from "../../functions/lib/telemetry";
import { durationSeconds, type TableSpec } from "../spec/schema";

/** @default quarantine ratio of a table without `monitoring.maxQuarantineRatio`: 5%. */
export const DEFAULT_MAX_QUARANTINE_RATIO = 0.05;
/** @default freshness window of a table without `monitoring.expectedEvery`. */
export const DEFAULT_EXPECTED_EVERY = "1d";
/** The layers whose data metrics a table's alarms read: bronze (converter), silver (Spark runner). */
const LAYERS = ["bronze", "silver"] as const;
/** Seconds per quarantine-ratio evaluation. */
const RATIO_PERIOD = 3600;

export interface AwsTableAlarmsArgs {
  readonly tables: readonly TableSpec[];
  /** The `pipeline` dimension of the stack's data metrics (`metricsPipeline()`). */
  readonly pipeline: string;
  readonly alertTopicArn: pulumi.Input<string>;
  readonly tags: Readonly<Record<string, string>>;
}

/** The two alarms of one table. */
export interface TableAlarms {
  readonly quarantineRatio: cloudwatch.MetricAlarm;
  readonly freshness: cloudwatch.MetricAlarm;
}

/**
 * Per table: a quarantine-ratio alarm (rows quarantined over rows in, bronze and silver together, per hour,
 * above the spec's ratio) and a freshness alarm (no row written to bronze or silver within `expectedEvery`).
 * Both read the data metrics of `functions/lib/telemetry.ts` with its exact dimensions.
 */
export function awsTableAlarms(
  name: string,
  args: AwsTableAlarmsArgs,
  parent: pulumi.Resource,
): Map<string, TableAlarms> {
  const alarms = new Map<string, TableAlarms>();
  for (const table of args.tables) {
    const metric = (id: string, metricName: string, layer: string, period: number) => ({
      id,
      returnData: false,
      metric: {
        namespace: DATA_METRICS_NAMESPACE,
        metricName,
        dimensions: { pipeline: args.pipeline, layer, table: table.name },
        stat: "Sum",
        period,
      },
    });
    const common = {
      evaluationPeriods: 1,
      alarmActions: [args.alertTopicArn],
      okActions: [args.alertTopicArn],
      tags: { ...args.tags },
    };
    const ratio = table.monitoring?.maxQuarantineRatio ?? DEFAULT_MAX_QUARANTINE_RATIO;
    const quarantineRatio = new cloudwatch.MetricAlarm(
      `${name}-${table.name}-quarantine-ratio`,
      {
        ...common,
        alarmDescription: `${args.pipeline} ${table.name}: more than ${ratio * 100}% of its rows quarantined in an hour`,
        comparisonOperator: "GreaterThanThreshold",
        threshold: ratio,
        // An hour with no rows has no ratio: not a breach (the freshness alarm covers silence).
        treatMissingData: "notBreaching",
        metricQueries: [
          ...LAYERS.flatMap((layer) => [
            metric(`in_${layer}`, DATA_METRICS.rowsIn, layer, RATIO_PERIOD),
            metric(`q_${layer}`, DATA_METRICS.rowsQuarantined, layer, RATIO_PERIOD),
          ]),
          {
            id: "ratio",
            label: "quarantined / rows in",
            returnData: true,
            expression: "(FILL(q_bronze, 0) + FILL(q_silver, 0)) / (FILL(in_bronze, 0) + FILL(in_silver, 0))",
          },
        ],
      },
      { parent },
    );
    const window = freshnessWindow(table.monitoring?.expectedEvery ?? DEFAULT_EXPECTED_EVERY);
    const freshness = new cloudwatch.MetricAlarm(
      `${name}-${table.name}-freshness`,
      {
        ...common,
        alarmDescription: `${args.pipeline} ${table.name}: no new rows in ${table.monitoring?.expectedEvery ?? DEFAULT_EXPECTED_EVERY}`,
        evaluationPeriods: window.evaluationPeriods,
        datapointsToAlarm: window.evaluationPeriods,
        comparisonOperator: "LessThanThreshold",
        threshold: 1,
        // Silence is the condition: a period without any data point is a breach.
        treatMissingData: "breaching",
        metricQueries: [
          ...LAYERS.map((layer) => metric(`w_${layer}`, DATA_METRICS.rowsWritten, layer, window.period)),
          {
            id: "written",
            label: "rows written",
            returnData: true,
            expression: "FILL(w_bronze, 0) + FILL(w_silver, 0)",
          },
        ],
      },
      { parent },
    );
    alarms.set(table.name, { quarantineRatio, freshness });
  }
  return alarms;
}

/**
 * Period and evaluation periods covering `expectedEvery`: hour-long periods when it is whole hours (up to
 * the 7-day total PutMetricAlarm allows), else minute periods (up to its 1-day total for periods under an
 * hour); the spec's schema refuses anything longer.
 */
export function freshnessWindow(expectedEvery: string): { period: number; evaluationPeriods: number } {
  const seconds = durationSeconds(expectedEvery);
  const period = seconds % 3600 === 0 ? 3600 : 60;
  return { period, evaluationPeriods: seconds / period };
}
