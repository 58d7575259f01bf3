import { createGzip } from "node:zlib";
import { PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { GetSecretValueCommand, type SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { TableSpec } from "../../components/spec/schema";

export type PullMode = "hourly" | "daily";

export interface ApiPullInput {
  table: string;
  mode: PullMode;
}

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

/** The window a run reads: hourly from the watermark (or D-1 00:00 the first time) to the last full hour; daily = D-1. */
export function pullWindow(
  mode: PullMode,
  now: Date,
  watermark: string | undefined,
): { since: Date; until: Date } {
  const today = Math.floor(now.getTime() / DAY) * DAY;
  if (mode === "daily") return { since: new Date(today - DAY), until: new Date(today) };
  const until = Math.floor(now.getTime() / HOUR) * HOUR;
  return { since: watermark ? new Date(watermark) : new Date(today - DAY), until: new Date(until) };
}

/**
 * One API pull (seed 004): read the source's watermark, fetch `?since=&until=` with the bearer token from
 * Secrets Manager (following `next` links), write the rows as gzip JSON lines to
 * `raw/<table>/ingest_date=<since date>/<run-id>.json.gz`, and only then advance the watermark, with a
 * conditional update on the value read, so a failed write or a concurrent run never skips data. The run id comes
 * from the window, so a retried run overwrites its own object.
 */
export async function pullApi(deps: ApiPullDeps, input: ApiPullInput): Promise<ApiPullResult> {
  const table = deps.tables.get(input.table);
  if (!table || table.source.kind !== "api")
    throw new Error(`"${input.table}" is not an API-sourced table in the bundled specs`);
  const source = table.source;
  const now = (deps.now ?? (() => new Date()))();
  const stored = await deps.dynamo.send(
    new GetCommand({ TableName: deps.watermarkTable, Key: { source: table.name } }),
  );
  const previous = typeof stored.Item?.watermark === "string" ? stored.Item.watermark : undefined;
  const { since, until } = pullWindow(input.mode, now, previous);
  const window = { table: table.name, since: since.toISOString(), until: until.toISOString() };
  if (since >= until) return { ...window, rows: 0, pages: 0, watermark: previous ?? window.until };

  const token = source.secret ? await secretToken(deps, source.secret) : undefined;
  const gzip = createGzip();
  const compressed: Buffer[] = [];
  gzip.on("data", (chunk: Buffer) => compressed.push(chunk));
  let rows = 0;
  let pages = 0;
  let url: string | undefined =
    `${source.url}${source.url.includes("?") ? "&" : "?"}since=${encodeURIComponent(window.since)}&until=${encodeURIComponent(window.until)}`;
  while (url) {
    if (++pages > MAX_PAGES) throw new Error(`${table.name}: more than ${MAX_PAGES} pages; stopping`);
    const page = await fetchPage(deps.fetch ?? fetch, url, token);
    for (const row of page.rows) gzip.write(JSON.stringify(row) + "\n");
    rows += page.rows.length;
    url = page.next ? new URL(page.next, url).toString() : undefined;
  }
  await new Promise<void>((resolve, reject) => {
    gzip.once("end", resolve).once("error", reject);
    gzip.end();
  });

  let key: string | undefined;
  if (rows > 0) {
    const runId = `${input.mode}-${compact(window.since)}-${compact(window.until)}`;
    key = `${table.name}/ingest_date=${window.since.slice(0, 10)}/${runId}.json.gz`;
    await deps.s3.send(
      new PutObjectCommand({
        Bucket: deps.rawBucket,
        Key: key,
        Body: Buffer.concat(compressed),
        ContentType: "application/x-ndjson",
        ContentEncoding: "gzip",
      }),
    );
  }
  const watermark = previous && previous > window.until ? previous : window.until;
  await advanceWatermark(deps, table.name, previous, watermark, key);
  return { ...window, rows, pages, key, watermark };
}

async function advanceWatermark(
  deps: ApiPullDeps,
  source: string,
  previous: string | undefined,
  next: string,
  key: string | undefined,
) {
  try {
    await deps.dynamo.send(
      new UpdateCommand({
        TableName: deps.watermarkTable,
        Key: { source },
        UpdateExpression: "SET watermark = :next, updatedAt = :now, lastObject = :key",
        ConditionExpression:
          previous === undefined ? "attribute_not_exists(watermark)" : "watermark = :previous",
        ExpressionAttributeValues: {
          ":next": next,
          ":now": new Date().toISOString(),
          ":key": key ?? null,
          ...(previous === undefined ? {} : { ":previous": previous }),
        },
      }),
    );
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) {
      throw new Error(
        `${source}: the watermark moved during this run (a concurrent pull); not advancing it`,
        { cause: error },
      );
    }
    throw error;
  }
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
async function secretToken(deps: ApiPullDeps, name: string): Promise<string> {
  const arn = deps.secretArns[name];
  if (!arn) throw new Error(`secret "${name}" has no ARN in SECRET_ARNS`);
  const { SecretString } = await deps.secrets.send(new GetSecretValueCommand({ SecretId: arn }));
  if (!SecretString) throw new Error(`secret "${name}" has no string value`);
  try {
    const parsed = JSON.parse(SecretString) as Record<string, unknown>;
    const token = parsed.token ?? parsed.access_token ?? parsed.apiKey;
    if (typeof token === "string") return token;
  } catch {
    // a plain-text secret is the token itself
  }
  return SecretString;
}

function compact(iso: string): string {
  return iso.replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
}
