import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { gunzipSync } from "node:zlib";
import { AzureNamedKeyCredential, TableClient } from "@azure/data-tables";
import { ContainerClient, StorageSharedKeyCredential } from "@azure/storage-blob";
import { AZURITE_ACCOUNT, AZURITE_KEY, startAzurite } from "../../test/servers";
import { TableWatermarkStore, WATERMARK_PARTITION } from "./api-pull-stores";
import {
  azureJobEnv,
  runAzurePulls,
  tableEndpoint,
  type AzureApiSource,
  type AzureJobRun,
} from "./api-pull-job";

const NOW = new Date("2026-11-21T10:17:00Z");
let azurite: Awaited<ReturnType<typeof startAzurite>>;
let api: Server;
let apiUrl: string;
let raw: ContainerClient;
let watermarks: TableClient;
let requests: { url: URL; authorization?: string }[];
let sources: AzureApiSource[];
const log = jest.fn();

/** A two-page API (the first page links to the second with a relative `next`), like the AWS tests'. */
function startApi(): Promise<Server> {
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://127.0.0.1");
    requests.push({ url, authorization: request.headers.authorization });
    const body =
      url.searchParams.get("page") === "2"
        ? { data: [{ id: 3 }] }
        : { data: [{ id: 1 }, { id: 2 }], next: `${url.pathname}${url.search}&page=2` };
    response.setHeader("content-type", "application/json");
    response.end(JSON.stringify(body));
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

beforeAll(async () => {
  [azurite, api] = await Promise.all([startAzurite(), startApi()]);
  apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
  // The development account's key, for the emulator only; the job itself signs in as its managed identity.
  raw = new ContainerClient(
    `${azurite.blob}/raw`,
    new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY),
  );
  await raw.create();
  watermarks = new TableClient(
    azurite.table,
    "watermarks",
    new AzureNamedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY),
    {
      allowInsecureConnection: true,
    },
  );
  await watermarks.createTable();
});
afterAll(async () => {
  await new Promise((resolve) => api.close(resolve));
  await azurite.close();
});
beforeEach(async () => {
  requests = [];
  log.mockReset();
  sources = [
    {
      table: "profile",
      url: `${apiUrl}/v1/profiles`,
      format: "json",
      watermarkColumn: "updated_at",
      secretEnv: "SECRET_BREWERY_API",
    },
  ];
  await setWatermark("profile", "2026-11-21T06:00:00.000Z");
  await watermarks.deleteEntity(WATERMARK_PARTITION, "beers").catch(() => undefined);
});

const setWatermark = (source: string, watermark: string) =>
  watermarks.upsertEntity({ partitionKey: WATERMARK_PARTITION, rowKey: source, watermark }, "Replace");
const watermarkOf = async (source: string) =>
  (await watermarks.getEntity<{ watermark: string }>(WATERMARK_PARTITION, source)).watermark;
const run = (overrides: Partial<AzureJobRun> = {}) =>
  runAzurePulls({
    mode: "hourly",
    sources,
    clients: { raw, watermarks },
    env: { SECRET_BREWERY_API: JSON.stringify({ token: "t0ken" }) },
    now: () => NOW,
    log,
    ...overrides,
  });
const readBlob = async (name: string) =>
  gunzipSync(await raw.getBlockBlobClient(name).downloadToBuffer()).toString();

