import { WORKBOOK_QUERIES } from "../../components/azure/workbook";
import { compliantAwsStack } from "./fixtures/aws";
import { res, TAGS } from "./fixtures/build";
import type { RuleResource } from "./types";

/** A policy fixture (the shape rules.test.ts asserts): the stack, and [resource name, message] per violation. */
export interface ObservabilityFixture {
  readonly rule: string;
  readonly when: string;
  readonly stack: RuleResource[];
  readonly expected: [string, string][];
}

const topic = res("aws:sns/topic:Topic", "alerts", { name: "alerts", tags: TAGS });
const topicPolicy = (services: string[]) =>
  res(
    "aws:sns/topicPolicy:TopicPolicy",
    "alerts-policy",
    {
      policy: JSON.stringify({
        Statement: [
          { Effect: "Allow", Principal: { Service: services }, Action: "sns:Publish", Resource: "arn:topic" },
        ],
      }),
    },
    { arn: [topic] },
  );
const budget = (notifications: unknown[]) =>
  res(
    "aws:budgets/budget:Budget",
    "budget",
    { budgetType: "COST", notifications, tags: TAGS },
    { notifications: [topic] },
  );
const notification = { notificationType: "ACTUAL", threshold: 80, subscriberSnsTopicArns: ["arn:topic"] };

const quarantineTable = res("aws:glue/catalogTable:CatalogTable", "quarantine-orders", {
  name: "orders",
  databaseName: "shop_dev_quarantine",
});
const dataMetric = (id: string, metricName: string, period = 3600) => ({
  id,
  metric: {
    namespace: "Medallion/Data",
    metricName,
    period,
    stat: "Sum",
    dimensions: { pipeline: "shop-dev", layer: "bronze", table: "orders" },
  },
});
const ratioAlarm = res(
  "aws:cloudwatch/metricAlarm:MetricAlarm",
  "orders-ratio",
  {
    comparisonOperator: "GreaterThanThreshold",
    evaluationPeriods: 1,
    threshold: 0.05,
    treatMissingData: "notBreaching",
    alarmActions: ["arn:topic"],
    metricQueries: [
      dataMetric("i", "RowsIn"),
      dataMetric("q", "RowsQuarantined"),
      { id: "r", expression: "q / i" },
    ],
    tags: TAGS,
  },
  { alarmActions: [topic] },
);
const freshnessAlarm = (evaluationPeriods: number, period: number) =>
  res(
    "aws:cloudwatch/metricAlarm:MetricAlarm",
    "orders-freshness",
    {
      comparisonOperator: "LessThanThreshold",
      evaluationPeriods,
      datapointsToAlarm: evaluationPeriods,
      threshold: 1,
      treatMissingData: "breaching",
      alarmActions: ["arn:topic"],
      metricQueries: [dataMetric("w", "RowsWritten", period), { id: "x", expression: "FILL(w, 0)" }],
      tags: TAGS,
    },
    { alarmActions: [topic] },
  );

const workbook = (queries: string[]) =>
  res("azure-native:applicationinsights:Workbook", "workbook", {
    serializedData: JSON.stringify({
      version: "Notebook/1.0",
      items: queries.map((query) => ({ type: 3, content: { version: "KqlItem/1.0", query } })),
    }),
    tags: TAGS,
  });

/** issue 16: the table alarms, the alarm evaluation range, the budget's topic and the workbook's queries. */
export const observabilityFixtures: ObservabilityFixture[] = [
  {
    rule: "medallion-table-data-alarms",
    when: "a table has a quarantine-ratio alarm but no freshness alarm",
    stack: [...compliantAwsStack(), topic, quarantineTable, ratioAlarm],
    expected: [["quarantine-orders", "table orders has no freshness alarm with an action"]],
  },
  {
    rule: "medallion-table-data-alarms",
    when: "a table has neither alarm",
    stack: [...compliantAwsStack(), quarantineTable],
    expected: [
      ["quarantine-orders", "table orders has no quarantine-ratio alarm with an action"],
      ["quarantine-orders", "table orders has no freshness alarm with an action"],
    ],
  },
  {
    rule: "medallion-table-data-alarms",
    when: "a table has both alarms (compliant)",
    stack: [...compliantAwsStack(), topic, quarantineTable, ratioAlarm, freshnessAlarm(24, 3600)],
    expected: [],
  },
  {
    rule: "aws-alarm-evaluation-range",
    when: "minute periods evaluate more than a day",
    stack: [...compliantAwsStack(), topic, freshnessAlarm(1441, 60)],
    expected: [
      ["orders-freshness", "alarm orders-freshness: 1441 periods of 60 s exceed 1 day(s) of evaluation"],
    ],
  },
  {
    rule: "aws-alarm-evaluation-range",
    when: "hour periods evaluate more than 7 days, and a period is no multiple of 60",
    stack: [...compliantAwsStack(), topic, freshnessAlarm(169, 3600), freshnessAlarm(2, 90)].map(
      (r, i, all) => (i === all.length - 1 ? { ...r, name: "odd-period", urn: `${r.urn}-odd` } : r),
    ),
    expected: [
      ["orders-freshness", "alarm orders-freshness: 169 periods of 3600 s exceed 7 day(s) of evaluation"],
      ["orders-freshness-odd", "alarm odd-period: period 90 s is not 10, 20, 30 or a multiple of 60"],
    ],
  },
  {
    rule: "medallion-budget-alerts",
    when: "the budget's topic does not let budgets.amazonaws.com publish",
    stack: [...compliantAwsStack(), topic, topicPolicy(["cloudwatch.amazonaws.com"]), budget([notification])],
    expected: [
      [
        "budget",
        "budget budget notifies topic alerts, whose policy does not let budgets.amazonaws.com publish",
      ],
    ],
  },
  {
    rule: "medallion-budget-alerts",
    when: "a budget has no notification",
    stack: [...compliantAwsStack(), topic, topicPolicy(["budgets.amazonaws.com"]), budget([])],
    expected: [["budget", "budget budget has no notification"]],
  },
  {
    rule: "medallion-budget-alerts",
    when: "the topic admits AWS Budgets (compliant)",
    stack: [...compliantAwsStack(), topic, topicPolicy(["budgets.amazonaws.com"]), budget([notification])],
    expected: [],
  },
  {
    rule: "azure-workbook-query-schema",
    when: "a workbook query names an undocumented column",
    stack: [workbook(["StorageBlobLogs\n| where BlobName == 'x'", ...WORKBOOK_QUERIES.map((q) => q.query)])],
    expected: [["workbook", "workbook workbook: table StorageBlobLogs has no column BlobName"]],
  },
];
