import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { gunzipSync } from "node:zlib";
import fc from "fast-check";
import type { Client } from "pg";
import type { TableSpec } from "../../../components/spec/schema";
import { chunks, tableSpec } from "../../test/fixtures";
import { query } from "../../test/duck";
import { startPostgres, type TestPostgres } from "../../test/postgres";
import type { RawWriter, WatermarkStore } from "../api-pull";
import { convert } from "../convert/convert";
import { DirectorySink } from "../convert/sinks";
import { AzureNamedKeyCredential, TableClient } from "@azure/data-tables";
import { ContainerClient, StorageSharedKeyCredential } from "@azure/storage-blob";
import { AZURITE_ACCOUNT, AZURITE_KEY, startAzurite } from "../../test/servers";
import { azureJobEnv, runAzurePulls } from "../azure/api-pull-job";
import { WATERMARK_PARTITION } from "../azure/api-pull-stores";
import { pullDatabase, npmDrivers } from "./pull";
import { wallClockToUtc } from "./zones";

/**
 * Database pulls against a real PostgreSQL server (the Debian package, started per file; TLS only, the
 * server's own zone America/Sao_Paulo so a reader that trusts the session zone is caught).
 */

let pg: TestPostgres;
let admin: Client;

beforeAll(async () => {
  pg = await startPostgres();
  admin = await pg.admin();
  await admin.query(`
    CREATE TABLE public.orders (
      id bigint PRIMARY KEY, amount numeric(38,4), note text, paid boolean, placed date,
      updated_at timestamptz NOT NULL, local_time timestamp);
    CREATE SCHEMA shop;
    CREATE TABLE shop.events (id int PRIMARY KEY, at timestamp NOT NULL, label text);
    CREATE TABLE public.loose (id int PRIMARY KEY, updated_at timestamptz);
    GRANT USAGE ON SCHEMA shop TO puller;
    GRANT SELECT ON ALL TABLES IN SCHEMA public, shop TO puller;
  `);
}, 120_000);

afterAll(async () => {
  await admin?.end();
  await pg?.stop();
});

const orders: TableSpec = tableSpec({
  name: "orders",
  source: {
    kind: "database",
    engine: "postgres",
    secret: "shop-db",
    capture: "pull",
    timeZone: "America/Sao_Paulo",
  },
  columns: [
    { name: "id", type: "bigint", nullable: false },
    { name: "amount", type: "decimal(38,4)" },
    { name: "note", type: "string" },
    { name: "paid", type: "boolean" },
    { name: "placed", type: "date" },
    { name: "updated_at", type: "timestamp", nullable: false },
    { name: "local_time", type: "timestamp" },
  ],
  primaryKey: ["id"],
  incremental: { strategy: "watermark", watermarkColumn: "updated_at" },
});

