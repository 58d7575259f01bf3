import { gzipSync } from "node:zlib";
import type { TableSpec } from "../../../components/spec/schema";
import type { RawWriter } from "../api-pull";
import { rowsByTable, transformCdcBatch } from "../cdc-batch";

/** One event as Event Hubs delivers it to a consumer group: its partition, position and body text. */
export interface HubEvent {
  readonly partitionId: string;
  readonly sequenceNumber: number;
  readonly enqueuedTimeUtc: Date;
  readonly body: string;
}

/** A batch of one partition's events, in sequence order, with the checkpoint that commits it. */
export interface HubBatch {
  readonly partitionId: string;
  readonly events: readonly HubEvent[];
  /** Records this batch's last event as processed: the next run of the consumer group starts after it. */
  checkpoint(): Promise<void>;
}

/**
 * The Event Hubs port (the SDK's EventHubConsumerClient with a blob checkpoint store in production, an
 * in-memory hub in tests). `run` hands batches to `process` from each partition's last checkpoint and
 * resolves when the run ends; when `process` throws, that partition stops (nothing after the failed batch is
 * handed over or checkpointed, so the next run delivers the batch again: at least once) and `run` rejects.
 */
export interface HubBatchSource {
  run(process: (batch: HubBatch) => Promise<void>): Promise<void>;
}

export interface CdcConsumerDeps {
  readonly source: HubBatchSource;
  /** The raw container (block blobs under `<table>/ingest_date=…/`). */
  readonly raw: RawWriter;
  /** The CDC tables (source kind `cdc`), by name. */
  readonly tables: ReadonlyMap<string, TableSpec>;
  readonly now?: () => Date;
  readonly log?: (entry: Record<string, unknown>) => void;
}

export interface CdcConsumerOutcome {
  readonly batches: number;
  readonly written: number;
  readonly failed: number;
  readonly keys: readonly string[];
}

/**
 * CDC from Event Hubs into raw, the Azure side of the CDC port (functions/lib/cdc-batch.ts, the code the
 * Firehose transformer runs): every batch is validated record by record, good rows go to
 * `raw/<table>/ingest_date=<day>/eh-<partition>-<first>-<last>.json.gz` (gzip JSON lines, what Firehose
 * writes on AWS), failed ones with their reason and original body to
 * `raw/_errors/processing-failed/ingest_date=<day>/…` (Firehose's error prefix), and only then is the batch
 * checkpointed. A batch is named by its sequence range, so redelivering the same batch after a crash before
 * the checkpoint overwrites the same objects instead of adding copies.
 */
export async function consumeCdc(deps: CdcConsumerDeps): Promise<CdcConsumerOutcome> {
  const now = deps.now ?? (() => new Date());
  const keys: string[] = [];
  let batches = 0;
  let written = 0;
  let failed = 0;
  await deps.source.run(async (batch) => {
    if (batch.events.length === 0) return;
    const first = batch.events[0]!;
    const last = batch.events[batch.events.length - 1]!;
    const day = first.enqueuedTimeUtc.toISOString().slice(0, 10);
    const name = `eh-${batch.partitionId}-${first.sequenceNumber}-${last.sequenceNumber}.json.gz`;
    const outcomes = transformCdcBatch(
      batch.events.map((e) => ({ id: String(e.sequenceNumber), text: e.body })),
      deps.tables,
      now(),
    );
    for (const [table, rows] of rowsByTable(outcomes)) {
      const key = `${table}/ingest_date=${day}/${name}`;
      await deps.raw.put(key, gzipLines(rows));
      keys.push(key);
      written += rows.length;
    }
    const bad = outcomes.flatMap((o, i) =>
      o.ok
        ? []
        : [
            {
              reason: o.reason,
              partitionId: batch.partitionId,
              sequenceNumber: batch.events[i]!.sequenceNumber,
              rawData: batch.events[i]!.body,
            },
          ],
    );
    if (bad.length > 0) {
      const key = `_errors/processing-failed/ingest_date=${day}/${name}`;
      await deps.raw.put(key, gzipLines(bad));
      keys.push(key);
      failed += bad.length;
      deps.log?.({ level: "WARN", message: "records failed", failures: bad.slice(0, 20) });
    }
    await batch.checkpoint();
    batches += 1;
  });
  return { batches, written, failed, keys };
}

function gzipLines(rows: readonly object[]): Buffer {
  return gzipSync(rows.map((r) => `${JSON.stringify(r)}\n`).join(""));
}
