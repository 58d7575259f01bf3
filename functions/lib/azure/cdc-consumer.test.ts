import { gunzipSync } from "node:zlib";
import { ContainerClient, StorageSharedKeyCredential } from "@azure/storage-blob";
import { AZURITE_ACCOUNT, AZURITE_KEY, startAzurite } from "../../test/servers";
import { beer, review } from "../../test/fixtures";
import { cdcTables } from "../cdc";
import { transformFirehoseEvent } from "../firehose";
import { BlobRawWriter } from "./api-pull-stores";
import { consumeCdc, type HubBatchSource } from "./cdc-consumer";
import { InMemoryEventHub } from "./fakes/event-hub";

const tables = cdcTables(
  new Map([
    ["review", review],
    ["beer", beer],
  ]),
);
const NOW = new Date("2026-11-21T12:00:00.000Z");
const SENT = new Date("2026-11-21T11:59:00.000Z");
let azurite: Awaited<ReturnType<typeof startAzurite>>;
let raw: ContainerClient;

beforeAll(async () => {
  azurite = await startAzurite();
  // The emulator's development key; the job itself signs in as its managed identity.
  raw = new ContainerClient(
    `${azurite.blob}/raw`,
    new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY),
  );
  await raw.create();
});
afterAll(async () => azurite.close());
beforeEach(async () => {
  for await (const blob of raw.listBlobsFlat()) await raw.deleteBlob(blob.name);
});

async function blobs(): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for await (const blob of raw.listBlobsFlat()) {
    const body = await raw.getBlobClient(blob.name).downloadToBuffer();
    out[blob.name] = gunzipSync(body)
      .toString("utf8")
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as unknown);
  }
  return out;
}

const consume = (source: HubBatchSource) =>
  consumeCdc({ source, raw: new BlobRawWriter(raw), tables, now: () => NOW });

describe("consumeCdc (Event Hubs → raw, on azurite)", () => {
  it("writes the rows the Firehose transformer would emit, per table, and failures under _errors/", async () => {
    const hub = new InMemoryEventHub(1);
    const records = [
      { table_name: "review", operation: "INSERT", review_id: 1, overall: 4.5 },
      { data: { review_id: 7 }, metadata: { operation: "load", "table-name": "review" } },
      "not json",
      { table_name: "review", operation: "truncate", review_id: 2 },
    ];
    for (const r of records) hub.send(r, { partitionId: "0", enqueuedTimeUtc: SENT });

    const outcome = await consume(hub.consumer("raw"));

    expect(outcome).toMatchObject({ batches: 1, written: 2, failed: 2 });
    const written = await blobs();
    expect(Object.keys(written).sort()).toEqual([
      "_errors/processing-failed/ingest_date=2026-11-21/eh-0-0-3.json.gz",
      "review/ingest_date=2026-11-21/eh-0-0-3.json.gz",
    ]);
    // The same port as Firehose: the rows are exactly the Firehose transformer's output for the same records.
    const firehose = transformFirehoseEvent(
      {
        invocationId: "i",
        deliveryStreamArn: "arn",
        region: "us-east-1",
        records: records.map((r, i) => ({
          recordId: String(i),
          approximateArrivalTimestamp: 0,
          data: Buffer.from(typeof r === "string" ? r : JSON.stringify(r)).toString("base64"),
        })),
      },
      tables,
      NOW,
    );
    const okRows = (table: string) =>
      firehose.result.records
        .filter((r) => r.result === "Ok" && r.metadata?.partitionKeys.table_name === table)
        .map((r) => JSON.parse(Buffer.from(r.data ?? "", "base64").toString("utf8")) as unknown);
    expect(written["review/ingest_date=2026-11-21/eh-0-0-3.json.gz"]).toEqual(okRows("review"));
    expect(written["review/ingest_date=2026-11-21/eh-0-0-3.json.gz"]).toEqual([
      {
        operation: "insert",
        review_id: 1,
        overall: 4.5,
        _ingested_at: NOW.toISOString(),
      },
      { review_id: 7, operation: "insert", _ingested_at: NOW.toISOString() },
    ]);
    expect(
      (
        written["_errors/processing-failed/ingest_date=2026-11-21/eh-0-0-3.json.gz"] as { reason: string }[]
      ).map((e) => e.reason),
    ).toEqual([firehose.failed[0]!.reason, firehose.failed[1]!.reason]);
    expect(hub.checkpointOf("raw", "0")).toBe(3);
    expect(firehose.failed.map((f) => f.recordId)).toEqual(["2", "3"]);
  });

  it("checkpoints only after raw has the batch: a failed write is delivered again, and lands once", async () => {
    const hub = new InMemoryEventHub(2);
    for (let i = 0; i < 5; i++)
      hub.send(
        { table_name: "review", operation: "u", review_id: i },
        { partitionId: String(i % 2), enqueuedTimeUtc: SENT },
      );
    const writer = new BlobRawWriter(raw);
    let failNext = true;
    const flaky = {
      put: async (key: string, body: Buffer) => {
        if (key.includes("eh-1-") && failNext) {
          failNext = false;
          throw new Error("503 ServerBusy");
        }
        await writer.put(key, body);
      },
    };

    await expect(
      consumeCdc({ source: hub.consumer("raw", 2), raw: flaky, tables, now: () => NOW }),
    ).rejects.toThrow("ServerBusy");
    expect(hub.checkpointOf("raw", "0")).toBe(2);
    expect(hub.checkpointOf("raw", "1")).toBeUndefined();

    // The next run resumes after each partition's checkpoint: partition 0 has nothing new, 1 starts again.
    const second = await consume(hub.consumer("raw", 2));
    expect(second.written).toBe(2);
    const rows = Object.values(await blobs()).flat() as { review_id: number }[];
    expect(rows.map((r) => r.review_id).sort()).toEqual([0, 1, 2, 3, 4]);
    expect(hub.checkpointOf("raw", "1")).toBe(1);
  });

  it("a batch redelivered after a crash before its checkpoint overwrites the same objects", async () => {
    const hub = new InMemoryEventHub(1);
    hub.send(
      { table_name: "review", operation: "d", review_id: 9 },
      { partitionId: "0", enqueuedTimeUtc: SENT },
    );
    const crashAfterWrite: HubBatchSource = {
      run: (process) =>
        hub
          .consumer("raw")
          .run(async (batch) => process({ ...batch, checkpoint: () => Promise.reject(new Error("killed")) })),
    };
    await expect(consume(crashAfterWrite)).rejects.toThrow("killed");
    await consume(hub.consumer("raw"));
    const written = await blobs();
    expect(Object.keys(written)).toEqual(["review/ingest_date=2026-11-21/eh-0-0-0.json.gz"]);
    expect(written["review/ingest_date=2026-11-21/eh-0-0-0.json.gz"]).toHaveLength(1);
  });
});
