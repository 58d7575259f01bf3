import fc from "fast-check";
import { tableSpec } from "../../test/fixtures";
import { transactionKey } from "../event-trigger";
import { consumeEvents, INVALID_MESSAGE_REASON } from "./event-consumer";
import { InMemoryDatabricksJobs } from "./fakes/databricks-jobs";
import { InMemoryServiceBusQueue } from "./fakes/service-bus";

const orders = tableSpec({
  name: "orders",
  source: { kind: "event" },
  format: "json",
  columns: [{ name: "order_id", type: "bigint" }],
});
const tables = new Map([["orders", orders]]);
const JOB = "123";

const consume = (queue: InMemoryServiceBusQueue, jobs: InMemoryDatabricksJobs, batchSize = 10) =>
  consumeEvents({ receiver: queue.receiver(), jobs, jobId: JOB, tables, batchSize });

describe("consumeEvents (Service Bus → Databricks run-now)", () => {
  it("starts one run per transaction with its key as idempotency token, and completes the message", async () => {
    const queue = new InMemoryServiceBusQueue();
    const jobs = new InMemoryDatabricksJobs();
    queue.send({ transaction_id: "t-1" });
    queue.send({ table: "orders", transaction_id: 2 });

    const outcome = await consume(queue, jobs);

    expect(outcome.started.map((s) => s.id)).toEqual(["t-1", "2"]);
    expect(jobs.runs).toEqual([
      { runId: 1000, jobId: JOB, jobParameters: { event_table: "orders", transaction_id: "t-1" } },
      { runId: 1001, jobId: JOB, jobParameters: { event_table: "orders", transaction_id: "2" } },
    ]);
    expect(queue.activeCount).toBe(0);
    expect(transactionKey("orders", "t-1")).toHaveLength(64);
  });

  it("a redelivered message (same transaction) cannot start a second run", async () => {
    const queue = new InMemoryServiceBusQueue();
    const jobs = new InMemoryDatabricksJobs();
    queue.send({ transaction_id: "t-1" });
    queue.send({ transaction_id: "t-1" }); // the producer's retry, or an at-least-once redelivery
    await consume(queue, jobs);
    expect(jobs.runs).toHaveLength(1);
  });

  it("a lost run-now response abandons the message; its redelivery gets the same run", async () => {
    const queue = new InMemoryServiceBusQueue();
    const jobs = new InMemoryDatabricksJobs();
    jobs.loseResponses = 1;
    queue.send({ transaction_id: "t-9" });

    const first = await consume(queue, jobs);
    expect(first.abandoned).toBe(1);
    expect(first.started).toEqual([{ table: "orders", id: "t-9", runId: 1000 }]);
    expect(jobs.runs).toHaveLength(1);
    expect(queue.activeCount).toBe(0);
  });

  it("dead-letters a message that can never start a run, with the reason", async () => {
    const queue = new InMemoryServiceBusQueue();
    const jobs = new InMemoryDatabricksJobs();
    queue.send("not json");
    queue.send({ order: 1 });
    queue.send({ transaction_id: "t", arguments: { "--name": "x" } });
    const outcome = await consume(queue, jobs);
    expect(outcome.deadLettered).toBe(3);
    expect(queue.deadLetters.map((m) => [m.deadLetterReason, m.deadLetterDescription])).toEqual([
      [INVALID_MESSAGE_REASON, "message is not a JSON object"],
      [INVALID_MESSAGE_REASON, "message has no transaction_id"],
      [INVALID_MESSAGE_REASON, expect.stringContaining('argument "--name" is not allowed')],
    ]);
    expect(jobs.runs).toHaveLength(0);
  });

  it("a message whose run-now keeps failing is dead-lettered by the service after maxDeliveryCount", async () => {
    const queue = new InMemoryServiceBusQueue(3);
    const jobs = new InMemoryDatabricksJobs();
    jobs.failBeforeLaunch = 100;
    queue.send({ transaction_id: "t" });
    const outcome = await consume(queue, jobs, 1);
    expect(outcome.abandoned).toBe(3);
    expect(queue.deadLetters).toMatchObject([
      { deadLetterReason: "MaxDeliveryCountExceeded", deliveryCount: 3 },
    ]);
  });

  it("property: whatever fails and is redelivered, each valid transaction gets exactly one run and no message is lost", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(fc.integer({ min: 0, max: 5 }).map(String), fc.constant("bad")), { maxLength: 20 }),
        fc.integer({ min: 0, max: 4 }),
        fc.integer({ min: 0, max: 4 }),
        fc.integer({ min: 1, max: 4 }),
        async (ids, lost, unavailable, batchSize) => {
          const queue = new InMemoryServiceBusQueue(10);
          const jobs = new InMemoryDatabricksJobs();
          jobs.loseResponses = lost;
          jobs.failBeforeLaunch = unavailable;
          for (const id of ids) queue.send(id === "bad" ? "{" : { transaction_id: id });
          // Executions until the queue is drained, some with their locks expiring (a killed replica).
          for (let run = 0; run < 20 && queue.activeCount > 0; run++) {
            await consume(queue, jobs, batchSize);
            queue.expireLocks();
          }
          const valid = new Set(ids.filter((id) => id !== "bad"));
          expect(jobs.runs.map((r) => r.jobParameters.transaction_id).sort()).toEqual([...valid].sort());
          expect(queue.activeCount).toBe(0);
          expect(queue.deadLetters.length).toBe(ids.filter((id) => id === "bad").length);
        },
      ),
      { numRuns: 150 },
    );
  });
});
