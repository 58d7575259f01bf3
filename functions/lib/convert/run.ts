import type { TableSpec } from "../../../components/spec/schema";
import { controlHash } from "../control";
import { byteCoercer, utf8, type ByteCoercer } from "./bytes";
import { coercer, CoercionError, columnType, type Coercer, type ColumnType, type Converted } from "./coerce";
import { resolveLineMarks } from "./csv";
import { columnBuffer, type ColumnBuffer, type Shiftable } from "./columns";
import type { ConvertOptions, ConvertResult } from "./convert";
import { parquetFile } from "./parquet";

export const DEFAULT_BATCH_ROWS = 20_000;
/** Input bytes per batch: wide rows flush long before `batchRows` (see `ConvertOptions.batchBytes`). */
export const DEFAULT_BATCH_BYTES = 8 * 1024 * 1024;
/** Partitions one batch may fill before it is flushed (see `ConvertOptions.maxPartitions`). */
export const DEFAULT_MAX_PARTITIONS = 256;
/** S3's limit on a key, in UTF-8 bytes (https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html). */
const MAX_KEY_BYTES = 1024;
/** A path segment (`col=value`) must be a valid file name for a DirectorySink: NAME_MAX on Linux and macOS. */
const MAX_SEGMENT_BYTES = 255;
const OPERATIONS = new Set(["insert", "update", "delete"]);
const MAX_RAW_CHARS = 64 * 1024;
/** The columns every bronze row ends with, after the data columns and `operation` (see `stamp`). */
export const SOURCE_COLUMNS = 3;

/**
 * How a worker thread's run differs (workers.ts): it converts one segment of the input, whose first record's
 * ordinal and first line's number are known only once the segments before it have been read. Rows are stamped
 * and quarantined with numbers relative to the segment; `base` (awaited at each flush, before anything is
 * written) gives what to add, and `part` names the segment's files.
 */
export interface SegmentHooks {
  base(): Promise<{ rows: number; lines: number }>;
  part(batch: number): string;
}

interface QuarantineEntry {
  line: number;
  reason: string;
  raw: string;
}

export interface Column {
  name: string;
  type: ColumnType;
  nullable: boolean;
  coerce: Coercer;
  /** The same coercion from the field's bytes (for partition columns; others are read by their buffer). */
  readBytes: ByteCoercer;
  partition: boolean;
}

/**
 * One conversion's state, shared by the CSV and JSON readers (read-csv.ts, read-json.ts): the columns and
 * their coercers, the current batch's buffers per partition, the counts and the quarantined rows; `flush`
 * writes the batch as Parquet files and a quarantine file.
 */
export class ConversionRun {
  lastLine = 0;
  readonly table: TableSpec;
  readonly columns: Column[];
  /** The row being assembled by the reference paths, by column (then the CDC operation). */
  readonly values: Converted[];
  readonly defaultPartition: string;
  readonly ingestedAtMicros: number;
  readonly batchRows: number;
  readonly batchBytes: number;
  readonly maxPartitions: number;
  readonly cdcOperationField: string | undefined;
  /** Rows in the buffers, not yet flushed. */
  buffered = 0;
  /** Input bytes read since the last flush (counted a chunk at a time by `convert`). */
  bufferedBytes = 0;
  /** Input bytes in all (after gunzip and a byte-order mark): 0 is an empty file. */
  bytesIn = 0;
  /** The CSV reader took a line as the header. */
  headerSeen = false;
  /** Partitions given a row since the last flush. */
  private openPartitions = 0;
  readonly counts = { rowsIn: 0, rowsWritten: 0, rowsQuarantined: 0, maxBufferedRows: 0 };
  private readonly partitions = new Map<string, ColumnBuffer[]>();
  private readonly hash: string;
  private quarantined: QuarantineEntry[] = [];
  private batch = 0;
  private readonly outputs: string[] = [];
  private readonly quarantineKeys: string[] = [];

