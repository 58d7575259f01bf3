import { gunzipSync } from "node:zlib";
import { GetObjectCommand, ListObjectsV2Command } from "@aws-sdk/client-s3";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { tableSpec } from "../test/fixtures";
import { startDynamo, startS3 } from "../test/servers";
import { pullApi, pullWindow, type ApiPullDeps } from "./api-pull";
import { documentClient } from "./clients";

const secretsMock = mockClient(SecretsManagerClient);
const profile = tableSpec({
  name: "profile",
  source: { kind: "api", url: "https://api.example.com/v1/profiles", secret: "brewery-api" },
  columns: [
    { name: "profile_id", type: "bigint" },
    { name: "updated_at", type: "timestamp" },
  ],
});
const NOW = new Date("2026-11-21T10:17:00Z");
let s3: Awaited<ReturnType<typeof startS3>>;
let dynamo: Awaited<ReturnType<typeof startDynamo>>;
let requests: { url: string; authorization: string | null }[];
let deps: ApiPullDeps;

/** A two-page API: the first page links to the second with a relative `next`. */
const api: typeof fetch = async (input, init) => {
  const url = new URL(String(input));
  requests.push({ url: url.toString(), authorization: new Headers(init?.headers).get("authorization") });
  if (url.searchParams.get("page") === "2") return Response.json({ data: [{ profile_id: 3 }] });
  return Response.json({
    data: [{ profile_id: 1 }, { profile_id: 2 }],
    next: `${url.pathname}${url.search}&page=2`,
  });
};

beforeAll(async () => {
  [s3, dynamo] = await Promise.all([startS3(["raw"]), startDynamo({ watermarks: "source" })]);
});
afterAll(() => Promise.all([s3.close(), dynamo.close()]));
beforeEach(async () => {
  requests = [];
  secretsMock.reset();
  secretsMock.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ token: "t0ken" }) });
  deps = {
    s3: s3.client,
    dynamo: documentClient(dynamo.client),
    secrets: new SecretsManagerClient({ region: "us-east-1" }),
    tables: new Map([["profile", profile]]),
    watermarkTable: "watermarks",
    rawBucket: "raw",
    secretArns: { "brewery-api": "arn:aws:secretsmanager:us-east-1:123456789012:secret:brewery-api-AbCdEf" },
    fetch: api,
    now: () => NOW,
  };
  await deps.dynamo.send(
    new PutCommand({
      TableName: "watermarks",
      Item: { source: "profile", watermark: "2026-11-21T06:00:00.000Z" },
    }),
  );
});

const watermark = async () =>
  (await deps.dynamo.send(new GetCommand({ TableName: "watermarks", Key: { source: "profile" } }))).Item
    ?.watermark;

describe("pullApi (s3rver + dynalite, mocked Secrets Manager)", () => {
  it("pulls from the watermark to the last full hour, writes gzip JSON lines, then advances the watermark", async () => {
    const result = await pullApi(deps, { table: "profile", mode: "hourly" });
    expect(result).toMatchObject({
      since: "2026-11-21T06:00:00.000Z",
      until: "2026-11-21T10:00:00.000Z",
      rows: 3,
      pages: 2,
    });
    expect(requests.map((r) => r.authorization)).toEqual(["Bearer t0ken", "Bearer t0ken"]);
    expect(requests[0]!.url).toBe(
      "https://api.example.com/v1/profiles?since=2026-11-21T06%3A00%3A00.000Z&until=2026-11-21T10%3A00%3A00.000Z",
    );
    expect(result.key).toBe(
      "profile/ingest_date=2026-11-21/hourly-20261121T060000Z-20261121T100000Z.json.gz",
    );
    const object = await s3.client.send(new GetObjectCommand({ Bucket: "raw", Key: result.key }));
    const text = gunzipSync(await object.Body!.transformToByteArray()).toString();
    expect(text).toBe('{"profile_id":1}\n{"profile_id":2}\n{"profile_id":3}\n');
    expect(await watermark()).toBe("2026-11-21T10:00:00.000Z");
  });

  it("leaves the watermark where it was if the write fails", async () => {
    await expect(
      pullApi({ ...deps, rawBucket: "no-such-bucket" }, { table: "profile", mode: "hourly" }),
    ).rejects.toThrow();
    expect(await watermark()).toBe("2026-11-21T06:00:00.000Z");
  });

  it("leaves the watermark where it was if the API fails, and writes nothing", async () => {
    const before = await s3.client.send(new ListObjectsV2Command({ Bucket: "raw" }));
    const failing: typeof fetch = async () => new Response("boom", { status: 503 });
    await expect(pullApi({ ...deps, fetch: failing }, { table: "profile", mode: "hourly" })).rejects.toThrow(
      "GET https://api.example.com/v1/profiles answered 503",
    );
    expect(await watermark()).toBe("2026-11-21T06:00:00.000Z");
    expect((await s3.client.send(new ListObjectsV2Command({ Bucket: "raw" }))).KeyCount).toBe(
      before.KeyCount,
    );
  });

  it("fails if the watermark moved during the run (no lost update)", async () => {
    const racing: typeof fetch = async (input, init) => {
      await deps.dynamo.send(
        new PutCommand({
          TableName: "watermarks",
          Item: { source: "profile", watermark: "2026-11-21T08:00:00.000Z" },
        }),
      );
      return api(input, init);
    };
    await expect(pullApi({ ...deps, fetch: racing }, { table: "profile", mode: "hourly" })).rejects.toThrow(
      "the watermark moved",
    );
    expect(await watermark()).toBe("2026-11-21T08:00:00.000Z");
  });

  it("daily mode reads the whole previous UTC day and never moves the watermark back", async () => {
    const result = await pullApi(deps, { table: "profile", mode: "daily" });
    expect(result).toMatchObject({ since: "2026-11-20T00:00:00.000Z", until: "2026-11-21T00:00:00.000Z" });
    expect(result.key).toBe("profile/ingest_date=2026-11-20/daily-20261120T000000Z-20261121T000000Z.json.gz");
    expect(await watermark()).toBe("2026-11-21T06:00:00.000Z");
  });

  it("fails if the secret has no ARN in SECRET_ARNS", async () => {
    await expect(pullApi({ ...deps, secretArns: {} }, { table: "profile", mode: "hourly" })).rejects.toThrow(
      'secret "brewery-api" has no ARN in SECRET_ARNS',
    );
  });
});

describe("pullWindow", () => {
  it("starts a first hourly run at D-1 00:00 and ends at the last full hour", () => {
    expect(pullWindow("hourly", NOW, undefined)).toEqual({
      since: new Date("2026-11-20T00:00:00Z"),
      until: new Date("2026-11-21T10:00:00Z"),
    });
  });
});