class MemoryRaw implements RawWriter {
  readonly objects = new Map<string, Buffer>();
  async put(key: string, body: Buffer): Promise<void> {
    this.objects.set(key, body);
  }
  lines(key: string): Record<string, unknown>[] {
    const body = this.objects.get(key);
    if (!body) throw new Error(`no object ${key}`);
    return gunzipSync(body)
      .toString("utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  }
}

class MemoryWatermarks implements WatermarkStore {
  readonly marks = new Map<string, string>();
  async get(source: string) {
    return this.marks.get(source);
  }
  async advance(source: string, expected: string | undefined, next: string) {
    if (this.marks.get(source) !== expected) return false;
    this.marks.set(source, next);
    return true;
  }
}

function ports(now: string, overrides: Record<string, unknown> = {}) {
  return {
    raw: new MemoryRaw(),
    watermarks: new MemoryWatermarks(),
    secrets: { get: async (name: string) => (name === "shop-db" ? pg.secretValue(overrides) : "") },
    now: () => new Date(now),
  };
}

async function reset(rows: string): Promise<void> {
  await admin.query("TRUNCATE public.orders");
  if (rows) await admin.query(`INSERT INTO public.orders VALUES ${rows}`);
}

describe("database pull on a real PostgreSQL", () => {
  it("reads the window's rows in watermark order with every value exact, and advances the watermark", async () => {
    await reset(`
      (9007199254740993, 12345678901234567890123456789012.3456, 'café ☕', true, '0044-03-15',
       '2026-03-01 10:00:00.000001+00', '2026-03-01 07:00:00.123456'),
      (2, NULL, NULL, NULL, NULL, '2026-03-01 10:30:00+00', NULL),
      (1, 1.5, 'tie', false, '2026-02-28', '2026-03-01 10:30:00+00', NULL),
      (3, 0, 'next hour', false, NULL, '2026-03-01 11:00:00+00', NULL),
      (4, 0, 'before', false, NULL, '2026-03-01 09:59:59.999999+00', NULL)`);
    const p = ports("2026-03-01T11:20:00Z");
    p.watermarks.marks.set("orders", "2026-03-01T10:00:00.000Z");
    const result = await pullDatabase(p, orders, "hourly");
    expect(result).toMatchObject({
      since: "2026-03-01T10:00:00.000Z",
      until: "2026-03-01T11:00:00.000Z",
      rows: 3,
    });
    expect(p.watermarks.marks.get("orders")).toBe("2026-03-01T11:00:00.000Z");
    expect(p.raw.lines(result.key as string)).toEqual([
      {
        id: "9007199254740993",
        amount: "12345678901234567890123456789012.3456",
        note: "café ☕",
        paid: true,
        placed: "0044-03-15",
        updated_at: "2026-03-01T10:00:00.000001Z",
        // 07:00 in São Paulo (UTC−3) is 10:00 UTC, whatever the server's or the session's zone.
        local_time: "2026-03-01T10:00:00.123456Z",
      },
      {
        id: "1",
        amount: "1.5000",
        note: "tie",
        paid: false,
        placed: "2026-02-28",
        updated_at: "2026-03-01T10:30:00.000000Z",
        local_time: null,
      },
      {
        id: "2",
        amount: null,
        note: null,
        paid: null,
        placed: null,
        updated_at: "2026-03-01T10:30:00.000000Z",
        local_time: null,
      },
    ]);
  });

  it("puts a row on a window's end in the next window only: consecutive runs read every row exactly once", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.integer({ min: 0, max: 6 * 3600 - 1 }), { minLength: 1, maxLength: 30 }),
        fc.integer({ min: 1, max: 6 }),
        async (seconds, runs) => {
          const rows = seconds
            .map(
              (s, i) =>
                `(${i + 1}, 0, NULL, NULL, NULL, timestamptz '2026-03-01 00:00:00+00' + interval '${s} seconds', NULL)`,
            )
            .join(",");
          await reset(rows);
          const p = ports("2026-03-01T00:00:00Z");
          p.watermarks.marks.set("orders", "2026-03-01T00:00:00.000Z");
          const seen: string[] = [];
          // Runs at uneven times: after `runs` runs, the last at 06:00, every row was read once.
          for (let r = 1; r <= runs; r++) {
            const hour = Math.round((6 * r) / runs);
            const result = await pullDatabase(
              { ...p, now: () => new Date(Date.UTC(2026, 2, 1, hour, 5)) },
              orders,
              "hourly",
            );
            if (result.key) seen.push(...p.raw.lines(result.key).map((l) => String(l.id)));
          }
          expect(seen.sort()).toEqual(seconds.map((_, i) => String(i + 1)).sort());
        },
      ),
      { numRuns: 15 },
    );
  });

  it("re-reads the whole previous day on the daily D-1 run", async () => {
    await reset(`
      (1, 0, 'D-1 early', NULL, NULL, '2026-03-01 00:00:00+00', NULL),
      (2, 0, 'D-1 late', NULL, NULL, '2026-03-01 23:59:59.999999+00', NULL),
      (3, 0, 'today', NULL, NULL, '2026-03-02 00:00:00+00', NULL)`);
    const p = ports("2026-03-02T02:00:00Z");
    p.watermarks.marks.set("orders", "2026-03-02T02:00:00.000Z");
    const result = await pullDatabase(p, orders, "daily");
    expect(p.raw.lines(result.key as string).map((l) => l.note)).toEqual(["D-1 early", "D-1 late"]);
    expect(p.watermarks.marks.get("orders")).toBe("2026-03-02T02:00:00.000Z");
  });

  it("writes nothing and keeps the watermark when the connection dies mid-pull; the retry reads everything", async () => {
    const total = 50_000;
    await reset("");
    await admin.query(
      `INSERT INTO public.orders SELECT i, i, 'row', NULL, NULL, '2026-03-01 10:00:00+00', NULL FROM generate_series(1, ${total}) i`,
    );
    const p = ports("2026-03-01T11:05:00Z");
    p.watermarks.marks.set("orders", "2026-03-01T10:00:00.000Z");
    let streamed = 0;
    const killing = {
      ...p,
      connect: async (
        family: Parameters<typeof npmDrivers>[0],
        credentials: Parameters<typeof npmDrivers>[1],
      ) => {
        const connection = await npmDrivers(family, credentials);
        return {
          ...connection,
          stream: (
            statement: Parameters<typeof connection.stream>[0],
            onRow: (row: Record<string, unknown>) => void,
          ) =>
            connection.stream(statement, (row) => {
              onRow(row);
              if (++streamed === 1500) void pg.terminatePullers();
            }),
        };
      },
    };
    await expect(pullDatabase(killing, orders, "hourly")).rejects.toThrow(/terminat|Connection|closed/i);
    expect(streamed).toBeGreaterThanOrEqual(1500);
    expect(streamed).toBeLessThan(total);
    expect(p.raw.objects.size).toBe(0);
    expect(p.watermarks.marks.get("orders")).toBe("2026-03-01T10:00:00.000Z");

    const retry = await pullDatabase(p, orders, "hourly");
    expect(retry.rows).toBe(total);
    expect(p.raw.lines(retry.key as string).map((l) => Number(l.id))).toEqual(
      Array.from({ length: total }, (_, i) => i + 1),
    );
  });

  it("compares a zone-less watermark in the source's zone and converts its values like PostgreSQL does", async () => {
    await admin.query("TRUNCATE shop.events");
    await admin.query(`INSERT INTO shop.events VALUES
      (1, '2026-03-01 06:59:59', 'before'), (2, '2026-03-01 07:00:00', 'first'), (3, '2026-03-01 07:59:59.5', 'last'),
      (4, '2026-03-01 08:00:00', 'after')`);
    const events = tableSpec({
      name: "events",
      source: {
        kind: "database",
        engine: "postgres",
        secret: "shop-db",
        capture: "pull",
        sourceTable: "shop.events",
        timeZone: "America/Sao_Paulo",
      },
      columns: [
        { name: "id", type: "int", nullable: false },
        { name: "at", type: "timestamp", nullable: false },
        { name: "label", type: "string" },
      ],
      primaryKey: ["id"],
      incremental: { strategy: "watermark", watermarkColumn: "at" },
    });
    const p = ports("2026-03-01T11:30:00Z");
    p.watermarks.marks.set("events", "2026-03-01T10:00:00.000Z");
    const result = await pullDatabase(p, events, "hourly");
    expect(p.raw.lines(result.key as string)).toEqual([
      { id: 2, at: "2026-03-01T10:00:00.000000Z", label: "first" },
      { id: 3, at: "2026-03-01T10:59:59.500000Z", label: "last" },
    ]);
  });

  it("converts wall-clock times exactly as PostgreSQL's AT TIME ZONE, across daylight-saving changes", async () => {
    const zones = [
      "America/New_York",
      "Europe/Lisbon",
      "Australia/Sydney",
      "America/Sao_Paulo",
      "Asia/Kolkata",
      "UTC",
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...zones),
        // Around the 2016–2026 transitions, minute by minute near 01:00–03:00 where clocks jump.
        fc.date({
          min: new Date("2016-01-01T00:00:00Z"),
          max: new Date("2026-12-31T00:00:00Z"),
          noInvalidDate: true,
        }),
        fc.integer({ min: 0, max: 59 }),
        async (zone, day, minute) => {
          const wall = `${day.toISOString().slice(0, 10)} ${String(day.getUTCHours() % 4).padStart(2, "0")}:${String(minute).padStart(2, "0")}:00`;
          const { rows } = await admin.query(
            `SELECT to_char(($1::timestamp AT TIME ZONE $2) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS') AS utc`,
            [wall, zone],
          );
          expect(wallClockToUtc(wall, zone)).toBe(`${rows[0].utc as string}Z`);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("refuses, before writing, a source whose watermark column allows NULL or that lacks a spec column", async () => {
    const loose = tableSpec({
      ...orders,
      name: "loose",
      source: { kind: "database", engine: "postgres", secret: "shop-db", capture: "pull", timeZone: "UTC" },
      columns: [
        { name: "id", type: "int", nullable: false },
        { name: "updated_at", type: "timestamp", nullable: false },
      ],
    });
    const p = ports("2026-03-01T11:30:00Z");
    await expect(pullDatabase(p, loose, "hourly")).rejects.toThrow(
      "public.loose.updated_at allows NULL; a row with a NULL watermark would never be pulled",
    );
    const missing = tableSpec({
      ...loose,
      name: "orders",
      columns: [...loose.columns, { name: "nope", type: "string" }],
    });
    await expect(pullDatabase(p, missing, "hourly")).rejects.toThrow('public.orders has no column "nope"');
    expect(p.raw.objects.size).toBe(0);
    expect(p.watermarks.marks.size).toBe(0);
  });

  it("talks TLS only, verifying the server's certificate against the secret's CA", async () => {
    const p = ports("2026-03-01T11:30:00Z", { ca: undefined });
    await expect(pullDatabase(p, orders, "hourly")).rejects.toThrow(/self[- ]signed|certificate/i);
    const wrongHost = ports("2026-03-01T11:30:00Z", { host: "127.0.0.1" });
    await expect(pullDatabase(wrongHost, orders, "hourly")).rejects.toThrow(/Hostname|altnames|IP/i);
  });

  it("lands rows the converter writes to bronze unchanged", async () => {
    await reset(`
      (9007199254740993, 12345678901234567890123456789012.3456, 'a,"b"', true, '2026-02-28',
       '2026-03-01 10:00:00.000001+00', '2026-03-01 07:00:00.5')`);
    const p = ports("2026-03-01T11:20:00Z");
    p.watermarks.marks.set("orders", "2026-03-01T10:00:00.000Z");
    const result = await pullDatabase(p, orders, "hourly");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "db-bronze-"));
    try {
      const converted = await convert({
        table: orders,
        source: chunks(p.raw.objects.get(result.key as string) as Buffer, 64),
        sink: new DirectorySink(dir),
        controlId: "s3://raw/orders/x#1",
        ingestedAt: new Date("2026-03-01T11:21:00Z"),
      });
      expect(converted).toMatchObject({ rowsIn: 1, rowsWritten: 1, rowsQuarantined: 0 });
      const [row] = await query(
        `SELECT id::VARCHAR AS id, amount::VARCHAR AS amount, note, paid, placed::VARCHAR AS placed,
                strftime(updated_at, '%Y-%m-%dT%H:%M:%S.%fZ') AS updated_at,
                strftime(local_time, '%Y-%m-%dT%H:%M:%S.%fZ') AS local_time
         FROM read_parquet('${dir}/**/*.parquet')`,
      );
      expect(row).toEqual({
        id: "9007199254740993",
        amount: "12345678901234567890123456789012.3456",
        note: 'a,"b"',
        paid: true,
        placed: "2026-02-28",
        updated_at: "2026-03-01T10:00:00.000001Z",
        local_time: "2026-03-01T10:00:00.500000Z",
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("runs on Azure in the pull job: the same code through Blob storage and a Table storage watermark", async () => {
    await reset(`(7, 2.5, 'azure', true, NULL, '2026-03-01 10:15:00+00', NULL)`);
    const azurite = await startAzurite();
    try {
      const raw = new ContainerClient(
        `${azurite.blob}/raw`,
        new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY),
      );
      await raw.create();
      const watermarks = new TableClient(
        azurite.table,
        "watermarks",
        new AzureNamedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY),
        {
          allowInsecureConnection: true,
        },
      );
      await watermarks.createTable();
      await watermarks.upsertEntity(
        { partitionKey: WATERMARK_PARTITION, rowKey: "orders", watermark: "2026-03-01T10:00:00.000Z" },
        "Replace",
      );
      // The environment as components/azure/api-ingestion.ts writes it: the table's spec and its secret variable.
      const env = {
        CLOUD: "azure",
        PULL_MODE: "hourly",
        AZURE_CLIENT_ID: "00000000-0000-0000-0000-000000000001",
        RAW_URL: `${azurite.blob}/raw`,
        WATERMARK_TABLE_URL: `${azurite.table}/watermarks`,
        SOURCES: JSON.stringify([
          {
            table: "orders",
            spec: orders,
            format: "json",
            watermarkColumn: "updated_at",
            secretEnv: "SECRET_SHOP_DB",
          },
        ]),
        SECRET_SHOP_DB: pg.secretValue(),
      };
      const job = azureJobEnv(env);
      const outcome = await runAzurePulls({
        mode: job.PULL_MODE,
        sources: job.SOURCES,
        clients: { raw, watermarks },
        env,
        now: () => new Date("2026-03-01T11:10:00Z"),
        log: () => undefined,
      });
      expect(outcome.failed).toEqual([]);
      const key = outcome.pulled[0]?.key as string;
      const rows = gunzipSync(await raw.getBlockBlobClient(key).downloadToBuffer())
        .toString()
        .trim()
        .split("\n");
      expect(rows.map((r) => JSON.parse(r))).toEqual([
        {
          id: "7",
          amount: "2.5000",
          note: "azure",
          paid: true,
          placed: null,
          updated_at: "2026-03-01T10:15:00.000000Z",
          local_time: null,
        },
      ]);
      const mark = await watermarks.getEntity<{ watermark: string }>(WATERMARK_PARTITION, "orders");
      expect(mark.watermark).toBe("2026-03-01T11:00:00.000Z");
    } finally {
      await azurite.close();
    }
  });
});
