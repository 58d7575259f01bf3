import { createGzip } from "node:zlib";
import type { S3Client } from "@aws-sdk/client-s3";
import type { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { TableSpec } from "../../components/spec/schema";
import { DynamoWatermarkStore, S3RawWriter, SecretsManagerReader } from "./aws/api-pull-stores";

export type PullMode = "hourly" | "daily";

export interface ApiPullInput {
  table: string;
  mode: PullMode;
}

/** Where a pull writes its rows: one gzip JSON-lines object per run, under the raw layer. */
export interface RawWriter {
  put(key: string, gzipBody: Buffer): Promise<void>;
}

/** The per-source watermark (ISO timestamp of the end of the last pulled window). */
export interface WatermarkStore {
  get(source: string): Promise<string | undefined>;
  /**
   * Sets the watermark to `next` only if it is still `expected` (undefined: no watermark yet), atomically;
   * resolves false when someone else moved it since, so the caller never overwrites a concurrent run.
   */
  advance(source: string, expected: string | undefined, next: string, lastObject?: string): Promise<boolean>;
}

/** The API credential: the secret's string value by the name the source carries. */
export interface SecretReader {
  get(name: string): Promise<string>;
}

/** One API source: the table it lands in, its https URL and the name of its credential, if any. */
export interface ApiSource {
  table: string;
  url: string;
  secret?: string;
}

/** What one pull needs, cloud-neutral (AWS: S3, DynamoDB, Secrets Manager; Azure: Blob, Table, env). */
export interface ApiPullPorts {
  raw: RawWriter;
  watermarks: WatermarkStore;
  secrets: SecretReader;
  fetch?: typeof fetch;
  now?: () => Date;
}

/** The AWS Lambda's clients and configuration. */
export interface ApiPullDeps {
  s3: S3Client;
  dynamo: DynamoDBDocumentClient;
  secrets: SecretsManagerClient;
  tables: ReadonlyMap<string, TableSpec>;
  watermarkTable: string;
  rawBucket: string;
  /** Secret name (spec `secrets[].name`) → Secrets Manager ARN. */
  secretArns: Readonly<Record<string, string>>;
  fetch?: typeof fetch;
  now?: () => Date;
}

export interface ApiPullResult {
  table: string;
  since: string;
  until: string;
  rows: number;
  pages: number;
  /** The raw object written (none when the window had no rows). */
  key?: string;
  watermark: string;
}

/** A runaway `next` chain stops here with an error rather than looping forever. */
export const MAX_PAGES = 1000;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * The window a run reads. Hourly: from the watermark (or D-1 00:00 the first time) to the last full hour.
 * Daily: the previous UTC day (D-1), re-read whole for late changes, and from the watermark when that lags
 * behind D-1 00:00 (after an outage), so the window never starts past data not yet pulled.
 */
export function pullWindow(
  mode: PullMode,
  now: Date,
  watermark: string | undefined,
): { since: Date; until: Date } {
  const today = Math.floor(now.getTime() / DAY) * DAY;
  const mark = watermark === undefined ? undefined : Date.parse(watermark);
  if (mode === "daily") {
    const since = mark !== undefined && mark < today - DAY ? mark : today - DAY;
    return { since: new Date(since), until: new Date(today) };
  }
  const until = Math.floor(now.getTime() / HOUR) * HOUR;
  return { since: new Date(mark ?? today - DAY), until: new Date(until) };
}

/** Conditional advances a run attempts before it reports a watermark that keeps moving. */
const MAX_ADVANCES = 5;

/**
 * One API pull on AWS (the Lambda): the table comes from the bundled specs, and the ports are S3, the
 * DynamoDB watermark table (conditional update) and Secrets Manager by ARN.
 */
export async function pullApi(deps: ApiPullDeps, input: ApiPullInput): Promise<ApiPullResult> {
  const table = deps.tables.get(input.table);
  if (!table || table.source.kind !== "api")
    throw new Error(`"${input.table}" is not an API-sourced table in the bundled specs`);
  return pullSource(
    {
      raw: new S3RawWriter(deps.s3, deps.rawBucket),
      watermarks: new DynamoWatermarkStore(deps.dynamo, deps.watermarkTable),
      secrets: new SecretsManagerReader(deps.secrets, deps.secretArns),
      fetch: deps.fetch,
      now: deps.now,
    },
    { table: table.name, url: table.source.url, secret: table.source.secret },
    input.mode,
  );
}

/**
 * One API pull (seed 004): read the source's watermark, fetch `?since=&until=` with the bearer token
 * (following `next` links), write the rows as gzip JSON lines to
 * `raw/<table>/ingest_date=<since date>/<run-id>.json.gz`, and only then advance the watermark to the window's
 * end (`advanceWatermark`: conditional, never past data not pulled, a lost race with a concurrent run is not
 * an error), so a failed write or a concurrent run never skips data. The run id comes from the window, so a
 * retried run overwrites its own object. The same code runs on AWS and Azure.
 */
export async function pullSource(
  ports: ApiPullPorts,
  source: ApiSource,
  mode: PullMode,
): Promise<ApiPullResult> {
  const fetcher = ports.fetch ?? fetch;
  return pullWindowInto(ports, source.table, mode, async (window, emit) => {
    const token = source.secret ? bearerToken(await ports.secrets.get(source.secret)) : undefined;
    let pages = 0;
    let url: string | undefined =
      `${source.url}${source.url.includes("?") ? "&" : "?"}since=${encodeURIComponent(window.since)}&until=${encodeURIComponent(window.until)}`;
    while (url) {
      if (++pages > MAX_PAGES) throw new Error(`${source.table}: more than ${MAX_PAGES} pages; stopping`);
      const page = await fetchPage(fetcher, url, token);
      for (const row of page.rows) emit(row);
      url = page.next ? new URL(page.next, url).toString() : undefined;
    }
    return pages;
  });
}

/** Reads the source's rows of one window, handing each to `emit`; resolves to the pages (or queries) read. */
export type WindowReader = (
  window: { readonly since: string; readonly until: string },
  emit: (row: unknown) => void,
) => Promise<number>;

/**
 * The part every scheduled pull shares (API and database sources, AWS and Azure): read the source's
 * watermark, read the window's rows through `read`, write them as one gzip JSON-lines object
 * `raw/<table>/ingest_date=<since date>/<run-id>.json.gz`, and only then advance the watermark to the
 * window's end (`advanceWatermark`), so a failed read or write never skips data. The run id comes from the
 * window, so a retried run overwrites its own object.
 */
export async function pullWindowInto(
  ports: Pick<ApiPullPorts, "raw" | "watermarks" | "now">,
  table: string,
  mode: PullMode,
  read: WindowReader,
): Promise<ApiPullResult> {
  const now = (ports.now ?? (() => new Date()))();
  const previous = await ports.watermarks.get(table);
  const { since, until } = pullWindow(mode, now, previous);
  const window = { table, since: since.toISOString(), until: until.toISOString() };
  if (since >= until) return { ...window, rows: 0, pages: 0, watermark: previous ?? window.until };

  const gzip = createGzip();
  const compressed: Buffer[] = [];
  gzip.on("data", (chunk: Buffer) => compressed.push(chunk));
  let rows = 0;
  const pages = await read(window, (row) => {
    gzip.write(JSON.stringify(row) + "\n");
    rows++;
  });
  await new Promise<void>((resolve, reject) => {
    gzip.once("end", resolve).once("error", reject);
    gzip.end();
  });

  let key: string | undefined;
  if (rows > 0) {
    const runId = `${mode}-${compact(window.since)}-${compact(window.until)}`;
    key = `${table}/ingest_date=${window.since.slice(0, 10)}/${runId}.json.gz`;
    await ports.raw.put(key, Buffer.concat(compressed));
  }
  const watermark = await advanceWatermark(ports.watermarks, table, previous, window, key);
  return { ...window, rows, pages, key, watermark };
}

/**
 * Moves the watermark to the end of the window just written, never past it and never back. The advance is
 * conditional on the value last read; when another run moved it first (the hourly and the daily run both
 * start at 02:00), the value it left decides: at or past this window's end, everything up to it is pulled
 * and this run ends successfully without writing; inside the window, this run's rows cover the rest, so it
 * advances from that value; before the window or deleted, something reset it, and the run fails.
 */
async function advanceWatermark(
  store: WatermarkStore,
  table: string,
  previous: string | undefined,
  window: { since: string; until: string },
  key: string | undefined,
): Promise<string> {
  const until = Date.parse(window.until);
  let expected = previous;
  for (let attempt = 0; attempt < MAX_ADVANCES; attempt++) {
    if (expected !== undefined && Date.parse(expected) >= until) return expected;
    if (await store.advance(table, expected, window.until, key)) return window.until;
    const current = await store.get(table);
    if (current === undefined || Date.parse(current) < Date.parse(window.since)) {
      throw new Error(
        `${table}: the watermark was reset during this run (${current ?? "deleted"}, this run read ` +
          `${previous ?? "none"}); not advancing it`,
      );
    }
    expected = current;
  }
  throw new Error(`${table}: the watermark kept moving during this run; not advancing it`);
}

async function fetchPage(
  fetcher: typeof fetch,
  url: string,
  token: string | undefined,
): Promise<{ rows: unknown[]; next?: string }> {
  const response = await fetcher(url, {
    headers: { accept: "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
  });
  if (!response.ok)
    throw new Error(`GET ${new URL(url).origin}${new URL(url).pathname} answered ${response.status}`);
  const body: unknown = await response.json();
  if (Array.isArray(body)) return { rows: body, next: linkNext(response) };
  if (typeof body === "object" && body !== null) {
    const page = body as Record<string, unknown>;
    const rows = page.data ?? page.items ?? page.records ?? [];
    if (!Array.isArray(rows)) throw new Error(`${url}: the page's data/items/records is not a list`);
    const next = page.next ?? page.nextPage ?? linkNext(response);
    return { rows, next: typeof next === "string" && next !== "" ? next : undefined };
  }
  throw new Error(`${url}: the response is neither a list nor a page object`);
}

function linkNext(response: Response): string | undefined {
  return /<([^>]+)>\s*;\s*rel="?next"?/.exec(response.headers.get("link") ?? "")?.[1];
}

/** The credential: a JSON secret's `token`/`access_token`/`apiKey`, else the whole secret string. */
function bearerToken(secret: string): string {
  try {
    const parsed = JSON.parse(secret) as Record<string, unknown>;
    const token = parsed.token ?? parsed.access_token ?? parsed.apiKey;
    if (typeof token === "string") return token;
  } catch {
    // a plain-text secret is the token itself
  }
  return secret;
}

function compact(iso: string): string {
  return iso.replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
}
