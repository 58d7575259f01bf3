import type { FirehoseTransformationEvent } from "aws-lambda";
import { beer, review } from "../test/fixtures";
import { cdcTables } from "./cdc";
import { transformFirehoseEvent } from "./firehose";

const tables = cdcTables(
  new Map([
    ["review", review],
    ["beer", beer],
  ]),
);
const NOW = new Date("2026-11-21T12:00:00.000Z");

function event(...records: (string | object)[]): FirehoseTransformationEvent {
  return {
    invocationId: "inv",
    deliveryStreamArn: "arn:aws:firehose:us-east-1:123456789012:deliverystream/cdc",
    region: "us-east-1",
    records: records.map((r, i) => ({
      recordId: `r${i}`,
      approximateArrivalTimestamp: 0,
      data: Buffer.from(typeof r === "string" ? r : JSON.stringify(r)).toString("base64"),
    })),
  };
}

const decode = (data: string | undefined) => Buffer.from(data ?? "", "base64").toString("utf8");

describe("transformFirehoseEvent", () => {
  it("emits flat and DMS-style records with operation, _ingested_at and the table partition key", () => {
    const { result, processed, failed } = transformFirehoseEvent(
      event(
        { table_name: "review", operation: "INSERT", review_id: 1, overall: 4.5 },
        { data: { review_id: 2 }, metadata: { operation: "update", "table-name": "review" } },
        { table_name: "review", operation: "delete", review_id: 3 },
      ),
      tables,
      NOW,
    );
    expect(processed).toBe(3);
    expect(failed).toEqual([]);
    expect(result.records.map((r) => [r.recordId, r.result, r.metadata])).toEqual([
      ["r0", "Ok", { partitionKeys: { table_name: "review" } }],
      ["r1", "Ok", { partitionKeys: { table_name: "review" } }],
      ["r2", "Ok", { partitionKeys: { table_name: "review" } }],
    ]);
    expect(decode(result.records[0]!.data)).toBe(
      '{"operation":"insert","review_id":1,"overall":4.5,"_ingested_at":"2026-11-21T12:00:00.000Z"}\n',
    );
    expect(JSON.parse(decode(result.records[1]!.data))).toEqual({
      review_id: 2,
      operation: "update",
      _ingested_at: NOW.toISOString(),
    });
  });

  it("marks malformed, operation-less, unknown-table and non-CDC-table records ProcessingFailed, keeping their data", () => {
    const bad = [
      "{oops",
      '"text"',
      { table_name: "review", review_id: 1 },
      { table_name: "orders", operation: "insert" },
      { table_name: "beer", operation: "insert" },
      { operation: "insert" },
    ];
    const input = event(...bad);
    const { result, processed, failed } = transformFirehoseEvent(input, tables, NOW);
    expect(processed).toBe(0);
    expect(
      result.records.every((r, i) => r.result === "ProcessingFailed" && r.data === input.records[i]!.data),
    ).toBe(true);
    expect(failed.map((f) => f.reason)).toEqual([
      expect.stringMatching(/^not valid JSON/),
      "not a JSON object",
      "operation must be insert, update or delete (got undefined)",
      'unknown CDC table "orders"',
      'unknown CDC table "beer"',
      "no table_name (or metadata.table-name)",
    ]);
  });

  it("marks a record whose operation names an Object.prototype member (constructor, __proto__, toString) ProcessingFailed", () => {
    const names = ["constructor", "__proto__", "toString", "hasOwnProperty", "valueOf"];
    const { processed, failed } = transformFirehoseEvent(
      event(...names.map((operation) => ({ table_name: "review", operation, review_id: 1 }))),
      tables,
      NOW,
    );
    expect(processed).toBe(0);
    expect(failed.map((f) => f.reason)).toEqual(
      names.map((n) => `operation must be insert, update or delete (got ${JSON.stringify(n)})`),
    );
  });
});