describe("runAzurePulls (azurite blob + table, a local HTTP API)", () => {
  it("writes every source's rows as gzip JSON lines under <table>/ingest_date=…/, then advances the watermark", async () => {
    sources.push({ table: "beers", url: `${apiUrl}/v1/beers`, secretEnv: null });
    const outcome = await run();
    expect(outcome.failed).toEqual([]);
    expect(outcome.pulled.map((p) => [p.table, p.since, p.until, p.rows, p.pages, p.key])).toEqual([
      [
        "profile",
        "2026-11-21T06:00:00.000Z",
        "2026-11-21T10:00:00.000Z",
        3,
        2,
        "profile/ingest_date=2026-11-21/hourly-20261121T060000Z-20261121T100000Z.json.gz",
      ],
      // No watermark yet: from D-1 00:00, and the first advance is a conditional insert.
      [
        "beers",
        "2026-11-20T00:00:00.000Z",
        "2026-11-21T10:00:00.000Z",
        3,
        2,
        "beers/ingest_date=2026-11-20/hourly-20261120T000000Z-20261121T100000Z.json.gz",
      ],
    ]);
    expect(await readBlob(outcome.pulled[0]!.key!)).toBe('{"id":1}\n{"id":2}\n{"id":3}\n');
    const properties = await raw.getBlockBlobClient(outcome.pulled[0]!.key!).getProperties();
    expect([properties.contentType, properties.contentEncoding]).toEqual(["application/x-ndjson", "gzip"]);
    expect(requests.map((r) => [r.url.pathname, r.authorization])).toEqual([
      ["/v1/profiles", "Bearer t0ken"],
      ["/v1/profiles", "Bearer t0ken"],
      ["/v1/beers", undefined],
      ["/v1/beers", undefined],
    ]);
    expect(requests[0]!.url.search).toBe(
      "?since=2026-11-21T06%3A00%3A00.000Z&until=2026-11-21T10%3A00%3A00.000Z",
    );
    expect(await watermarkOf("profile")).toBe("2026-11-21T10:00:00.000Z");
    expect(await watermarkOf("beers")).toBe("2026-11-21T10:00:00.000Z");
    expect(log).toHaveBeenCalledWith(
      expect.objectContaining({ level: "INFO", message: "pulled", table: "beers", rows: 3 }),
    );
  });

  it("leaves the watermark where it was if the write fails, and reports the source as failed", async () => {
    const missing = new ContainerClient(
      `${azurite.blob}/no-such-container`,
      new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY),
    );
    const outcome = await run({ clients: { raw: missing, watermarks } });
    expect(outcome.pulled).toEqual([]);
    expect(outcome.failed).toEqual([{ table: "profile", error: expect.stringContaining("does not exist") }]);
    expect(await watermarkOf("profile")).toBe("2026-11-21T06:00:00.000Z");
    expect(log).toHaveBeenCalledWith(expect.objectContaining({ level: "ERROR", table: "profile" }));
  });

  it("advances from a value a concurrent run left inside this run's window (its rows cover the rest)", async () => {
    const racing: typeof fetch = async (input, init) => {
      await setWatermark("profile", "2026-11-21T08:00:00.000Z");
      return fetch(input, init);
    };
    const outcome = await run({ fetch: racing });
    expect(outcome.failed).toEqual([]);
    expect(await watermarkOf("profile")).toBe("2026-11-21T10:00:00.000Z");
  });

  it("fails if the watermark was reset before this run's window during the run", async () => {
    const racing: typeof fetch = async (input, init) => {
      await setWatermark("profile", "2026-11-01T00:00:00.000Z");
      return fetch(input, init);
    };
    const outcome = await run({ fetch: racing });
    expect(outcome.failed).toEqual([
      {
        table: "profile",
        error: expect.stringContaining("profile: the watermark was reset during this run"),
      },
    ]);
    expect(await watermarkOf("profile")).toBe("2026-11-01T00:00:00.000Z");
  });

  it("the daily D-1 run from a lagging watermark pulls the whole span from the old watermark (Table storage)", async () => {
    await setWatermark("profile", "2026-11-17T05:00:00.000Z");
    const outcome = await run({ mode: "daily" });
    expect(outcome.failed).toEqual([]);
    expect(outcome.pulled[0]).toMatchObject({
      since: "2026-11-17T05:00:00.000Z",
      until: "2026-11-21T00:00:00.000Z",
    });
    expect(await watermarkOf("profile")).toBe("2026-11-21T00:00:00.000Z");
  });

  it.each(["hourly", "daily"] as const)(
    "the hourly and daily jobs racing at 02:00 both end without a failure (%s wins) on Table storage",
    async (winner) => {
      await setWatermark("profile", "2026-11-20T22:00:00.000Z");
      const now = () => new Date("2026-11-21T02:00:30Z");
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      let entered!: () => void;
      const loserFetching = new Promise<void>((resolve) => (entered = resolve));
      const slow: typeof fetch = async (input, init) => {
        entered();
        await gate;
        return fetch(input, init);
      };
      const loser = run({ mode: winner === "hourly" ? "daily" : "hourly", now, fetch: slow });
      await loserFetching;
      const won = await run({ mode: winner, now });
      release();
      const lost = await loser;
      expect([won.failed, lost.failed]).toEqual([[], []]);
      expect(await watermarkOf("profile")).toBe("2026-11-21T02:00:00.000Z");
    },
  );

  it("fails if the watermark moves between its read and the replace (If-Match with the entity's ETag)", async () => {
    // Another run writes right before the replace: the value read still matched, so only the ETag can catch it.
    const racingTable = new Proxy(watermarks, {
      get(target, property, receiver) {
        if (property !== "updateEntity") return Reflect.get(target, property, receiver) as unknown;
        return async (...args: Parameters<TableClient["updateEntity"]>) => {
          await setWatermark("profile", "2026-11-21T07:00:00.000Z");
          return target.updateEntity(...args);
        };
      },
    });
    const store = new TableWatermarkStore(racingTable);
    expect(await store.advance("profile", "2026-11-21T06:00:00.000Z", "2026-11-21T10:00:00.000Z")).toBe(
      false,
    );
    expect(await watermarkOf("profile")).toBe("2026-11-21T07:00:00.000Z");
    expect(
      await new TableWatermarkStore(watermarks).advance(
        "profile",
        "2026-11-21T07:00:00.000Z",
        "2026-11-21T10:00:00.000Z",
      ),
    ).toBe(true);
    expect(await watermarkOf("profile")).toBe("2026-11-21T10:00:00.000Z");
  });

  it("advances from a first watermark another run created meanwhile (the conditional insert lost)", async () => {
    sources = [{ table: "beers", url: `${apiUrl}/v1/beers` }];
    const racing: typeof fetch = async (input, init) => {
      await setWatermark("beers", "2026-11-21T09:00:00.000Z");
      return fetch(input, init);
    };
    const outcome = await run({ fetch: racing });
    expect(outcome.failed).toEqual([]);
    expect(await watermarkOf("beers")).toBe("2026-11-21T10:00:00.000Z");
  });

  it("daily mode reads the whole previous UTC day and never moves the watermark back", async () => {
    const outcome = await run({ mode: "daily" });
    expect(outcome.pulled[0]).toMatchObject({
      since: "2026-11-20T00:00:00.000Z",
      until: "2026-11-21T00:00:00.000Z",
      key: "profile/ingest_date=2026-11-20/daily-20261120T000000Z-20261121T000000Z.json.gz",
    });
    expect(await readBlob(outcome.pulled[0]!.key!)).toBe('{"id":1}\n{"id":2}\n{"id":3}\n');
    expect(await watermarkOf("profile")).toBe("2026-11-21T06:00:00.000Z");
  });

  it("fails a source whose secret variable is empty, and still runs the others", async () => {
    sources.push({ table: "beers", url: `${apiUrl}/v1/beers` });
    const outcome = await run({ env: {} });
    expect(outcome.failed).toEqual([
      { table: "profile", error: "secret variable SECRET_BREWERY_API is not set" },
    ]);
    expect(outcome.pulled.map((p) => p.table)).toEqual(["beers"]);
  });
});