  constructor(
    readonly options: ConvertOptions,
    private readonly segment?: SegmentHooks,
  ) {
    this.table = options.table;
    const partitionBy = new Set(this.table.partitionBy);
    const segmentBytes = maxSegmentBytes(this.table.name, options.controlId, partitionBy.size);
    this.columns = this.table.columns.map((c) => {
      const type = columnType(c.type);
      const coerce = coercer(c.name, type, c.nullable);
      const readBytes = byteCoercer(type, coerce);
      if (!partitionBy.has(c.name))
        return { name: c.name, type, nullable: c.nullable, coerce, readBytes, partition: false };
      // A partition value must also make a path segment: checked as part of its coercion, so a value that
      // cannot is quarantined with its row by the readers, like any value that does not fit its type.
      const check = (value: Converted): Converted => checkSegment(c.name, type, value, segmentBytes);
      return {
        name: c.name,
        type,
        nullable: c.nullable,
        coerce: (value) => check(coerce(value)),
        readBytes: (bytes, from, to) => check(readBytes(bytes, from, to)),
        partition: true,
      };
    });
    this.values = new Array(this.columns.length + 1);
    this.defaultPartition = `ingest_date=${options.ingestedAt.toISOString().slice(0, 10)}`;
    this.ingestedAtMicros = options.ingestedAt.getTime() * 1000;
    this.hash = controlHash(options.controlId);
    this.batchRows = options.batchRows ?? DEFAULT_BATCH_ROWS;
    this.batchBytes = options.batchBytes ?? DEFAULT_BATCH_BYTES;
    this.maxPartitions = options.maxPartitions ?? DEFAULT_MAX_PARTITIONS;
    this.cdcOperationField = this.table.source.kind === "cdc" ? this.table.source.operationField : undefined;
  }

  /** The CDC operation of a record (its operation field, else `operation`), lower-cased and checked. */
  operation(record: Record<string, unknown>): string {
    const value = record[this.cdcOperationField!] ?? record.operation;
    const operation = typeof value === "string" ? value.toLowerCase() : "";
    if (!OPERATIONS.has(operation)) {
      throw new CoercionError(
        `operation: ${JSON.stringify(value) ?? "missing"} is not insert, update or delete`,
      );
    }
    return operation;
  }

  /** Appends the row in `values` to its partition's buffers; true when the batch is full and must be flushed before the next row. */
  append(): boolean {
    const buffers = this.buffersOf(this.partitionOf());
    if (buffers[buffers.length - 1]!.length === 0) this.openPartitions++;
    let b = 0;
    for (let i = 0; i < this.columns.length; i++)
      if (!this.columns[i]!.partition) buffers[b++]!.append(this.values[i]!);
    if (this.cdcOperationField) buffers[b]!.append(this.values[this.columns.length]!);
    this.stamp(buffers);
    return this.rowAppended();
  }

  /**
   * Appends the row's source columns (the bronze row contract): `_ingested_at`, `_source_file` (the control
   * id) and `_source_row`, the record's 1-based ordinal in the file; `counts.rowsIn` already counts it.
   */
  stamp(buffers: ColumnBuffer[]): void {
    const n = buffers.length;
    buffers[n - 3]!.append(this.ingestedAtMicros);
    buffers[n - 2]!.append(this.options.controlId);
    buffers[n - 1]!.append(this.counts.rowsIn);
  }

  /** `stamp` for a block of `rows` records read at once, before `rowsAppended` counts them. */
  stampBlock(buffers: ColumnBuffer[], rows: number): void {
    const n = buffers.length;
    buffers[n - 3]!.repeat(this.ingestedAtMicros, rows);
    buffers[n - 2]!.repeat(this.options.controlId, rows);
    for (let r = 1; r <= rows; r++) buffers[n - 1]!.append(this.counts.rowsIn + r);
  }

  /**
   * The buffers of a partition's rows in the current batch: the data columns, then `operation` (CDC), then
   * the `SOURCE_COLUMNS` (`_ingested_at`, `_source_file`, `_source_row`).
   */
  buffersOf(partition: string): ColumnBuffer[] {
    let buffers = this.partitions.get(partition);
    if (!buffers) {
      buffers = this.newBuffers();
      this.partitions.set(partition, buffers);
    }
    return buffers;
  }

