import { gzipSync } from "node:zlib";
import {
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type GetObjectCommandInput,
} from "@aws-sdk/client-s3";
import { GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { beer } from "../../test/fixtures";
import { startFlakyProxy } from "../../test/flaky-proxy";
import { startDynamo, startS3 } from "../../test/servers";
import { documentClient } from "../clients";
import { controlHash } from "../control";
import { runConversion, type ConversionDeps } from "./job";

let s3: Awaited<ReturnType<typeof startS3>>;
let dynamo: Awaited<ReturnType<typeof startDynamo>>;
let deps: ConversionDeps;
const controlId = "s3://raw/beer/2026/beers.json.gz#e1";

beforeAll(async () => {
  [s3, dynamo] = await Promise.all([startS3(["raw", "bronze"]), startDynamo({ control: "pk" })]);
  deps = {
    s3: s3.client,
    dynamo: documentClient(dynamo.client),
    tables: new Map([["beer", beer]]),
    controlTable: "control",
    bronzeBucket: "bronze",
    batchRows: 2,
    // The keys below are the one-thread converter's; the worker threads' are tested on their own.
    workers: 0,
  };
});
afterAll(() => Promise.all([s3.close(), dynamo.close()]));

/** Another client of the same s3rver (or of a proxy in front of it), with the same credentials. */
async function clientAt(endpoint?: string): Promise<S3Client> {
  return new S3Client({
    endpoint: endpoint ?? (await endpointOf()),
    forcePathStyle: true,
    region: "us-east-1",
    credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
  });
}

/**
 * s3rver keeps no versions, so this client gives it S3's documented semantics of GetObject `versionId`
 * (that version, whatever is current: https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html):
 * a request for a version reads the copy stored under `_versions/<key>/<versionId>`.
 */
async function versionedClient(): Promise<S3Client> {
  const client = await clientAt();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as GetObjectCommandInput;
      if (context.commandName === "GetObjectCommand" && input.VersionId) {
        const { VersionId, ...rest } = input;
        args.input = { ...rest, Key: `_versions/${input.Key}/${VersionId}` };
      }
      return next(args);
    },
    { step: "initialize", name: "versionedGetObject" },
  );
  return client;
}

async function putRecord(id: string, extra: Record<string, unknown> = {}): Promise<void> {
  await deps.dynamo.send(
    new PutCommand({
      TableName: "control",
      Item: { pk: id, status: "CONVERTING", attempts: 0, createdAt: "2026-11-20T23:59:00.000Z", ...extra },
    }),
  );
}

const beerLines = (from: number, count: number) =>
  Array.from({ length: count }, (_, i) =>
    JSON.stringify({ beer_id: from + i, name: `beer number ${from + i} ${"x".repeat(i % 50)}` }),
  ).join("\n");

async function keys(bucket: string): Promise<string[]> {
  const listed = await s3.client.send(new ListObjectsV2Command({ Bucket: bucket }));
  return (listed.Contents ?? []).map((c) => c.Key!).sort();
}