describe("azureJobEnv", () => {
  const valid = {
    CLOUD: "azure",
    PULL_MODE: "hourly",
    AZURE_CLIENT_ID: "33333333-3333-4333-a333-333333333333",
    RAW_URL: "https://brewerydevlake.blob.core.windows.net/raw",
    WATERMARK_TABLE_URL: "https://brewerydevlake.table.core.windows.net/watermarks",
    SOURCES: JSON.stringify([
      {
        table: "profile",
        url: "https://api.example.com/v1/profiles",
        format: "json",
        watermarkColumn: null,
        secretEnv: "SECRET_BREWERY_API",
      },
    ]),
    SECRET_BREWERY_API: "t0ken",
  };

  it("parses the environment the component sets", () => {
    expect(azureJobEnv(valid)).toMatchObject({
      PULL_MODE: "hourly",
      SOURCES: [{ table: "profile", secretEnv: "SECRET_BREWERY_API" }],
    });
  });

  it("fails naming every missing variable, including each source's secret variable", () => {
    expect(() => azureJobEnv({ SOURCES: valid.SOURCES })).toThrow(
      "Invalid function environment: CLOUD is required; PULL_MODE is required; AZURE_CLIENT_ID is required; RAW_URL is required; WATERMARK_TABLE_URL is required; SECRET_BREWERY_API is required (a source's secret)",
    );
  });

  it("fails if PULL_MODE is not hourly or daily, or SOURCES is not a list of sources", () => {
    expect(() => azureJobEnv({ ...valid, PULL_MODE: "weekly", SOURCES: "[]" })).toThrow(
      /PULL_MODE .*"hourly".*"daily".*; SOURCES must be JSON matching the expected shape/,
    );
  });
});

describe("tableEndpoint", () => {
  it("splits the table URL into the service endpoint and the table name", () => {
    expect(tableEndpoint("https://brewerydevlake.table.core.windows.net/watermarks")).toEqual({
      endpoint: "https://brewerydevlake.table.core.windows.net",
      tableName: "watermarks",
    });
    expect(tableEndpoint("http://127.0.0.1:10002/devstoreaccount1/watermarks")).toEqual({
      endpoint: "http://127.0.0.1:10002/devstoreaccount1",
      tableName: "watermarks",
    });
  });
});