  /**
   * The batch must be flushed before the next row: `batchRows` rows, or `maxPartitions` partitions filled
   * (each is a file and a set of buffers). `convert` flushes on `batchBytes` itself, between chunks.
   */
  get full(): boolean {
    return this.buffered >= this.batchRows || this.openPartitions >= this.maxPartitions;
  }

  /** Counts a row appended to the buffers; true when the batch is full and must be flushed before the next row. */
  rowAppended(): boolean {
    this.counts.rowsWritten++;
    if (++this.buffered > this.counts.maxBufferedRows) this.counts.maxBufferedRows = this.buffered;
    return this.buffered >= this.batchRows;
  }

  /** Counts `rows` rows appended to the default partition's buffers at once (a CSV block). */
  rowsAppended(rows: number): void {
    this.counts.rowsIn += rows;
    this.counts.rowsWritten += rows;
    this.buffered += rows;
    if (this.buffered > this.counts.maxBufferedRows) this.counts.maxBufferedRows = this.buffered;
  }

  /** The input broke off (truncated gzip): its unread rest counts as one quarantined row, with the reason. */
  inputFailed(reason: string): void {
    this.counts.rowsIn++;
    this.quarantine(this.lastLine + 1, reason, "");
  }

  quarantine(line: number, reason: string, raw: string): void {
    this.counts.rowsQuarantined++;
    this.quarantined.push({
      line,
      reason,
      raw: raw.length > MAX_RAW_CHARS ? raw.slice(0, MAX_RAW_CHARS) : raw,
    });
  }

  /** Writes every buffered partition as one Parquet file and the batch's quarantined rows as JSON lines. */
  async flush(): Promise<void> {
    this.bufferedBytes = 0;
    this.openPartitions = 0;
    if (this.buffered === 0 && this.quarantined.length === 0) return;
    const base = this.segment ? await this.segment.base() : { rows: 0, lines: 0 };
    const part = this.segment
      ? this.segment.part(this.batch++)
      : `part-${this.hash}-${String(this.batch++).padStart(5, "0")}`;
    for (const [partition, buffers] of this.partitions) {
      if (buffers[0]!.length === 0) continue;
      if (base.rows !== 0) (buffers[buffers.length - 1] as ColumnBuffer & Shiftable).shift(base.rows);
      const key = `${this.table.name}/${partition}/${part}.parquet`;
      await this.options.sink.put(key, parquetFile(buffers), "application/vnd.apache.parquet");
      this.outputs.push(this.options.sink.describe(key));
      for (const buffer of buffers) buffer.reset();
    }
    // Many partitions in one batch: drop their buffers rather than keep them all allocated.
    if (this.partitions.size > 8) this.partitions.clear();
    if (this.quarantined.length > 0) {
      const key = `_quarantine/${this.table.name}/${this.defaultPartition}/${part}.jsonl`;
      await this.options.sink.put(
        key,
        Buffer.from(
          this.quarantined
            .map(({ line, reason, raw }) =>
              JSON.stringify({ line: line + base.lines, reason: resolveLineMarks(reason, base.lines), raw }),
            )
            .join("\n") + "\n",
        ),
        "application/x-ndjson",
      );
      this.quarantineKeys.push(this.options.sink.describe(key));
      this.quarantined = [];
    }
    this.buffered = 0;
  }

  result(): ConvertResult {
    const result: ConvertResult = {
      ...this.counts,
      outputs: this.outputs,
      quarantine: this.quarantineKeys,
      batches: this.batch,
    };
    if (this.counts.rowsIn === 0)
      result.empty = this.bytesIn === 0 ? "no-bytes" : this.headerSeen ? "header-only" : "blank-lines";
    return result;
  }

