import aslValidator from "asl-validator";
import { UNSCOPABLE_ACTIONS } from "../components/aws/perms";
import { evaluatePlan } from "../infra/policy/evaluate";
import type { Plan, PlanResource } from "../infra/preview/plan";
import type { LakehouseSpecInput } from "../components/spec";
import { readStackConfig } from "../infra/preview/stack-file";
import { BUNDLE_FOLDER, named, ofType, policyOf, preview, ROOT } from "./helpers";

const ACCOUNT = "123456789012";
const REGION = "us-east-1";
const KEY_ARN = new RegExp(`^arn:aws:kms:${REGION}:${ACCOUNT}:key/[0-9a-f-]{36}$`);
const ALERT_TOPIC = `arn:aws:sns:${REGION}:${ACCOUNT}:brewery-dev-alerts`;
const RAW_BUCKET = `brewery-dev-raw-${ACCOUNT}-${REGION}`;

type State = Record<string, unknown>;
interface EcsParameters {
  readonly TaskDefinition: string;
  readonly Overrides: {
    readonly ContainerOverrides: { readonly Environment: { readonly Name: string }[] }[];
  };
}

/** Resources under the ingestion component (it, or one of its descendants). */
function ingestion(plan: Plan): PlanResource[] {
  const byUrn = new Map(plan.resources.map((r) => [r.urn, r]));
  const under = (r: PlanResource | undefined): boolean =>
    !!r && (r.type === "medallion:aws:Ingestion" || under(r.parent ? byUrn.get(r.parent) : undefined));
  return plan.resources.filter((r) => under(r));
}

function countTypes(resources: readonly PlanResource[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of resources) counts[r.type] = (counts[r.type] ?? 0) + 1;
  return counts;
}

/** A key's ARN, from the key ID its alias targets. */
function keyArnOf(plan: Plan, keyName: string): string {
  const alias = named(plan, `${keyName}-alias`, "aws:kms/alias:Alias");
  return `arn:aws:kms:${REGION}:${ACCOUNT}:key/${String(alias.inputs.targetKeyId)}`;
}

