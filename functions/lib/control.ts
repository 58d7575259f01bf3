import { createHash } from "node:crypto";

/** The control-record function's Powertools service name, and its metric for objects under no table prefix. */
export const CONTROL_RECORD_SERVICE = "control-record";
export const SKIPPED_OBJECTS_METRIC = "ObjectsSkipped";

/** Average bytes per record by raw format: the seed's review rows (long free text) and CSV master data. */
export const AVERAGE_RECORD_BYTES = { json: 400, csv: 200 } as const;
/** Typical gzip expansion of JSON/CSV text; an estimate only routes Lambda vs ECS, it never limits a run. */
export const GZIP_EXPANSION = 5;

export type RawFormat = keyof typeof AVERAGE_RECORD_BYTES;

/** The control record's id: one per object version, so a re-delivered event maps to the same record. */
export function controlId(bucket: string, key: string, etag: string): string {
  return `s3://${bucket}/${key}#${etag.replace(/"/g, "")}`;
}

/** The table an object belongs to: the first path segment of its key (`<table>/...`). */
export function tableOfKey(key: string): string | undefined {
  const first = key.split("/")[0];
  return first && key.includes("/") ? first : undefined;
}

/** Records in a raw object, estimated from its size (uncompressed size ≈ gzip size × GZIP_EXPANSION). */
export function estimateRecords(sizeBytes: number, format: RawFormat, gzipped: boolean): number {
  const textBytes = gzipped ? sizeBytes * GZIP_EXPANSION : sizeBytes;
  return Math.ceil(textBytes / AVERAGE_RECORD_BYTES[format]);
}

export function isGzipKey(key: string): boolean {
  return /\.gz(ip)?$/i.test(key);
}

/**
 * A Step Functions execution name for a control id: deterministic (a re-delivery gets ExecutionAlreadyExists),
 * at most 80 characters of [A-Za-z0-9-_]. Replay `n` of a FAILED file gets `<table>-r<n>-<digest>`, a name of
 * its own (Step Functions refuses a name used in the last 90 days), still derived from the control id.
 */
export function executionName(table: string, id: string, replay?: number): string {
  const digest = createHash("sha256").update(id).digest("hex").slice(0, 40);
  const suffix = replay === undefined ? "" : `-r${replay}`;
  return `${table.replace(/[^A-Za-z0-9_-]/g, "-").slice(0, 39 - suffix.length)}${suffix}-${digest}`;
}

/** A short, stable hash of a control id, used in output object names so a retry overwrites. */
export function controlHash(id: string): string {
  return createHash("sha256").update(id).digest("hex").slice(0, 16);
}