  private newBuffers(): ColumnBuffer[] {
    const buffers = this.columns
      .filter((c) => !c.partition)
      .map((c) => columnBuffer(c.name, c.type, c.nullable, c.coerce));
    if (this.cdcOperationField) buffers.push(columnBuffer("operation", { kind: "string" }, false));
    buffers.push(columnBuffer("_ingested_at", { kind: "timestamp" }, false));
    buffers.push(columnBuffer("_source_file", { kind: "string" }, false));
    buffers.push(columnBuffer("_source_row", { kind: "bigint" }, false));
    return buffers;
  }

  private partitionOf(): string {
    if (this.table.partitionBy.length === 0) return this.defaultPartition;
    const parts: string[] = [];
    for (let i = 0; i < this.columns.length; i++) {
      const column = this.columns[i]!;
      if (column.partition) parts.push(`${column.name}=${hiveValue(column.type, this.values[i]!)}`);
    }
    return parts.join("/");
  }
}

/**
 * A partition value as Hive writes it: canonical text, with path-unsafe characters %-escaped; null and "" are
 * Hive's default partition (as Spark's `ExternalCatalogUtils.getPartitionPathString` writes them). Throws a
 * CoercionError for a date or timestamp outside what a JavaScript Date can show (about ±275,000 years).
 */
export function hiveValue(type: ColumnType, value: Converted): string {
  if (value === null || value === "") return "__HIVE_DEFAULT_PARTITION__";
  let text: string;
  if (type.kind === "date") text = isoText(Number(value) * 86_400_000, `${value} days`).slice(0, 10);
  else if (type.kind === "timestamp") text = isoText(Number(value) / 1000, `${value} µs`);
  else if (type.kind === "decimal") text = decimalText(value as number | bigint, type.scale!);
  else text = String(value);
  return text.replace(
    // eslint-disable-next-line no-control-regex -- control characters are exactly what Hive escapes
    /[\u0000-\u001f"#%'*/:=?\\\u007f{[\]^]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`,
  );
}

function isoText(ms: number, since1970: string): string {
  const date = new Date(ms);
  if (Number.isNaN(date.getTime()))
    throw new CoercionError(
      `${since1970} since 1970 is outside the range a partition path can show (years -271821 to 275760)`,
    );
  return date.toISOString();
}

/**
 * The longest `col=value` segment: a file name (255 bytes), and short enough that the whole key
 * (`<table>/<segments>/part-<hash>-<batch>.parquet`) stays within S3's 1024 bytes with every segment as long.
 */
function maxSegmentBytes(table: string, controlId: string, segments: number): number {
  if (segments === 0) return MAX_SEGMENT_BYTES;
  const part = Buffer.byteLength(`part-${controlHash(controlId)}-0000000000.parquet`);
  const rest = MAX_KEY_BYTES - Buffer.byteLength(table) - 1 - part;
  return Math.min(MAX_SEGMENT_BYTES, Math.floor(rest / segments) - 1);
}

/** A partition column's value, once its `col=value` path segment is known to be writable. */
function checkSegment(name: string, type: ColumnType, value: Converted, limit: number): Converted {
  let text: string;
  try {
    text = hiveValue(type, value);
  } catch (error) {
    if (!(error instanceof CoercionError)) throw error;
    throw new CoercionError(`${name}: ${error.message}`);
  }
  const bytes = Buffer.byteLength(text) + Buffer.byteLength(name) + 1;
  if (bytes > limit)
    throw new CoercionError(
      `${name}: the partition path segment of ${bytes} bytes is longer than the limit of ${limit} (a file name, within S3's 1024-byte key)`,
    );
  return value;
}

function decimalText(unscaled: number | bigint, scale: number): string {
  const negative = unscaled < 0;
  const digits = String(negative ? -unscaled : unscaled).padStart(scale + 1, "0");
  const text = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return negative ? `-${text}` : text;
}

/** The text of the line from `start` to `next` (just past its newline), without its line ending. */
export function lineText(bytes: Uint8Array, start: number, next: number): string {
  let end = next - 1;
  if (end > start && bytes[end - 1] === 13) end--;
  return utf8(bytes, start, end);
}