describe("ingestion in the dev stack (issue 4)", () => {
  let plan: Plan;
  let outputs: Record<string, unknown>;
  let definition: { StartAt: string; TimeoutSeconds: number; States: Record<string, State> };

  beforeAll(async () => {
    ({ plan, outputs } = await preview("dev"));
    definition = JSON.parse(
      named(plan, "brewery-ingestion-raw-arrival-workflow-raw-to-bronze").inputs.definition as string,
    );
  });

  it("creates exactly the expected ingestion resources", () => {
    expect(countTypes(ingestion(plan))).toEqual({
      "medallion:aws:Ingestion": 1,
      "medallion:aws:CdcStream": 1,
      "medallion:aws:RawArrival": 1,
      "medallion:aws:StateMachine": 1,
      "medallion:aws:ConverterTask": 1,
      "medallion:aws:ConverterNetwork": 1,
      "medallion:aws:ApiPulls": 1,
      "medallion:aws:Function": 4,
      "medallion:aws:DynamoTable": 2,
      "medallion:aws:DeadLetterQueue": 3,
      "medallion:aws:CustomerKey": 5,
      "aws:kms/key:Key": 5,
      "aws:kms/alias:Alias": 5,
      "aws:kinesis/stream:Stream": 1,
      "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream": 1,
      "aws:lambda/function:Function": 4,
      "aws:lambda/permission:Permission": 1,
      "aws:cloudwatch/logGroup:LogGroup": 7,
      "aws:cloudwatch/logStream:LogStream": 1,
      // Function errors (4), DLQ depth (3), CDC (3), raw → bronze failed / timed out (2), skipped objects (1),
      // pulls failed, CDC records failed, rows quarantined by the Lambda and the Fargate converter (4).
      "aws:cloudwatch/metricAlarm:MetricAlarm": 17,
      "aws:cloudwatch/eventRule:EventRule": 2,
      "aws:cloudwatch/eventTarget:EventTarget": 2,
      "aws:dynamodb/table:Table": 2,
      "aws:sfn/stateMachine:StateMachine": 1,
      "aws:ecs/cluster:Cluster": 1,
      "aws:ecs/taskDefinition:TaskDefinition": 1,
      "aws:ecr/repository:Repository": 1,
      "aws:ecr/lifecyclePolicy:LifecyclePolicy": 1,
      "docker-build:index:Image": 1,
      "aws:ec2/vpc:Vpc": 1,
      "aws:ec2/subnet:Subnet": 2,
      "aws:ec2/routeTable:RouteTable": 1,
      "aws:ec2/routeTableAssociation:RouteTableAssociation": 2,
      "aws:ec2/securityGroup:SecurityGroup": 2,
      "aws:ec2/vpcEndpoint:VpcEndpoint": 5,
      "aws:s3/bucketNotification:BucketNotification": 1,
      "aws:sqs/queue:Queue": 3,
      "aws:sqs/queuePolicy:QueuePolicy": 3,
      "aws:scheduler/schedule:Schedule": 2,
      "aws:scheduler/scheduleGroup:ScheduleGroup": 1,
      "aws:iam/role:Role": 9,
      "aws:iam/rolePolicy:RolePolicy": 17,
      "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig": 2,
    });
    // The layers' and the secret store's grants to ingestion roles live under those components.
    const ingestionRoles = new Set(
      ingestion(plan)
        .filter((r) => r.type === "aws:iam/role:Role")
        .map((r) => r.urn),
    );
    const grants = ofType(plan, "aws:iam/rolePolicy:RolePolicy").filter(
      (r) =>
        !ingestion(plan).includes(r) && (r.dependencies.role ?? []).some((urn) => ingestionRoles.has(urn)),
    );
    expect(grants.map((g) => g.name).sort()).toEqual([
      "brewery-bronze-write-converter",
      "brewery-bronze-write-converter-task",
      "brewery-raw-read-converter",
      "brewery-raw-read-converter-task",
      "brewery-raw-write-api-pull",
      "brewery-raw-write-cdc-delivery",
      "brewery-secrets-read-api-pull",
    ]);
  });

  describe("CDC", () => {
    it("encrypts the on-demand stream with its own customer key", () => {
      const stream = named(plan, "brewery-ingestion-cdc", "aws:kinesis/stream:Stream");
      expect(stream.inputs).toMatchObject({
        name: "brewery-dev-cdc",
        encryptionType: "KMS",
        kmsKeyId: keyArnOf(plan, "brewery-ingestion-cdc-key"),
        retentionPeriod: 24,
        streamModeDetails: { streamMode: "ON_DEMAND" },
      });
      expect(stream.inputs.kmsKeyId).toMatch(KEY_ARN);
      expect(outputs.ingestion).toMatchObject({ cdcStream: "brewery-dev-cdc" });
    });

    it("delivers through the transformer with dynamic partitioning by table, gzip and an error prefix", () => {
      const firehose = named(plan, "brewery-ingestion-cdc-delivery");
      const transformer = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:brewery-dev-cdc-transformer`;
      expect(firehose.inputs.destination).toBe("extended_s3");
      // Kinesis-sourced streams cannot set Firehose SSE; the source stream's key covers records at rest.
      expect(firehose.inputs.serverSideEncryption).toBeUndefined();
      expect(firehose.inputs.kinesisSourceConfiguration).toMatchObject({
        kinesisStreamArn: `arn:aws:kinesis:${REGION}:${ACCOUNT}:stream/brewery-dev-cdc`,
      });
      expect(firehose.inputs.extendedS3Configuration).toMatchObject({
        bucketArn: `arn:aws:s3:::${RAW_BUCKET}`,
        kmsKeyArn: expect.stringMatching(KEY_ARN),
        prefix: "!{partitionKeyFromLambda:table_name}/ingest_date=!{timestamp:yyyy-MM-dd}/",
        errorOutputPrefix: "_errors/!{firehose:error-output-type}/ingest_date=!{timestamp:yyyy-MM-dd}/",
        compressionFormat: "GZIP",
        bufferingSize: 64,
        dynamicPartitioningConfiguration: { enabled: true, retryDuration: 300 },
        processingConfiguration: {
          enabled: true,
          processors: [
            {
              type: "Lambda",
              parameters: expect.arrayContaining([
                { parameterName: "LambdaArn", parameterValue: `${transformer}:$LATEST` },
              ]),
            },
          ],
        },
        cloudwatchLoggingOptions: {
          enabled: true,
          logGroupName: "/aws/kinesisfirehose/brewery-dev-cdc-to-raw",
        },
      });
    });

    it("alarms on delivery freshness, failed processing and failed delivery", () => {
      const alarms = ["freshness", "processing-failed", "delivery-failed"].map(
        (s) => named(plan, `brewery-ingestion-cdc-${s}`).inputs,
      );
      expect(alarms.map((a) => [a.namespace, a.metricName, a.comparisonOperator, a.threshold])).toEqual([
        ["AWS/Firehose", "DeliveryToS3.DataFreshness", "GreaterThanThreshold", 900],
        ["AWS/Firehose", "ExecuteProcessing.Success", "LessThanThreshold", 1],
        ["AWS/Firehose", "DeliveryToS3.Success", "LessThanThreshold", 1],
      ]);
    });

    it("lets Firehose read only its stream, call only its transformer and write raw", () => {
      const role = named(plan, "brewery-ingestion-cdc-delivery-role");
      expect(JSON.parse(role.inputs.assumeRolePolicy as string).Statement[0]).toMatchObject({
        Principal: { Service: "firehose.amazonaws.com" },
      });
      // Firehose's documented trust policy has no condition (components/aws/service-trust.ts).
      expect(JSON.parse(role.inputs.assumeRolePolicy as string).Statement[0].Condition).toBeUndefined();
      const statements = policyOf(named(plan, "brewery-ingestion-cdc-delivery-access")).Statement;
      expect(statements.find((s) => s.Sid === "ReadStream")?.Resource).toBe(
        `arn:aws:kinesis:${REGION}:${ACCOUNT}:stream/brewery-dev-cdc`,
      );
      expect(statements.find((s) => s.Sid === "DecryptStreamThroughKinesis")?.Condition).toEqual({
        StringEquals: { "kms:ViaService": `kinesis.${REGION}.amazonaws.com` },
      });
      const write = policyOf(named(plan, "brewery-raw-write-cdc-delivery")).Statement;
      expect(write[0]).toMatchObject({ Sid: "WriteObjects", Resource: `arn:aws:s3:::${RAW_BUCKET}/*` });
    });
  });

  describe("raw arrival → bronze", () => {
    it("sends raw bucket events to EventBridge and routes every object but _errors/ to the control-record function", () => {
      expect(named(plan, "brewery-ingestion-raw-arrival-raw-events").inputs).toEqual({
        bucket: RAW_BUCKET,
        eventbridge: true,
      });
      expect(
        JSON.parse(named(plan, "brewery-ingestion-raw-arrival-arrival-rule").inputs.eventPattern as string),
      ).toEqual({
        source: ["aws.s3"],
        "detail-type": ["Object Created"],
        detail: {
          bucket: { name: [RAW_BUCKET] },
          object: { key: [{ "anything-but": { prefix: "_errors/" } }] },
        },
      });
      expect(named(plan, "brewery-ingestion-raw-arrival-arrival-target").inputs).toMatchObject({
        arn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:brewery-dev-control-record`,
        retryPolicy: { maximumEventAgeInSeconds: 3600, maximumRetryAttempts: 10 },
        deadLetterConfig: { arn: `arn:aws:sqs:${REGION}:${ACCOUNT}:brewery-dev-raw-arrival-dlq` },
      });
      expect(named(plan, "brewery-ingestion-raw-arrival-errors-alert").inputs.arn).toBe(ALERT_TOPIC);
    });

    it("alarms on raw objects under no table prefix (the control-record function's ObjectsSkipped) to the alert topic", () => {
      expect(named(plan, "brewery-ingestion-raw-arrival-skipped-objects").inputs).toMatchObject({
        namespace: "Medallion/Ingestion",
        metricName: "ObjectsSkipped",
        // The dimensions Powertools publishes: its service name and the function's default dimension.
        dimensions: { service: "control-record", function: "brewery-dev-control-record" },
        statistic: "Sum",
        threshold: 0,
        comparisonOperator: "GreaterThanThreshold",
        alarmActions: [ALERT_TOPIC],
      });
    });

    it("validates as Amazon States Language", () => {
      // The validator fills in defaults (QueryLanguage) on what it is given, so it gets a copy.
      const result = aslValidator(structuredClone(definition));
      expect(result.errorsText("\n")).toBe("");
      expect(result.isValid).toBe(true);
    });

    it("routes on estimated records against the spec's threshold, unknown sizes to ECS", () => {
      const route = definition.States.Route;
      expect(route).toEqual({
        Type: "Choice",
        Choices: [
          { Not: { Variable: "$.estimatedRecords", IsPresent: true }, Next: "ConvertOnEcs" },
          { Not: { Variable: "$.estimatedRecords", IsNumeric: true }, Next: "ConvertOnEcs" },
          { Variable: "$.estimatedRecords", NumericGreaterThan: 100000, Next: "ConvertOnEcs" },
        ],
        Default: "ConvertOnLambda",
      });
    });

    it("gives every Task a timeout, a retry with backoff and a catch that ends in MarkFailed → alert → Fail", () => {
      const tasks = Object.entries(definition.States).filter(([, s]) => s.Type === "Task");
      expect(tasks.map(([n]) => n).sort()).toEqual(
        [
          "ConvertOnEcs",
          "ConvertOnLambda",
          "MarkConverting",
          "MarkConvertedOnEcs",
          "MarkConvertedOnLambda",
          "MarkFailed",
          "NotifyFailure",
        ].sort(),
      );
      for (const [, task] of tasks) {
        expect(task.TimeoutSeconds).toEqual(expect.any(Number));
        const retries = task.Retry as { BackoffRate: number; MaxAttempts: number }[];
        expect(retries.length).toBeGreaterThan(0);
        for (const r of retries) expect(r.BackoffRate).toBeGreaterThanOrEqual(2);
        expect((task.Catch as { ErrorEquals: string[] }[])[0].ErrorEquals).toEqual(["States.ALL"]);
      }
      for (const [name] of tasks.filter(([n]) => !["MarkFailed", "NotifyFailure"].includes(n))) {
        expect((definition.States[name].Catch as { Next: string }[])[0].Next).toBe("MarkFailed");
      }
      expect(definition.States.MarkFailed).toMatchObject({
        Resource: "arn:aws:states:::dynamodb:updateItem",
        Parameters: {
          TableName: "brewery-dev-raw-control",
          ExpressionAttributeValues: { ":status": { S: "FAILED" } },
        },
        Next: "NotifyFailure",
      });
      expect(definition.States.NotifyFailure).toMatchObject({
        Resource: "arn:aws:states:::sns:publish",
        Parameters: { TopicArn: ALERT_TOPIC },
        Next: "ConversionFailed",
      });
      expect(definition.States.ConversionFailed.Type).toBe("Fail");
      expect(definition.TimeoutSeconds).toBe(4 * 3600);
    });

    it("runs the converter on Lambda or as a Fargate task (.sync) with the file in container overrides", () => {
      expect(definition.States.ConvertOnLambda).toMatchObject({
        Resource: "arn:aws:states:::lambda:invoke",
        Parameters: {
          FunctionName: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:brewery-dev-converter`,
          Payload: {
            "controlId.$": "$.controlId",
            "bucket.$": "$.bucket",
            "key.$": "$.key",
            "table.$": "$.table",
          },
        },
      });
      const ecs = definition.States.ConvertOnEcs as { Resource: string; Parameters: EcsParameters };
      expect(ecs.Resource).toBe("arn:aws:states:::ecs:runTask.sync");
      expect(ecs.Parameters.TaskDefinition).toBe(
        `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/brewery-dev-converter:1`,
      );
      expect(
        ecs.Parameters.Overrides.ContainerOverrides[0].Environment.map((e: { Name: string }) => e.Name),
      ).toEqual(["CONTROL_ID", "SOURCE_BUCKET", "SOURCE_KEY", "TABLE"]);
    });

    it("logs ALL execution events to an encrypted log group and traces with X-Ray", () => {
      const machine = named(plan, "brewery-ingestion-raw-arrival-workflow-raw-to-bronze");
      const logs = named(plan, "brewery-ingestion-raw-arrival-workflow-logs");
      expect(machine.inputs).toMatchObject({
        type: "STANDARD",
        loggingConfiguration: {
          level: "ALL",
          includeExecutionData: true,
          logDestination: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/vendedlogs/states/brewery-dev-raw-to-bronze:*`,
        },
        tracingConfiguration: { enabled: true },
      });
      expect(logs.inputs.kmsKeyId).toMatch(KEY_ARN);
      expect(logs.inputs.retentionInDays).toBe(30);
      for (const metric of ["failed", "timed-out"]) {
        expect(
          named(plan, `brewery-ingestion-raw-arrival-workflow-raw-to-bronze-${metric}`).inputs.alarmActions,
        ).toEqual([ALERT_TOPIC]);
      }
    });

    it("runs the Fargate converter from a scanned, KMS-encrypted repository with a read-only root file system", () => {
      expect(named(plan, "brewery-ingestion-raw-arrival-converter-task-repository").inputs).toMatchObject({
        imageScanningConfiguration: { scanOnPush: true },
        encryptionConfigurations: [{ encryptionType: "KMS", kmsKey: expect.stringMatching(KEY_ARN) }],
        forceDelete: false,
      });
      const image = named(plan, "brewery-ingestion-raw-arrival-converter-task-image");
      expect(image.inputs).toMatchObject({
        // The image's own bundle folder is the context, never the project directory (issue 15).
        context: { location: expect.stringMatching(BUNDLE_FOLDER) },
        dockerfile: { location: expect.stringMatching(/\/Dockerfile$/) },
        push: true,
        buildOnPreview: false,
        platforms: ["linux/amd64"],
      });
      const task = named(plan, "brewery-ingestion-raw-arrival-converter-task-task");
      expect(task.inputs).toMatchObject({ requiresCompatibilities: ["FARGATE"], networkMode: "awsvpc" });
      const [container] = JSON.parse(task.inputs.containerDefinitions as string);
      expect(container).toMatchObject({
        name: "converter",
        image: expect.stringMatching(
          new RegExp(`^${ACCOUNT}\\.dkr\\.ecr\\.${REGION}\\.amazonaws\\.com/brewery-dev-converter@sha256:`),
        ),
        readonlyRootFilesystem: true,
        environment: [
          { name: "BRONZE_BUCKET", value: `brewery-dev-bronze-${ACCOUNT}-${REGION}` },
          { name: "CONTROL_TABLE", value: "brewery-dev-raw-control" },
          { name: "METRICS_PIPELINE", value: "brewery-dev" },
          { name: "METRICS_SCOPE", value: "brewery-dev-converter" },
        ],
      });
      expect(
        named(plan, "brewery-ingestion-raw-arrival-converter-task-network-task").inputs.ingress,
      ).toBeUndefined();
    });
  });

  describe("API pulls", () => {
    it("schedules each API table hourly and daily (D-1) with retries and a dead-letter queue", () => {
      const schedules = ingestion(plan)
        .filter((r) => r.type === "aws:scheduler/schedule:Schedule")
        .map((s) => s.inputs);
      expect(
        schedules.map((s) => [
          s.name,
          s.scheduleExpression,
          s.scheduleExpressionTimezone,
          JSON.parse((s.target as { input: string }).input),
        ]),
      ).toEqual([
        ["profile-daily", "cron(0 2 * * ? *)", "UTC", { table: "profile", mode: "daily" }],
        ["profile-hourly", "cron(0 * * * ? *)", "UTC", { table: "profile", mode: "hourly" }],
      ]);
      for (const s of schedules) {
        expect(s.target).toMatchObject({
          arn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:brewery-dev-api-pull`,
          retryPolicy: { maximumEventAgeInSeconds: 3600, maximumRetryAttempts: 5 },
          deadLetterConfig: { arn: `arn:aws:sqs:${REGION}:${ACCOUNT}:brewery-dev-api-pull-dlq` },
        });
      }
    });

    it("lets the scheduler invoke the pull function only, and the function read only its own secret", () => {
      expect(policyOf(named(plan, "brewery-ingestion-api-pulls-scheduler-invoke")).Statement).toEqual([
        {
          Sid: "InvokeApiPull",
          Effect: "Allow",
          Action: ["lambda:InvokeFunction"],
          Resource: [
            `arn:aws:lambda:${REGION}:${ACCOUNT}:function:brewery-dev-api-pull`,
            `arn:aws:lambda:${REGION}:${ACCOUNT}:function:brewery-dev-api-pull:*`,
          ],
        },
      ]);
      const secretArn = (outputs.secretArns as Record<string, string>)["brewery-api"];
      expect(policyOf(named(plan, "brewery-secrets-read-api-pull")).Statement[0].Resource).toEqual([
        secretArn,
      ]);
      const env = (
        named(plan, "brewery-ingestion-api-pulls-puller", "aws:lambda/function:Function").inputs
          .environment as { variables: Record<string, string> }
      ).variables;
      expect(env).toMatchObject({ WATERMARK_TABLE: "brewery-dev-api-watermarks", RAW_BUCKET });
      expect(JSON.parse(env.SECRET_ARNS)).toEqual({ "brewery-api": secretArn });
    });
  });

  describe("security baseline", () => {
    it("puts every DynamoDB table under a customer key with point-in-time recovery", () => {
      const tables = ofType(plan, "aws:dynamodb/table:Table");
      // Partition keys are the runtime's contract: control records by `pk`, watermarks by `source`.
      expect(tables.map((t) => [t.inputs.name, t.inputs.hashKey]).sort()).toEqual([
        ["brewery-dev-api-watermarks", "source"],
        ["brewery-dev-raw-control", "pk"],
      ]);
      for (const t of tables) {
        expect(t.inputs).toMatchObject({
          billingMode: "PAY_PER_REQUEST",
          pointInTimeRecovery: { enabled: true },
          serverSideEncryption: { enabled: true, kmsKeyArn: expect.stringMatching(KEY_ARN) },
        });
      }
    });

    it("encrypts every queue and topic with a customer key, and denies non-TLS access to each", () => {
      for (const q of ofType(plan, "aws:sqs/queue:Queue")) expect(q.inputs.kmsMasterKeyId).toMatch(KEY_ARN);
      for (const t of ofType(plan, "aws:sns/topic:Topic")) expect(t.inputs.kmsMasterKeyId).toMatch(KEY_ARN);
      for (const p of [
        ...ofType(plan, "aws:sqs/queuePolicy:QueuePolicy"),
        ...ofType(plan, "aws:sns/topicPolicy:TopicPolicy"),
      ]) {
        expect(policyOf(p).Statement[0]).toMatchObject({ Sid: "DenyInsecureTransport", Effect: "Deny" });
      }
    });

    it("sends asynchronous invocations that still fail to a dead-letter queue instead of dropping them", () => {
      const configs = ofType(plan, "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig").map(
        (c) => [
          c.inputs.functionName,
          (c.inputs.destinationConfig as { onFailure: { destination: string } }).onFailure.destination,
        ],
      );
      expect(configs.sort()).toEqual([
        ["brewery-dev-api-pull", `arn:aws:sqs:${REGION}:${ACCOUNT}:brewery-dev-api-pull-dlq`],
        ["brewery-dev-control-record", `arn:aws:sqs:${REGION}:${ACCOUNT}:brewery-dev-raw-arrival-dlq`],
      ]);
    });

    it("alarms on every dead-letter queue as soon as it holds a message", () => {
      const dlqs = ingestion(plan).filter(
        (q) => q.type === "aws:sqs/queue:Queue" && String(q.inputs.name).endsWith("-dlq"),
      );
      expect(dlqs).toHaveLength(3);
      for (const q of dlqs) {
        const alarm = ofType(plan, "aws:cloudwatch/metricAlarm:MetricAlarm").find(
          (a) => (a.inputs.dimensions as Record<string, string> | undefined)?.QueueName === q.inputs.name,
        );
        expect(alarm?.inputs).toMatchObject({
          metricName: "ApproximateNumberOfMessagesVisible",
          threshold: 0,
          comparisonOperator: "GreaterThanThreshold",
        });
      }
    });

    it("runs every function on nodejs22.x with an encrypted log group of finite retention and an error alarm", () => {
      const functions = ofType(plan, "aws:lambda/function:Function");
      expect(functions.map((f) => f.inputs.name).sort()).toEqual([
        "brewery-dev-api-pull",
        "brewery-dev-cdc-transformer",
        "brewery-dev-control-record",
        "brewery-dev-converter",
      ]);
      for (const fn of functions) {
        expect(fn.inputs).toMatchObject({ runtime: "nodejs22.x", handler: "index.handler" });
        const group = ofType(plan, "aws:cloudwatch/logGroup:LogGroup").find(
          (g) => g.inputs.name === `/aws/lambda/${fn.inputs.name}`,
        );
        expect(group?.inputs).toMatchObject({
          retentionInDays: 30,
          kmsKeyId: expect.stringMatching(KEY_ARN),
        });
        expect(fn.inputs.loggingConfig).toEqual({
          logFormat: "JSON",
          logGroup: `/aws/lambda/${fn.inputs.name}`,
        });
        expect(named(plan, `${fn.name}-errors`).inputs).toMatchObject({
          namespace: "AWS/Lambda",
          metricName: "Errors",
          dimensions: { FunctionName: fn.inputs.name },
          alarmActions: [ALERT_TOPIC],
        });
      }
    });

    it("gives every log group a retention and a customer key, and every alarm the alert topic", () => {
      for (const g of ofType(plan, "aws:cloudwatch/logGroup:LogGroup")) {
        expect(g.inputs).toMatchObject({ retentionInDays: 30, kmsKeyId: expect.stringMatching(KEY_ARN) });
      }
      for (const a of ofType(plan, "aws:cloudwatch/metricAlarm:MetricAlarm")) {
        expect(a.inputs.alarmActions).toEqual([ALERT_TOPIC]);
      }
    });

    it("lets CloudWatch Logs use the logs key only for this account's log groups", () => {
      const key = named(plan, "brewery-ingestion-logs-key", "aws:kms/key:Key");
      expect(policyOf(key).Statement[1]).toMatchObject({
        Principal: { Service: `logs.${REGION}.amazonaws.com` },
        Condition: {
          ArnLike: { "kms:EncryptionContext:aws:logs:arn": `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:*` },
        },
      });
    });

    it("writes IAM statements without wildcard actions, and `*` resources only for actions that take no ARN", () => {
      const policies = ofType(plan, "aws:iam/rolePolicy:RolePolicy");
      expect(policies.length).toBeGreaterThan(0);
      for (const p of policies) {
        for (const s of policyOf(p).Statement) {
          const actions = ([] as string[]).concat(s.Action as string | string[]);
          const resources = ([] as string[]).concat(s.Resource as string | string[]);
          for (const a of actions) expect(a).not.toContain("*");
          if (resources.includes("*")) {
            expect({
              policy: p.name,
              actions: actions.filter((a) => !UNSCOPABLE_ACTIONS.includes(a)),
            }).toEqual({
              policy: p.name,
              actions: [],
            });
          }
          // Other wildcards only narrow below a named resource (objects, log streams, versions, tasks).
          for (const r of resources.filter((r) => r !== "*")) {
            expect(r).toMatch(/^arn:aws:[a-z0-9-]+:[a-z0-9-]*:(\d{12})?:[^*]+[^*:/]([:/].*)?$/);
          }
        }
      }
    });

    it("trusts each role's own service, with the confused-deputy conditions that service documents", () => {
      const trustOf = (suffix: string) => {
        const [role] = ingestion(plan).filter(
          (r) => r.type === "aws:iam/role:Role" && r.name.endsWith(suffix),
        );
        return JSON.parse(role.inputs.assumeRolePolicy as string).Statement;
      };
      const account = { StringEquals: { "aws:SourceAccount": ACCOUNT } };
      expect(trustOf("raw-arrival-workflow-role")[0].Condition).toEqual({
        ...account,
        ArnLike: { "aws:SourceArn": `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:*` },
      });
      expect(trustOf("converter-task-task-role")[0].Condition).toEqual({
        ...account,
        ArnLike: { "aws:SourceArn": `arn:aws:ecs:${REGION}:${ACCOUNT}:*` },
      });
      expect(trustOf("api-pulls-scheduler-role")[0].Condition).toEqual(account);
      for (const suffix of ["converter-task-execution-role", "converter-role", "cdc-delivery-role"])
        expect(trustOf(suffix).map((t: { Condition?: unknown }) => t.Condition)).toEqual([undefined]);
      expect(evaluatePlan(plan).filter((v) => v.rule === "aws-iam-service-trust")).toEqual([]);
    });
  });
});

describe("event-driven jobs", () => {
  let plan: Plan;
  let outputs: Record<string, unknown>;
  const eventSpec = () => {
    const spec = JSON.parse(
      readStackConfig(ROOT, "dev").config["medallion:lakehouse"] ?? "null",
    ) as LakehouseSpecInput;
    const payments = {
      name: "payments",
      source: { kind: "event" as const, idField: "payment_id" },
      columns: [{ name: "payment_id", type: "string" as const }],
      primaryKey: ["payment_id"],
    };
    return JSON.stringify({ ...spec, tables: [...spec.tables, payments] });
  };

  beforeAll(async () => {
    ({ plan, outputs } = await preview("dev", { overrides: { "medallion:lakehouse": eventSpec() } }));
  });

  it("are absent without event tables: no topic, queue, trigger or workflow starting a job nothing creates", async () => {
    const dev = await preview("dev");
    expect(dev.plan.resources.filter((r) => r.type === "medallion:aws:EventJobs")).toEqual([]);
    expect(dev.plan.resources.filter((r) => r.name.includes("event-jobs"))).toEqual([]);
    expect((dev.outputs.ingestion as Record<string, unknown>).jobEventsTopic).toBeUndefined();
    expect(ofType(plan, "medallion:aws:EventJobs")).toHaveLength(1);
    expect((outputs.ingestion as Record<string, unknown>).jobEventsTopic).toBe(
      `arn:aws:sns:${REGION}:${ACCOUNT}:brewery-dev-job-events`,
    );
  });

  it("pass the policy pack (DLQ, TLS-only queue and topic, logged and traced workflow, Retry/Catch/Timeout)", () => {
    expect(evaluatePlan(plan, false).map((v) => `${v.rule} ${v.urn} ${v.message}`)).toEqual([]);
  });

  it("subscribes an encrypted queue to an encrypted topic, with a dead-letter queue after 5 receives", () => {
    const topic = named(plan, "brewery-ingestion-event-jobs-topic");
    const queue = named(plan, "brewery-ingestion-event-jobs-queue");
    expect(topic.inputs.kmsMasterKeyId).toMatch(KEY_ARN);
    expect(queue.inputs.kmsMasterKeyId).toMatch(KEY_ARN);
    expect(JSON.parse(queue.inputs.redrivePolicy as string)).toEqual({
      deadLetterTargetArn: `arn:aws:sqs:${REGION}:${ACCOUNT}:brewery-dev-job-events-dlq`,
      maxReceiveCount: 5,
    });
    const trigger = named(plan, "brewery-ingestion-event-jobs-trigger", "aws:lambda/function:Function");
    expect(queue.inputs.visibilityTimeoutSeconds).toBeGreaterThanOrEqual(
      6 * (trigger.inputs.timeout as number),
    );
    expect(named(plan, "brewery-ingestion-event-jobs-subscription").inputs).toMatchObject({
      protocol: "sqs",
      rawMessageDelivery: true,
    });
    expect(named(plan, "brewery-ingestion-event-jobs-trigger-source").inputs).toMatchObject({
      functionResponseTypes: ["ReportBatchItemFailures"],
      scalingConfig: { maximumConcurrency: 5 },
    });
  });

  it("lets only the topic send to the queue, over TLS only", () => {
    const [deny, allow] = policyOf(named(plan, "brewery-ingestion-event-jobs-queue-policy")).Statement;
    expect(deny).toMatchObject({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } });
    expect(allow).toMatchObject({
      Principal: { Service: "sns.amazonaws.com" },
      Action: "sqs:SendMessage",
      Condition: {
        ArnEquals: { "aws:SourceArn": `arn:aws:sns:${REGION}:${ACCOUNT}:brewery-dev-job-events` },
      },
    });
  });

  it("starts one named execution per transaction id, which runs the stack's own bronze → silver Glue job", () => {
    const machineArn = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:brewery-dev-event-jobs`;
    expect(policyOf(named(plan, "brewery-ingestion-event-jobs-trigger-start-workflow")).Statement).toEqual([
      { Sid: "StartEventJobs", Effect: "Allow", Action: ["states:StartExecution"], Resource: machineArn },
    ]);
    expect(
      named(plan, "brewery-ingestion-event-jobs-trigger", "aws:lambda/function:Function").inputs.environment,
    ).toEqual({ variables: { NODE_OPTIONS: "--enable-source-maps", STATE_MACHINE_ARN: machineArn } });
    // The job is a resource of this stack, not a name nothing creates.
    const silverJob = named(plan, "brewery-transform-bronze-to-silver", "aws:glue/job:Job");
    const access = policyOf(named(plan, "brewery-ingestion-event-jobs-workflow-role-policy")).Statement;
    expect(access[0]).toEqual({
      Sid: "RunEventJob",
      Effect: "Allow",
      Action: ["glue:StartJobRun", "glue:GetJobRun", "glue:GetJobRuns", "glue:BatchStopJobRun"],
      Resource: `arn:aws:glue:${REGION}:${ACCOUNT}:job/${String(silverJob.inputs.name)}`,
    });
    const machine = named(
      plan,
      "brewery-ingestion-event-jobs-workflow-event-jobs",
      "aws:sfn/stateMachine:StateMachine",
    );
    expect(machine.inputs).toMatchObject({
      type: "STANDARD",
      tracingConfiguration: { enabled: true },
      loggingConfiguration: { level: "ALL" },
    });
    const definition = JSON.parse(machine.inputs.definition as string);
    const result = aslValidator(structuredClone(definition));
    expect(result.errorsText("\n")).toBe("");
    expect(result.isValid).toBe(true);
    expect(definition.States.RunJob).toMatchObject({
      Resource: "arn:aws:states:::glue:startJobRun.sync",
      Parameters: { JobName: silverJob.inputs.name, "Arguments.$": "$.arguments" },
      // Only errors that started no run are retried: a retry never starts a second run for the id.
      Retry: [{ ErrorEquals: ["Glue.ConcurrentRunsExceededException", "Glue.ThrottlingException"] }],
      Catch: [{ ErrorEquals: ["States.ALL"], Next: "NotifyFailure" }],
    });
    for (const suffix of ["failed", "timed-out"])
      expect(
        named(plan, `brewery-ingestion-event-jobs-workflow-event-jobs-${suffix}`).inputs.alarmActions,
      ).toEqual([ALERT_TOPIC]);
  });
});

describe("ingestion in the prod stack", () => {
  it("protects and retains the ingestion's data stores", async () => {
    const { plan } = await preview("prod");
    const stores = plan.resources.filter((r) =>
      ["aws:dynamodb/table:Table", "aws:kinesis/stream:Stream", "aws:ecr/repository:Repository"].includes(
        r.type,
      ),
    );
    expect(stores).toHaveLength(2 + 1 + 1);
    for (const r of stores)
      expect({ name: r.name, protect: r.protect, keep: r.retainOnDelete }).toEqual({
        name: r.name,
        protect: true,
        keep: true,
      });
    for (const t of ofType(plan, "aws:dynamodb/table:Table"))
      expect(t.inputs.deletionProtectionEnabled).toBe(true);
  });
});

describe("ingestion driven by the spec", () => {
  const devSpec = () =>
    JSON.parse(readStackConfig(ROOT, "dev").config["medallion:lakehouse"] ?? "null") as LakehouseSpecInput;
  const withTables = (tables: LakehouseSpecInput["tables"]) => {
    const spec = devSpec();
    return JSON.stringify({ ...spec, tables, views: [], gold: [] });
  };
  const batch = (name: string) => ({
    name,
    source: { kind: "batch" as const },
    columns: [{ name: "id", type: "bigint" as const }],
    primaryKey: ["id"],
  });

  it("builds no stream, Firehose or schedules without CDC and API tables, and bundles the event tables for the trigger", async () => {
    const { plan } = await preview("dev", {
      overrides: {
        "medallion:lakehouse": withTables([
          batch("orders"),
          { ...batch("payments"), source: { kind: "event", idField: "payment_id" } },
        ]),
      },
    });
    for (const type of [
      "aws:kinesis/stream:Stream",
      "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream",
      "aws:scheduler/schedule:Schedule",
    ])
      expect(ingestion(plan).filter((r) => r.type === type)).toHaveLength(0);
    expect(
      ofType(plan, "aws:lambda/function:Function")
        .map((f) => f.inputs.name)
        .sort(),
    ).toEqual(["brewery-dev-control-record", "brewery-dev-converter", "brewery-dev-job-trigger"]);
    expect(ofType(plan, "medallion:aws:EventJobs")).toHaveLength(1);
  });

  it("adds no resource per batch table and two schedules per API table", async () => {
    const count = async (tables: LakehouseSpecInput["tables"]) =>
      // Ingestion's own resources: the Iceberg catalog adds tables per table, which is the transformations' business.
      ingestion((await preview("dev", { overrides: { "medallion:lakehouse": withTables(tables) } })).plan)
        .length;
    const api = (name: string) => ({
      ...batch(name),
      source: { kind: "api" as const, url: "https://api.example.com/x" },
    });
    const base = await count([batch("a"), api("p")]);
    expect(await count([batch("a"), batch("b"), batch("c"), api("p")])).toBe(base);
    expect(await count([batch("a"), api("p"), api("q")])).toBe(base + 2);
  });
});