describe("runConversion (s3rver + dynalite)", () => {
  it("converts a raw object into bronze, quarantines bad rows and updates the control record; a retry overwrites", async () => {
    const lines = [{ beer_id: 1 }, { beer_id: 2, abv: "x" }, { beer_id: 3 }, { beer_id: 4 }].map((r) =>
      JSON.stringify(r),
    );
    await s3.client.send(
      new PutObjectCommand({
        Bucket: "raw",
        Key: "beer/2026/beers.json.gz",
        Body: gzipSync(lines.join("\n")),
      }),
    );
    await deps.dynamo.send(
      new PutCommand({
        TableName: "control",
        Item: { pk: controlId, status: "RECEIVED", attempts: 0, createdAt: "2026-11-20T23:59:00.000Z" },
      }),
    );
    const input = { controlId, bucket: "raw", key: "beer/2026/beers.json.gz", table: "beer" };

    const first = await runConversion(deps, input);
    const part = `part-${controlHash(controlId)}`;
    expect(first).toEqual({
      rowsIn: 4,
      rowsWritten: 3,
      rowsQuarantined: 1,
      outputs: [
        `beer/ingest_date=2026-11-20/${part}-00000.parquet`,
        `beer/ingest_date=2026-11-20/${part}-00001.parquet`,
      ],
    });
    const second = await runConversion(deps, input);
    expect(second).toEqual(first);
    expect(await keys("bronze")).toEqual([
      `_quarantine/beer/ingest_date=2026-11-20/${part}-00000.jsonl`,
      ...first.outputs,
    ]);
    const quarantine = await s3.client.send(
      new GetObjectCommand({
        Bucket: "bronze",
        Key: `_quarantine/beer/ingest_date=2026-11-20/${part}-00000.jsonl`,
      }),
    );
    expect(JSON.parse(await quarantine.Body!.transformToString())).toEqual({
      line: 2,
      reason: 'abv: "x" is not a decimal(4,2)',
      raw: lines[1],
    });

    const record = await deps.dynamo.send(new GetCommand({ TableName: "control", Key: { pk: controlId } }));
    expect(record.Item).toMatchObject({
      status: "CONVERTED",
      rowsIn: 4,
      rowsWritten: 3,
      rowsQuarantined: 1,
      attempts: 2,
    });
  });

  it("with worker threads (as deployed on two cores): the same counts, one file per segment, a retry overwrites", async () => {
    const controlId = "s3://raw/beer/2026/workers.json.gz#w1";
    const lines = Array.from({ length: 7 }, (_, i) =>
      JSON.stringify({ beer_id: i + 1, abv: i === 3 ? "x" : 5 }),
    );
    await s3.client.send(
      new PutObjectCommand({
        Bucket: "raw",
        Key: "beer/2026/workers.json.gz",
        Body: gzipSync(lines.join("\n")),
      }),
    );
    await deps.dynamo.send(
      new PutCommand({
        TableName: "control",
        Item: { pk: controlId, status: "RECEIVED", attempts: 0, createdAt: "2026-11-20T23:59:00.000Z" },
      }),
    );
    const input = { controlId, bucket: "raw", key: "beer/2026/workers.json.gz", table: "beer" };
    const first = await runConversion({ ...deps, workers: 2 }, input);
    const part = `part-${controlHash(controlId)}`;
    // batchRows 2: segments of two lines, the fourth line's row quarantined by the second segment.
    expect(first).toEqual({
      rowsIn: 7,
      rowsWritten: 6,
      rowsQuarantined: 1,
      outputs: [0, 1, 2, 3].map((seg) => `beer/ingest_date=2026-11-20/${part}-0000${seg}-0000.parquet`),
    });
    expect(await runConversion({ ...deps, workers: 2 }, input)).toEqual(first);
    const quarantine = await s3.client.send(
      new GetObjectCommand({
        Bucket: "bronze",
        Key: `_quarantine/beer/ingest_date=2026-11-20/${part}-00001-0000.jsonl`,
      }),
    );
    expect(JSON.parse(await quarantine.Body!.transformToString())).toMatchObject({ line: 4, raw: lines[3] });
  });

  it("an empty or header-only file gives 0/0/0 with no signal: the control record says emptyInput", async () => {
    const emptyId = "s3://raw/beer/empty.json#e1";
    await s3.client.send(new PutObjectCommand({ Bucket: "raw", Key: "beer/empty.json", Body: "" }));
    await deps.dynamo.send(
      new PutCommand({ TableName: "control", Item: { pk: emptyId, status: "RECEIVED", attempts: 0 } }),
    );
    await runConversion(deps, { controlId: emptyId, bucket: "raw", key: "beer/empty.json", table: "beer" });
    const record = await deps.dynamo.send(new GetCommand({ TableName: "control", Key: { pk: emptyId } }));
    expect(record.Item).toMatchObject({ status: "CONVERTED", rowsIn: 0, emptyInput: "no-bytes" });
  });

  it("fails if the table is not in the bundled specs", async () => {
    await expect(
      runConversion(deps, { controlId, bucket: "raw", key: "x/y", table: "nope" }),
    ).rejects.toThrow('table "nope" is not in the bundled table specs');
  });

  it("reads the object version the control record names, not the latest (overwrite before the first execution)", async () => {
    const key = "beer/2026/overwritten.json";
    const id = "s3://raw/beer/2026/overwritten.json#v1etag";
    // Version v1 (3 rows) is what arrived; the key was overwritten (4 rows) before the execution ran.
    await s3.client.send(
      new PutObjectCommand({ Bucket: "raw", Key: `_versions/${key}/v1`, Body: beerLines(1, 3) }),
    );
    await s3.client.send(new PutObjectCommand({ Bucket: "raw", Key: key, Body: beerLines(4, 4) }));
    await putRecord(id, { versionId: "v1", etag: "v1etag" });
    const result = await runConversion(
      { ...deps, s3: await versionedClient() },
      { controlId: id, bucket: "raw", key, table: "beer" },
    );
    expect(result).toMatchObject({ rowsIn: 3, rowsWritten: 3, rowsQuarantined: 0 });
  });

  it("fails if the object was overwritten and the record has no version id (the ETag differs)", async () => {
    const key = "beer/2026/unversioned.json";
    const id = "s3://raw/beer/2026/unversioned.json#old";
    await s3.client.send(new PutObjectCommand({ Bucket: "raw", Key: key, Body: beerLines(1, 2) }));
    await putRecord(id, { etag: "0123456789abcdef0123456789abcdef" });
    await expect(runConversion(deps, { controlId: id, bucket: "raw", key, table: "beer" })).rejects.toThrow(
      "the control record names 0123456789abcdef0123456789abcdef",
    );
    const record = await deps.dynamo.send(new GetCommand({ TableName: "control", Key: { pk: id } }));
    expect(record.Item).toMatchObject({ status: "CONVERTING", attempts: 0 });
  });

  it("resumes a .gz body after a connection reset mid-body (same bytes, nothing quarantined, CONVERTED)", async () => {
    const key = "beer/2026/reset.json.gz";
    const id = "s3://raw/beer/2026/reset.json.gz#e2";
    const body = gzipSync(beerLines(1, 20_000), { level: 1 });
    expect(body.length).toBeGreaterThan(100_000);
    await s3.client.send(new PutObjectCommand({ Bucket: "raw", Key: key, Body: body }));
    await putRecord(id);
    const input = { controlId: id, bucket: "raw", key, table: "beer" };
    const clean = await runConversion({ ...deps, batchRows: 5000 }, input);
    const cleanBytes = await Promise.all(clean.outputs.map(read));

    const proxy = await startFlakyProxy(await endpointOf());
    try {
      const retries: number[] = [];
      proxy.resetGetAfter(`/raw/${key}`, 40_000, 2);
      const flaky = await clientAt(proxy.endpoint);
      const resumed = await runConversion(
        {
          ...deps,
          s3: flaky,
          batchRows: 5000,
          source: { backoffMs: 1, onRetry: ({ offset }) => void retries.push(offset) },
        },
        input,
      );
      expect(proxy.resets()).toBe(2);
      expect(retries).toHaveLength(2);
      expect(retries[0]).toBeGreaterThan(0);
      expect(resumed).toEqual(clean);
      expect(resumed).toMatchObject({ rowsIn: 20_000, rowsWritten: 20_000, rowsQuarantined: 0 });
      expect(await Promise.all(resumed.outputs.map(read))).toEqual(cleanBytes);
      const record = await deps.dynamo.send(new GetCommand({ TableName: "control", Key: { pk: id } }));
      expect(record.Item).toMatchObject({ status: "CONVERTED", attempts: 2, rowsQuarantined: 0 });
    } finally {
      await proxy.close();
    }
  });

  it("fails the task when the body keeps breaking: no quarantine file, record not CONVERTED", async () => {
    const key = "beer/2026/always-reset.json.gz";
    const id = "s3://raw/beer/2026/always-reset.json.gz#e3";
    await s3.client.send(
      new PutObjectCommand({ Bucket: "raw", Key: key, Body: gzipSync(beerLines(1, 20_000), { level: 1 }) }),
    );
    await putRecord(id);
    const proxy = await startFlakyProxy(await endpointOf());
    try {
      // The first read and every resume break a little way into the body.
      proxy.resetGetAfter(`/raw/${key}`, 30_000, 1);
      proxy.resetGetAfter(`/raw/${key}`, 1_500, 10);
      await expect(
        runConversion(
          { ...deps, s3: await clientAt(proxy.endpoint), source: { maxAttempts: 3, backoffMs: 1 } },
          { controlId: id, bucket: "raw", key, table: "beer" },
        ),
      ).rejects.toThrow(/reading the body failed 3 times \(last at byte \d+\)/);
      const part = `part-${controlHash(id)}`;
      expect((await keys("bronze")).filter((k) => k.includes(part) && k.startsWith("_quarantine/"))).toEqual(
        [],
      );
      const record = await deps.dynamo.send(new GetCommand({ TableName: "control", Key: { pk: id } }));
      expect(record.Item).toMatchObject({ status: "CONVERTING", attempts: 0 });
    } finally {
      await proxy.close();
    }
  });
});

async function endpointOf(): Promise<string> {
  const { protocol, hostname, port } = await s3.client.config.endpoint!();
  return `${protocol}//${hostname}:${port}`;
}

async function read(key: string): Promise<Buffer> {
  const object = await s3.client.send(new GetObjectCommand({ Bucket: "bronze", Key: key }));
  return Buffer.from(await object.Body!.transformToByteArray());
}
