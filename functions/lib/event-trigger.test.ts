import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from "@aws-sdk/client-sfn";
import type { Context, SQSEvent } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import fc from "fast-check";
import { tableSpec } from "../test/fixtures";
import {
  createEventTrigger,
  eventExecutionName,
  parseJobRequest,
  type EventTriggerDeps,
} from "./event-trigger";

const sfnMock = mockClient(SFNClient);
const MACHINE = "arn:aws:states:us-east-1:123456789012:stateMachine:brewery-dev-event-jobs";
const orders = tableSpec({
  name: "orders",
  source: { kind: "event" },
  columns: [{ name: "order_id", type: "bigint" }],
});
const payments = tableSpec({
  name: "payments",
  source: { kind: "event", idField: "payment_id" },
  columns: [{ name: "payment_id", type: "string" }],
});
const one = new Map([["orders", orders]]);
let executions: Map<string, string>;

beforeEach(() => {
  sfnMock.reset();
  executions = new Map();
  // What Step Functions does with a Standard execution's name (API_StartExecution): unused → start; used by
  // an open execution with the same input → the same answer; otherwise ExecutionAlreadyExists.
  sfnMock.on(StartExecutionCommand).callsFake(async (input: { name: string; input: string }) => {
    const arn = `${MACHINE.replace(":stateMachine:", ":execution:")}:${input.name}`;
    const existing = executions.get(input.name);
    if (existing === undefined) {
      executions.set(input.name, input.input);
      return { executionArn: arn };
    }
    if (existing === input.input) return { executionArn: arn };
    throw new ExecutionAlreadyExists({ message: "exists", $metadata: {} });
  });
});

const context = {
  getRemainingTimeInMillis: () => 30_000,
  functionName: "event-trigger",
} as unknown as Context;

