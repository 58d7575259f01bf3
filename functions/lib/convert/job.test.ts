import { gzipSync } from "node:zlib";
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from "@aws-sdk/client-s3";
import { GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { beer } from "../../test/fixtures";
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
  };
});
afterAll(() => Promise.all([s3.close(), dynamo.close()]));

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
});
