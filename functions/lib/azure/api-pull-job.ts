import type { TableClient } from "@azure/data-tables";
import type { ContainerClient } from "@azure/storage-blob";
import { z } from "zod";
import { table as tableSchema } from "../../../components/spec/schema";
import { pullSource, type ApiPullResult, type PullMode } from "../api-pull";
import { pullDatabase, type DatabasePullPorts } from "../db-pull/pull";
import { EnvironmentError, envProblems, jsonVariable, required } from "../env";
import { BlobRawWriter, EnvSecretReader, TableWatermarkStore } from "./api-pull-stores";

/**
 * One entry of SOURCES, as components/azure/api-ingestion.ts writes it: an API (`url`) or a database table
 * pulled by watermark (`spec`, the table's spec, whose `source.secret` is read from `secretEnv`).
 */
const source = z.object({
  table: z.string().min(1),
  url: z.url().optional(),
  spec: tableSchema.optional(),
  format: z.string().optional(),
  watermarkColumn: z.string().nullable().optional(),
  /** The variable holding the source's credential (read from Key Vault at start, KEY_VAULT_SECRETS). */
  secretEnv: z.string().min(1).nullable().optional(),
});
export type AzureApiSource = z.output<typeof source>;

const schema = z.object({
  CLOUD: z.literal("azure"),
  PULL_MODE: z.enum(["hourly", "daily"]),
  AZURE_CLIENT_ID: required,
  RAW_URL: z.url(),
  WATERMARK_TABLE_URL: z.url(),
  SOURCES: jsonVariable(z.array(source).min(1)),
});
export type AzureJobEnv = z.output<typeof schema>;

/**
 * The job's environment, checked once at start: every missing or malformed variable is named in one
 * error, including the secret variable of each source in SOURCES.
 */
export function azureJobEnv(env: NodeJS.ProcessEnv = process.env): AzureJobEnv {
  const result = schema.safeParse(env);
  const problems = result.success ? [] : envProblems(result.error.issues, env);
  for (const [i, entry] of (result.data?.SOURCES ?? []).entries()) {
    if (!entry.url === !entry.spec)
      problems.push(`SOURCES[${i}] (${entry.table}) needs exactly one of url or spec`);
  }
  const sources = result.success
    ? result.data.SOURCES
    : (z.object({ SOURCES: jsonVariable(z.array(source)) }).safeParse(env).data?.SOURCES ?? []);
  for (const { secretEnv } of sources) {
    if (secretEnv && !env[secretEnv]) problems.push(`${secretEnv} is required (a source's secret)`);
  }
  if (problems.length > 0 || !result.success) throw new EnvironmentError(problems);
  return result.data;
}

/** The storage the job writes through: the raw container and the watermark table. */
export interface AzureJobClients {
  raw: ContainerClient;
  watermarks: TableClient;
}

export interface AzureJobRun {
  mode: PullMode;
  sources: readonly AzureApiSource[];
  clients: AzureJobClients;
  env?: NodeJS.ProcessEnv;
  fetch?: typeof fetch;
  now?: () => Date;
  /** Database connections (tests); the npm drivers otherwise. */
  connect?: DatabasePullPorts["connect"];
  /** One JSON line per event (stdout on Container Apps, collected by Log Analytics). */
  log?: (entry: Record<string, unknown>) => void;
}

export interface AzureJobOutcome {
  pulled: ApiPullResult[];
  failed: { table: string; error: string }[];
}

/**
 * Runs every source of the job for its mode with the same pull code as the AWS Lambda, one after
 * another; a failing source does not stop the others, and is reported so the caller exits non-zero.
 */
export async function runAzurePulls(run: AzureJobRun): Promise<AzureJobOutcome> {
  const log = run.log ?? jsonLog;
  const ports = {
    raw: new BlobRawWriter(run.clients.raw),
    watermarks: new TableWatermarkStore(run.clients.watermarks),
    secrets: new EnvSecretReader(run.env),
    fetch: run.fetch,
    now: run.now,
  };
  const outcome: AzureJobOutcome = { pulled: [], failed: [] };
  for (const entry of run.sources) {
    try {
      const result = entry.spec
        ? await pullDatabase(
            {
              ...ports,
              // The connection secret arrives as the source's variable, whatever its spec name.
              secrets: { get: () => ports.secrets.get(entry.secretEnv ?? "") },
              ...(run.connect ? { connect: run.connect } : {}),
            },
            entry.spec,
            run.mode,
          )
        : await pullSource(
            ports,
            { table: entry.table, url: entry.url ?? "", secret: entry.secretEnv ?? undefined },
            run.mode,
          );
      outcome.pulled.push(result);
      log({ level: "INFO", message: "pulled", mode: run.mode, ...result });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      outcome.failed.push({ table: entry.table, error: message });
      log({ level: "ERROR", message: "pull failed", mode: run.mode, table: entry.table, error: message });
    }
  }
  return outcome;
}

/** A structured log line (level, message, service, timestamp and the fields). */
export function jsonLog(entry: Record<string, unknown>): void {
  const line = JSON.stringify({ timestamp: new Date().toISOString(), service: "api-pull", ...entry });
  if (entry.level === "ERROR") console.error(line);
  else console.log(line);
}

/** Splits `https://<account>.table.core.windows.net/<table>` into the service endpoint and the table. */
export function tableEndpoint(tableUrl: string): { endpoint: string; tableName: string } {
  const url = new URL(tableUrl);
  const segments = url.pathname.split("/").filter(Boolean);
  const tableName = segments.pop();
  if (!tableName) throw new Error(`WATERMARK_TABLE_URL ${tableUrl} names no table`);
  return { endpoint: `${url.origin}${segments.map((s) => `/${s}`).join("")}`, tableName };
}