function trigger(overrides: Partial<EventTriggerDeps> = {}) {
  return createEventTrigger({
    sfn: new SFNClient({ region: "us-east-1" }),
    stateMachineArn: MACHINE,
    tables: one,
    ...overrides,
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

const inputs = () => sfnMock.commandCalls(StartExecutionCommand).map((c) => c.args[0].input);

describe("event trigger (mocked Step Functions)", () => {
  it("passes the transaction id to the job, and starts one execution for a message delivered twice and again later", async () => {
    const handler = trigger();
    const message = { transaction_id: "tx-1", arguments: { "--region": "sp", day: "2026-11-21" } };
    expect(
      (await handler(snsEvent(message, { transaction_id: "tx-2" }, message), context)).batchItemFailures,
    ).toEqual([]);
    expect((await handler(snsEvent(message), context)).batchItemFailures).toEqual([]);
    expect(executions.size).toBe(2);
    expect(JSON.parse(inputs()[0]!.input!)).toEqual({
      table: "orders",
      transactionId: "tx-1",
      arguments: { "--region": "sp", "--day": "2026-11-21", "--name": "orders", "--transaction_id": "tx-1" },
    });
    expect(inputs()[0]!.name).toBe(eventExecutionName("orders", "tx-1"));
  });

  it("a crash after the start and the redelivery that follows start no second job run", async () => {
    const message = { transaction_id: "tx-crash" };
    // The function dies right after StartExecution succeeded (before it could record or answer anything).
    const crashing = trigger({
      onStarted: () => {
        throw new Error("Lambda timed out");
      },
    });
    expect((await crashing(snsEvent(message), context)).batchItemFailures).toEqual([
      { itemIdentifier: "m0" },
    ]);
    const duplicates: string[] = [];
    const redelivered = trigger({ onDuplicate: (r) => void duplicates.push(r.id) });
    // The execution has finished by the time SQS redelivers: the name is still taken (90 days).
    executions.set(eventExecutionName("orders", "tx-crash"), "closed");
    expect((await redelivered(snsEvent(message), context)).batchItemFailures).toEqual([]);
    expect(duplicates).toEqual(["tx-crash"]);
    expect(executions.size).toBe(1);
  });

  it("starts exactly one execution under 50 concurrent duplicate deliveries, and none of them fails", async () => {
    const message = { transaction_id: "tx-concurrent", arguments: { n: "1" } };
    const responses = await Promise.all(
      Array.from({ length: 50 }, () => trigger()(snsEvent(message), context)),
    );
    expect(executions.size).toBe(1);
    expect(responses.every((r) => r.batchItemFailures.length === 0)).toBe(true);
  });

  it("reports a failed StartExecution as a batch item failure and starts it on the redelivery", async () => {
    let calls = 0;
    sfnMock.on(StartExecutionCommand).callsFake(async (input: { name: string; input: string }) => {
      if (++calls === 1) throw new Error("ThrottlingException");
      executions.set(input.name, input.input);
      return { executionArn: "arn" };
    });
    const handler = trigger();
    expect(await handler(snsEvent({ transaction_id: "tx-retry" }), context)).toEqual({
      batchItemFailures: [{ itemIdentifier: "m0" }],
    });
    expect(await handler(snsEvent({ transaction_id: "tx-retry" }), context)).toEqual({
      batchItemFailures: [],
    });
    expect(executions.size).toBe(1);
  });

  it("fails records that are not JSON, have no transaction id or name no event table (they end in the DLQ)", async () => {
    const handler = trigger({
      tables: new Map([
        ["orders", orders],
        ["payments", payments],
      ]),
    });
    const event = snsEvent(
      { table: "orders", other: 1 },
      { transaction_id: "x" },
      { table: "customers", transaction_id: "x" },
      { table: "payments", payment_id: "p-1" },
    );
    event.Records.push({ ...event.Records[0]!, messageId: "bad-json", body: "not json" });
    expect((await handler(event, context)).batchItemFailures).toEqual([
      { itemIdentifier: "m0" },
      { itemIdentifier: "m1" },
      { itemIdentifier: "m2" },
      { itemIdentifier: "bad-json" },
    ]);
    expect(inputs().map((i) => JSON.parse(i.input!).transactionId)).toEqual(["p-1"]);
  });
});

describe("parseJobRequest", () => {
  it("reads raw (non-SNS) bodies, the table's own id field, and stringifies argument values", () => {
    expect(
      parseJobRequest(
        JSON.stringify({ payment_id: 7, arguments: { "--limit": 10 } }),
        new Map([["payments", payments]]),
      ),
    ).toEqual({
      table: "payments",
      id: "7",
      arguments: { "--limit": "10", "--name": "payments", "--transaction_id": "7" },
    });
  });

  it("fails if arguments is not an object, or sets a reserved or Glue-spelled parameter", () => {
    const parse = (message: object) => () => parseJobRequest(JSON.stringify(message), one);
    expect(parse({ transaction_id: "a", arguments: [1] })).toThrow(
      "arguments must be an object of --key: value",
    );
    for (const key of ["--name", "transaction_id", "--plan", "--conf", "--extra-py-files", "--TempDir"])
      expect(parse({ transaction_id: "a", arguments: { [key]: "x" } })).toThrow(
        `argument ${JSON.stringify(key)} is not allowed`,
      );
  });

  it("fails if the id field or the table is only an Object.prototype member (own keys only)", () => {
    const constructorId = tableSpec({
      name: "orders",
      source: { kind: "event", idField: "constructor" },
      columns: [{ name: "order_id", type: "bigint" }],
    });
    expect(() => parseJobRequest("{}", new Map([["orders", constructorId]]))).toThrow(
      "message has no constructor",
    );
    expect(() =>
      parseJobRequest(
        JSON.stringify({ table: "constructor", transaction_id: "a" }),
        new Map([
          ["orders", orders],
          ["payments", payments],
        ]),
      ),
    ).toThrow('table "constructor" is not an event table');
  });

  it("names executions deterministically, within Step Functions' 80 characters of [A-Za-z0-9_-]", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), fc.string({ maxLength: 200 }), (table, id) => {
        const name = eventExecutionName(table, id);
        expect(name).toBe(eventExecutionName(table, id));
        expect(name.length).toBeLessThanOrEqual(80);
        expect(name).toMatch(/^[A-Za-z0-9_-]+$/);
      }),
    );
    expect(eventExecutionName("orders", "a")).not.toBe(eventExecutionName("orders", "b"));
  });
});
