import type { TableSpec } from "../../../components/spec/schema";
import { readCsv } from "./read-csv";
import { readJson } from "./read-json";
import { ConversionRun } from "./run";
import type { OutputSink } from "./sinks";
import { metered, runLines } from "./input";
import { convertWithWorkers } from "./workers";
import { InputError, inputInfo, type InputInfo } from "./text";

export { DEFAULT_BATCH_BYTES, DEFAULT_BATCH_ROWS, DEFAULT_MAX_PARTITIONS, hiveValue } from "./run";
export { DEFAULT_MAX_RECORD_BYTES, type InputInfo } from "./text";

export interface ConvertOptions {
  table: TableSpec;
  /** The raw object's bytes (gzip or plain), streamed. */
  source: AsyncIterable<Uint8Array>;
  sink: OutputSink;
  /** The control record id; its hash names the output files, so a retry overwrites them. */
  controlId: string;
  /** When the object arrived (the control record's createdAt): `_ingested_at` and the default partition. */
  ingestedAt: Date;
  /** Rows per Parquet file (one row group); bounds memory. @default 20000 */
  batchRows?: number;
  /**
   * Input bytes per batch: once the chunks read since the last flush reach it, the batch is flushed before
   * the next chunk, so wide rows (64 KiB each) do not fill `batchRows` rows of memory. @default 8 MiB
   */
  batchBytes?: number;
  /**
   * Partitions one batch may fill: reaching it flushes the batch (each partition holds buffers and becomes a
   * file), so a high-cardinality `partitionBy` does not hold thousands of partitions at once. @default 256
   */
  maxPartitions?: number;
  /**
   * Read records from the input's bytes, fields straight into the column buffers (single-line CSV records; flat
   * JSON objects with their keys in column order); false reads every line as text through CsvRecords or
   * JSON.parse, the reference the fast paths are tested against. @default true
   */
  fromBytes?: boolean;
  /**
   * The longest record (line) read, in bytes: a longer one is not buffered but skipped to its newline and
   * quarantined as one record (`record exceeds 8 MiB`), so memory stays bounded whatever the input. @default 8 MiB
   */
  maxRecordBytes?: number;
  /**
   * Worker threads that read and encode (workers.ts): this thread then only gunzips, cuts the input into
   * segments of whole lines and writes the files. The rows, `_source_row`s, quarantine entries and counts are
   * the same as with none; the files are one per segment and batch. 0: all in this thread. @default 0
   */
  workers?: number;
}

export interface ConvertResult {
  rowsIn: number;
  rowsWritten: number;
  rowsQuarantined: number;
  /** Parquet keys written under the output. */
  outputs: string[];
  /** Quarantine keys (JSON lines of `{ line, reason, raw }`). */
  quarantine: string[];
  /** Flushes: each writes at most `batchRows` rows per partition. */
  batches: number;
  /** The most rows held in memory at once (never above `batchRows`). */
  maxBufferedRows: number;
  /**
   * What the input was: gzip or not, encoding, line ending, and `textBytes` (0: the input was empty). Always set
   * by `convert` (optional only so that `ConversionRun.result()` need not know it).
   */
  input?: InputInfo;
  /**
   * Set when no record was read (rowsIn 0), so an empty input is visible: "no-bytes" (nothing after gunzip
   * and a byte-order mark), "header-only" (a CSV header and nothing else), "blank-lines" (only blank lines).
   */
  empty?: "no-bytes" | "header-only" | "blank-lines";
}

/**
 * Converts one raw object (JSON lines or CSV, gzip or plain) into typed Parquet files in Hive-style partitions
 * (`<table>/<col=value...>/` from the spec's `partitionBy`, else `<table>/ingest_date=YYYY-MM-DD/`) and the
 * rows it cannot read or coerce into `_quarantine/<table>/ingest_date=.../` with `{ line, reason, raw }`.
 * Streams: memory holds one batch of rows, whatever the file size. rowsIn = rowsWritten + rowsQuarantined.
 */
export async function convert(options: ConvertOptions): Promise<ConvertResult> {
  const workers = options.workers ?? 0;
  if (!Number.isInteger(workers) || workers < 0)
    throw new RangeError(`workers must be a whole number of 0 or more: ${workers}`);
  if (workers > 0) return convertWithWorkers(options, workers);
  const run = new ConversionRun(options);
  const input = inputInfo();
  try {
    const chunks = metered(run, runLines(run, options.source, input));
    if (options.table.format === "csv") await readCsv(run, chunks);
    else await readJson(run, chunks);
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    run.inputFailed(error.message);
  }
  await run.flush();
  return { ...run.result(), input };
}
