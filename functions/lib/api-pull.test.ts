import { gunzipSync } from "node:zlib";
import { GetObjectCommand, ListObjectsV2Command } from "@aws-sdk/client-s3";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import fc from "fast-check";
import { tableSpec } from "../test/fixtures";
import { startDynamo, startS3 } from "../test/servers";
import { pullApi, pullWindow, type ApiPullDeps } from "./api-pull";
import { SecretsManagerReader } from "./aws/api-pull-stores";
import { EnvSecretReader } from "./azure/api-pull-stores";
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

const setWatermark = (value: string) =>
  deps.dynamo.send(
    new PutCommand({ TableName: "watermarks", Item: { source: "profile", watermark: value } }),
  );
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

  it("advances from a value a concurrent run left inside this run's window (its rows cover the rest)", async () => {
    const racing: typeof fetch = async (input, init) => {
      await setWatermark("2026-11-21T08:00:00.000Z");
      return api(input, init);
    };
    const result = await pullApi({ ...deps, fetch: racing }, { table: "profile", mode: "hourly" });
    expect(result.watermark).toBe("2026-11-21T10:00:00.000Z");
    expect(await watermark()).toBe("2026-11-21T10:00:00.000Z");
  });

  it("fails if the watermark was reset before this run's window during the run (no lost update)", async () => {
    const racing: typeof fetch = async (input, init) => {
      await setWatermark("2026-11-19T00:00:00.000Z");
      return api(input, init);
    };
    await expect(pullApi({ ...deps, fetch: racing }, { table: "profile", mode: "hourly" })).rejects.toThrow(
      "profile: the watermark was reset during this run (2026-11-19T00:00:00.000Z, this run read 2026-11-21T06:00:00.000Z)",
    );
    expect(await watermark()).toBe("2026-11-19T00:00:00.000Z");
  });

  it("the daily D-1 run from a lagging watermark pulls the whole span from the old watermark, not just D-1", async () => {
    // Four days of outage: the watermark stopped at 11-17 05:00.
    await setWatermark("2026-11-17T05:00:00.000Z");
    const result = await pullApi(deps, { table: "profile", mode: "daily" });
    expect(result).toMatchObject({
      since: "2026-11-17T05:00:00.000Z",
      until: "2026-11-21T00:00:00.000Z",
      watermark: "2026-11-21T00:00:00.000Z",
    });
    expect(requests[0]!.url).toContain(
      "since=2026-11-17T05%3A00%3A00.000Z&until=2026-11-21T00%3A00%3A00.000Z",
    );
    expect(await watermark()).toBe("2026-11-21T00:00:00.000Z");
  });

  it.each(["hourly", "daily"] as const)(
    "the hourly and daily runs racing at 02:00 both end without an error (%s run wins), nothing pulled is skipped",
    async (winner) => {
      // The 01:00 hourly run failed, so at 02:00 both runs read 22:00 of D-1.
      await setWatermark("2026-11-20T22:00:00.000Z");
      const at0200 = { ...deps, now: () => new Date("2026-11-21T02:00:30Z") };
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      let entered!: () => void;
      const loserFetching = new Promise<void>((resolve) => (entered = resolve));
      // The loser reads the watermark, then waits in its API call until the winner has finished.
      const slow: typeof fetch = async (input, init) => {
        entered();
        await gate;
        return api(input, init);
      };
      const loserMode = winner === "hourly" ? "daily" : "hourly";
      const loser = pullApi({ ...at0200, fetch: slow }, { table: "profile", mode: loserMode });
      await loserFetching;
      const won = await pullApi(at0200, { table: "profile", mode: winner });
      release();
      const lost = await loser;
      const hourly = winner === "hourly" ? won : lost;
      expect(hourly).toMatchObject({ since: "2026-11-20T22:00:00.000Z", until: "2026-11-21T02:00:00.000Z" });
      expect((winner === "daily" ? won : lost).since).toBe("2026-11-20T00:00:00.000Z");
      expect(await watermark()).toBe("2026-11-21T02:00:00.000Z");
      const item = await deps.dynamo.send(
        new GetCommand({ TableName: "watermarks", Key: { source: "profile" } }),
      );
      // The watermark's last writer is the run that reached 02:00: the daily loser wrote nothing.
      expect(item.Item?.lastObject).toBe(hourly.key);
    },
  );

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

describe("secret lookups keyed by name", () => {
  it("fails if a secret is named like an Object.prototype member and has no entry (own keys only)", async () => {
    await expect(
      new SecretsManagerReader(new SecretsManagerClient({ region: "us-east-1" }), {}).get("constructor"),
    ).rejects.toThrow('secret "constructor" has no ARN in SECRET_ARNS');
    await expect(new EnvSecretReader({}).get("constructor")).rejects.toThrow(
      "secret variable constructor is not set",
    );
  });
});

describe("pullWindow", () => {
  it("never starts a window past the watermark, and daily always covers D-1 whole", () => {
    const day = 86_400_000;
    fc.assert(
      fc.property(
        fc.integer({ min: Date.parse("2026-01-01"), max: Date.parse("2027-01-01") }),
        fc.option(fc.integer({ min: -30 * day, max: 2 * day })),
        fc.constantFrom("hourly" as const, "daily" as const),
        (nowMs, lag, mode) => {
          const now = new Date(nowMs);
          const mark = lag === null ? undefined : new Date(nowMs - lag).toISOString();
          const { since, until } = pullWindow(mode, now, mark);
          if (mark !== undefined && Date.parse(mark) < until.getTime())
            expect(since.getTime()).toBeLessThanOrEqual(Date.parse(mark));
          if (mode === "daily") {
            const today = Math.floor(nowMs / day) * day;
            expect(until.getTime()).toBe(today);
            expect(since.getTime()).toBeLessThanOrEqual(today - day);
          }
        },
      ),
    );
  });

  it("starts a first hourly run at D-1 00:00 and ends at the last full hour", () => {
    expect(pullWindow("hourly", NOW, undefined)).toEqual({
      since: new Date("2026-11-20T00:00:00Z"),
      until: new Date("2026-11-21T10:00:00Z"),
    });
  });
});
