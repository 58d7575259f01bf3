import { DynamoDBPersistenceLayer } from "@aws-lambda-powertools/idempotency/dynamodb";
import { GlueClient, StartJobRunCommand } from "@aws-sdk/client-glue";
import type { Context, SQSEvent } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { startDynamo } from "../test/servers";
import { createEventTrigger, parseJobRequest } from "./event-trigger";

const glueMock = mockClient(GlueClient);
let dynamo: Awaited<ReturnType<typeof startDynamo>>;

beforeAll(async () => {
  process.env.AWS_LAMBDA_FUNCTION_NAME = "event-trigger";
  dynamo = await startDynamo({ idempotency: "id" });
});
afterAll(() => dynamo.close());
beforeEach(() => {
  glueMock.reset();
  let runs = 0;
  glueMock.on(StartJobRunCommand).callsFake(async () => ({ JobRunId: `jr_${++runs}` }));
});

const context = {
  getRemainingTimeInMillis: () => 30_000,
  functionName: "event-trigger",
} as unknown as Context;

/** A fresh trigger = a fresh Lambda container; all share the DynamoDB idempotency table. */
function trigger() {
  return createEventTrigger({
    glue: new GlueClient({ region: "us-east-1" }),
    persistenceStore: new DynamoDBPersistenceLayer({
      tableName: "idempotency",
      awsSdkV3Client: dynamo.client,
    }),
    jobName: "bronze-to-silver",
  });
}

function snsEvent(...messages: object[]): SQSEvent {
  return {
    Records: messages.map((message, i) => ({
      messageId: `m${i}`,
      receiptHandle: `h${i}`,
      body: JSON.stringify({ Type: "Notification", MessageId: `sns-${i}`, Message: JSON.stringify(message) }),
      attributes: {} as SQSEvent["Records"][number]["attributes"],
      messageAttributes: {},
      md5OfBody: "",
      eventSource: "aws:sqs",
      eventSourceARN: "arn:aws:sqs:us-east-1:123456789012:events",
      awsRegion: "us-east-1",
    })),
  };
}

describe("event trigger (dynalite idempotency + mocked Glue)", () => {
  it("starts one job run for a message delivered twice in one batch and again later", async () => {
    const handler = trigger();
    const message = { transaction_id: "tx-1", arguments: { "--table": "orders", day: "2026-11-21" } };
    const first = await handler(snsEvent(message, { transaction_id: "tx-2" }), context);
    const again = await handler(snsEvent(message), context);
    expect(first.batchItemFailures).toEqual([]);
    expect(again.batchItemFailures).toEqual([]);
    const calls = glueMock.commandCalls(StartJobRunCommand).map((c) => c.args[0].input);
    expect(calls).toEqual([
      { JobName: "bronze-to-silver", Arguments: { "--table": "orders", "--day": "2026-11-21" } },
      { JobName: "bronze-to-silver", Arguments: {} },
    ]);
  });

  it("starts exactly one job run under 50 concurrent duplicate deliveries; the rest fail or get the stored result", async () => {
    const message = { transaction_id: "tx-concurrent", arguments: { "--n": "1" } };
    const responses = await Promise.all(
      Array.from({ length: 50 }, () => trigger()(snsEvent(message), context)),
    );
    expect(glueMock.commandCalls(StartJobRunCommand)).toHaveLength(1);
    // The in-flight duplicates are reported as failures, so SQS redelivers them; a redelivery is then a no-op.
    const failed = responses.filter((r) => r.batchItemFailures.length > 0);
    expect(failed.length).toBeLessThan(50);
    const redelivered = await Promise.all(failed.map(() => trigger()(snsEvent(message), context)));
    expect(redelivered.every((r) => r.batchItemFailures.length === 0)).toBe(true);
    expect(glueMock.commandCalls(StartJobRunCommand)).toHaveLength(1);
  });

  it("reports a failed StartJobRun as a batch item failure and starts the job on the retry", async () => {
    glueMock
      .on(StartJobRunCommand)
      .rejectsOnce(new Error("ConcurrentRunsExceededException"))
      .resolves({ JobRunId: "jr_retry" });
    const handler = trigger();
    const message = { transaction_id: "tx-retry" };
    expect(await handler(snsEvent(message, { transaction_id: "tx-ok" }), context)).toEqual({
      batchItemFailures: [{ itemIdentifier: "m0" }],
    });
    expect(await handler(snsEvent(message), context)).toEqual({ batchItemFailures: [] });
    expect(glueMock.commandCalls(StartJobRunCommand)).toHaveLength(3);
  });

  it("fails records that are not JSON or have no transaction id (they end in the DLQ)", async () => {
    const handler = trigger();
    const event = snsEvent({ other: 1 });
    event.Records.push({ ...event.Records[0]!, messageId: "bad-json", body: "not json" });
    expect((await handler(event, context)).batchItemFailures).toEqual([
      { itemIdentifier: "m0" },
      { itemIdentifier: "bad-json" },
    ]);
    expect(glueMock.commandCalls(StartJobRunCommand)).toHaveLength(0);
  });
});

describe("parseJobRequest", () => {
  it("reads raw (non-SNS) bodies, a custom id field and stringifies argument values", () => {
    expect(
      parseJobRequest(JSON.stringify({ order_id: 7, arguments: { "--limit": 10 } }), "order_id"),
    ).toEqual({
      id: "7",
      arguments: { "--limit": "10" },
    });
  });

  it("fails if arguments is not an object", () => {
    expect(() =>
      parseJobRequest(JSON.stringify({ transaction_id: "a", arguments: [1] }), "transaction_id"),
    ).toThrow("arguments must be an object of --key: value");
  });
});
