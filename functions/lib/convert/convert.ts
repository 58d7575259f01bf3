import type { TableSpec } from "../../../components/spec/schema";
import { controlHash } from "../control";
import { byteCoercer, utf8, type ByteCoercer } from "./bytes";
import { coercer, CoercionError, columnType, type Coercer, type ColumnType, type Converted } from "./coerce";
import { columnBuffer, type ColumnBuffer } from "./columns";
import { CsvByteScanner, CsvRecords, unescapeQuotes, type CsvRecord } from "./csv";
import { readByName } from "./fields";
import { parquetFile } from "./parquet";
import type { OutputSink } from "./sinks";
import { JsonRecordReader } from "./json";
import { byteLines, InputError, type ByteLines } from "./text";

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
   * Read records from the input's bytes, fields straight into the column buffers (single-line CSV records; flat
   * JSON objects with their keys in column order); false reads every line as text through CsvRecords or
   * JSON.parse, the reference the fast paths are tested against. @default true
   */
  fromBytes?: boolean;
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
}

export const DEFAULT_BATCH_ROWS = 20_000;
/** CSV records scanned ahead and read a column at a time (a few hundred KiB of input). */
const BLOCK_ROWS = 2048;
const OPERATIONS = new Set(["insert", "update", "delete"]);
const MAX_RAW_CHARS = 64 * 1024;

interface Column {
  name: string;
  type: ColumnType;
  nullable: boolean;
  coerce: Coercer;
  /** The same coercion from the field's bytes (for partition columns; others are read by their buffer). */
  readBytes: ByteCoercer;
  partition: boolean;
}

/**
 * Converts one raw object (JSON lines or CSV, gzip or plain) into typed Parquet files in Hive-style partitions
 * (`<table>/<col=value...>/` from the spec's `partitionBy`, else `<table>/ingest_date=YYYY-MM-DD/`) and the
 * rows it cannot read or coerce into `_quarantine/<table>/ingest_date=.../` with `{ line, reason, raw }`.
 * Streams: memory holds one batch of rows, whatever the file size. rowsIn = rowsWritten + rowsQuarantined.
 */
export async function convert(options: ConvertOptions): Promise<ConvertResult> {
  const run = new ConversionRun(options);
  try {
    if (options.table.format === "csv") await run.readCsv(byteLines(options.source));
    else await run.readJson(byteLines(options.source));
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    run.inputFailed(error.message);
  }
  await run.flush();
  return run.result();
}

class ConversionRun {
  lastLine = 0;
  private readonly table: TableSpec;
  private readonly columns: Column[];
  private readonly values: Converted[];
  private readonly names: string[];
  /** A JSON record's values by column, read by name. */
  private readonly fields: unknown[];
  /** Per record of the CSV block being read: where its line starts, its number, where the next one starts. */
  private readonly blockStarts = new Int32Array(BLOCK_ROWS);
  private readonly blockLines = new Int32Array(BLOCK_ROWS);
  private readonly blockEnds = new Int32Array(BLOCK_ROWS);
  /** Each buffer's length when the block began. */
  private readonly marks: number[] = [];
  /** Fields with doubled quotes, unquoted for the current record (from 0 up to `scratchAt`). */
  private scratch = Buffer.allocUnsafe(64 * 1024);
  private scratchAt = 0;
  /** The byte range of the field `field()` returned last. */
  private from = 0;
  private to = 0;
  private readonly partitions = new Map<string, ColumnBuffer[]>();
  private readonly defaultPartition: string;
  private readonly ingestedAtMicros: number;
  private readonly hash: string;
  private readonly batchRows: number;
  private readonly cdcOperationField: string | undefined;
  private quarantined: string[] = [];
  private buffered = 0;
  private batch = 0;
  private readonly counts = { rowsIn: 0, rowsWritten: 0, rowsQuarantined: 0, maxBufferedRows: 0 };
  private readonly outputs: string[] = [];
  private readonly quarantineKeys: string[] = [];

  constructor(private readonly options: ConvertOptions) {
    this.table = options.table;
    const partitionBy = new Set(this.table.partitionBy);
    this.columns = this.table.columns.map((c) => {
      const type = columnType(c.type);
      const coerce = coercer(c.name, type, c.nullable);
      const partition = partitionBy.has(c.name);
      return {
        name: c.name,
        type,
        nullable: c.nullable,
        coerce,
        readBytes: byteCoercer(type, coerce),
        partition,
      };
    });
    this.values = new Array(this.columns.length + 1);
    this.names = this.columns.map((c) => c.name);
    this.fields = new Array(this.columns.length);

    this.defaultPartition = `ingest_date=${options.ingestedAt.toISOString().slice(0, 10)}`;
    this.ingestedAtMicros = options.ingestedAt.getTime() * 1000;
    this.hash = controlHash(options.controlId);
    this.batchRows = options.batchRows ?? DEFAULT_BATCH_ROWS;
    this.cdcOperationField = this.table.source.kind === "cdc" ? this.table.source.operationField : undefined;
  }

  async readJson(chunks: AsyncIterable<ByteLines>): Promise<void> {
    const columns = this.columns;
    const names = columns.map((c) => c.name);
    const operationField = this.cdcOperationField;
    // The fast path appends to the columns in order, so a partitioned table (whose buffers depend on the row) and
    // a CDC operation key that is also a column's name take the reference path.
    const fast =
      (this.options.fromBytes ?? true) &&
      this.table.partitionBy.length === 0 &&
      !(operationField !== undefined && (names.includes(operationField) || names.includes("operation")));
    const reader = new JsonRecordReader(names, operationField);
    const buffers = fast ? this.buffersOf(this.defaultPartition) : [];
    let line = 0;
    for await (const chunk of chunks) {
      const bytes = new Uint8Array(chunk.bytes.buffer, chunk.bytes.byteOffset, chunk.bytes.length);
      let p = 0;
      while (p < bytes.length) {
        line++;
        if (fast && chunk.valid) {
          const taken = this.takeJsonBytes(line, bytes, p, reader, buffers);
          if (taken >= 0) {
            p = taken;
            if (this.buffered >= this.batchRows) await this.flush();
            continue;
          }
        }
        const newline = bytes.indexOf(10, p);
        const text = lineText(bytes, p, newline + 1);
        p = newline + 1;
        if (this.takeJsonText(line, text) && this.buffered >= this.batchRows) await this.flush();
      }
      this.lastLine = line;
    }
  }

  /**
   * The line at `p` through the byte reader: returns where the next line starts once the row is written or
   * quarantined, or -1 when the line needs JSON.parse. Blank lines are skipped, as `takeJsonText` skips them.
   */
  private takeJsonBytes(
    line: number,
    bytes: Uint8Array,
    p: number,
    reader: JsonRecordReader,
    buffers: ColumnBuffer[],
  ): number {
    let q = p;
    let c = bytes[q];
    while (c === 32 || c === 9 || c === 13) c = bytes[++q];
    if (c === 10) return q + 1;
    if (!reader.read(bytes, p, buffers)) return -1;
    if (this.cdcOperationField) {
      try {
        buffers[buffers.length - 2]!.append(this.operation(reader.operation));
      } catch (error) {
        if (!(error instanceof CoercionError)) throw error;
        // Checked after every column, as the reference does: take the row back out and quarantine it.
        for (let k = 0; k < this.columns.length; k++) buffers[k]!.pop();
        this.counts.rowsIn++;
        this.quarantine(line, error.message, lineText(bytes, p, reader.next));
        return reader.next;
      }
    }
    this.counts.rowsIn++;
    buffers[buffers.length - 1]!.append(this.ingestedAtMicros);
    this.rowAppended();
    return reader.next;
  }

  /** One line through JSON.parse and the coercers (the reference path); true when a row was appended. */
  private takeJsonText(line: number, text: string): boolean {
    if (text.trim() === "") return false;
    this.counts.rowsIn++;
    let row: unknown;
    try {
      row = JSON.parse(text);
    } catch (error) {
      this.quarantine(line, `invalid JSON: ${(error as Error).message}`, text);
      return false;
    }
    if (typeof row !== "object" || row === null || Array.isArray(row)) {
      this.quarantine(line, "not a JSON object", text);
      return false;
    }
    const record = row as Record<string, unknown>;
    const columns = this.columns;
    try {
      readByName(record, this.names, this.fields);
      for (let i = 0; i < columns.length; i++) this.values[i] = columns[i]!.coerce(this.fields[i]);
      if (this.cdcOperationField) this.values[columns.length] = this.operation(record);
    } catch (error) {
      if (!(error instanceof CoercionError)) throw error;
      this.quarantine(line, error.message, text);
      return false;
    }
    this.append();
    return true;
  }

  async readCsv(chunks: AsyncIterable<ByteLines>): Promise<void> {
    const parser = new CsvRecords();
    let header: { indexes: number[]; width: number } | string | undefined;
    const records: CsvRecord[] = [];
    // Synchronous per record (no promise per row); the caller awaits only when a batch is full.
    const take = (record: CsvRecord): void => {
      if (record.raw === "" && record.fields?.length === 1) return;
      if (header === undefined) {
        header = record.error
          ? `the CSV header (line ${record.line}) cannot be read: ${record.error}`
          : this.header(record.fields!);
        return;
      }
      this.counts.rowsIn++;
      if (typeof header === "string") return this.quarantine(record.line, header, record.raw);
      if (record.error !== undefined) return this.quarantine(record.line, record.error, record.raw);
      if (record.fields.length !== header.width) {
        return this.quarantine(
          record.line,
          `expected ${header.width} fields, got ${record.fields.length}`,
          record.raw,
        );
      }
      try {
        const { indexes } = header;
        for (let i = 0; i < this.columns.length; i++) {
          this.values[i] = this.columns[i]!.coerce(indexes[i]! < 0 ? undefined : record.fields[indexes[i]!]);
        }
        if (this.cdcOperationField) {
          const at = indexes[this.columns.length]!;
          this.values[this.columns.length] = this.operation({
            operation: at < 0 ? undefined : record.fields[at],
          });
        }
      } catch (error) {
        if (!(error instanceof CoercionError)) throw error;
        return this.quarantine(record.line, error.message, record.raw);
      }
      this.append();
    };
    let scanner: CsvByteScanner | undefined;
    let line = 0;
    const fast = this.options.fromBytes ?? true;
    for await (const chunk of chunks) {
      const valid = chunk.valid;
      // The scanner searches the Buffer (memchr); values are copied from a plain view of it, because subarray()
      // of a Buffer goes through Buffer's JavaScript constructor and a Uint8Array's does not.
      const bytes = new Uint8Array(chunk.bytes.buffer, chunk.bytes.byteOffset, chunk.bytes.length);
      const length = bytes.length;
      let p = 0;
      while (p < length) {
        line++;
        // Fast path: a record on one line of valid UTF-8, fields read from the bytes in place. Anything unusual
        // (quotes spanning lines, broken quoting, invalid UTF-8) goes through CsvRecords and `take`, the
        // reference path, which decides and words every quarantine reason.
        if (fast && valid && typeof header === "object" && parser.idle) {
          const c = bytes[p];
          if (c === 10 || (c === 13 && bytes[p + 1] === 10)) {
            p += c === 10 ? 1 : 2;
            continue;
          }
          scanner ??= new CsvByteScanner(header.width, BLOCK_ROWS);
          if (this.table.partitionBy.length === 0) {
            // Scan a block of records, then read it a column at a time; the first record that is not a plain
            // single line of the header's width ends the block and takes the row path below.
            line--;
            const block = this.scanBlock(chunk.bytes, p, line, scanner, header.width);
            if (block.rows > 0) this.readBlock(bytes, block.rows, scanner, header.indexes);
            p = block.next;
            line = block.line;
            if (this.buffered >= this.batchRows) await this.flush();
            if (block.rows > 0 || p >= length) continue;
            line++;
          }
          const fields = scanner.scan(chunk.bytes, p);
          if (fields >= 0) {
            this.takeBytes(line, bytes, p, fields, scanner, header.indexes);
            p = scanner.next;
            if (this.buffered >= this.batchRows) await this.flush();
            continue;
          }
        }
        const newline = bytes.indexOf(10, p);
        const text = utf8(bytes, p, newline > p && bytes[newline - 1] === 13 ? newline - 1 : newline);
        p = newline + 1;
        records.length = 0;
        for (const record of parser.push([{ line, text }], records)) {
          take(record);
          if (this.buffered >= this.batchRows) await this.flush();
        }
      }
      this.lastLine = line;
    }
    for (const record of parser.end()) {
      take(record);
      if (this.buffered >= this.batchRows) await this.flush();
    }
  }

  /**
   * Scans up to a block of single-line records from `p` into the scanner's slots (at most what fills the
   * batch, so a flush falls where the row path's would). Blank lines are skipped and counted; the block ends
   * at the chunk's end or before the first line that needs the row path. Its lines' starts, numbers and ends
   * are kept for the row path and for quarantine.
   */
  private scanBlock(
    buffer: Buffer,
    p: number,
    line: number,
    scanner: CsvByteScanner,
    width: number,
  ): { rows: number; next: number; line: number } {
    const limit = Math.min(BLOCK_ROWS, this.batchRows - this.buffered);
    const length = buffer.length;
    const { blockStarts, blockLines, blockEnds } = this;
    let rows = 0;
    while (rows < limit && p < length) {
      const c = buffer[p];
      if (c === 10 || (c === 13 && buffer[p + 1] === 10)) {
        p += c === 10 ? 1 : 2;
        line++;
        continue;
      }
      if (scanner.scan(buffer, p, rows) !== width) break;
      blockStarts[rows] = p;
      blockLines[rows] = ++line;
      p = blockEnds[rows] = scanner.next;
      rows++;
    }
    return { rows, next: p, line };
  }

  /**
   * Reads a scanned block a column at a time. Any value that does not coerce (or a bad CDC operation) puts
   * every column back to where the block began and reads the block's records one by one through
   * `takeBytes`, so rows are written or quarantined — in order, with their reasons — exactly as there.
   */
  private readBlock(
    bytes: Uint8Array,
    rows: number,
    scanner: CsvByteScanner,
    indexes: readonly number[],
  ): void {
    const buffers = this.buffersOf(this.defaultPartition);
    const columns = this.columns;
    const { starts, ends, escaped, width } = scanner;
    for (let b = 0; b < buffers.length; b++) this.marks[b] = buffers[b]!.mark();
    let ok = true;
    for (let i = 0; ok && i < columns.length; i++) {
      const at = indexes[i]!;
      ok =
        at < 0
          ? buffers[i]!.fill(undefined, rows)
          : buffers[i]!.readFields(bytes, starts, ends, escaped, width, at, rows);
    }
    if (ok && this.cdcOperationField)
      ok = this.readOperations(bytes, rows, scanner, indexes, buffers[columns.length]!);
    if (!ok) {
      for (let b = 0; b < buffers.length; b++) buffers[b]!.truncate(this.marks[b]!);
      for (let r = 0; r < rows; r++) {
        const start = this.blockStarts[r]!;
        scanner.next = this.blockEnds[r]!;
        this.takeBytes(this.blockLines[r]!, bytes, start, width, scanner, indexes, r * width);
      }
      return;
    }
    buffers[buffers.length - 1]!.repeat(this.ingestedAtMicros, rows);
    this.counts.rowsIn += rows;
    this.counts.rowsWritten += rows;
    this.buffered += rows;
    if (this.buffered > this.counts.maxBufferedRows) this.counts.maxBufferedRows = this.buffered;
  }

  /** The block's CDC operations, checked and appended; false at the first bad one. */
  private readOperations(
    bytes: Uint8Array,
    rows: number,
    scanner: CsvByteScanner,
    indexes: readonly number[],
    buffer: ColumnBuffer,
  ): boolean {
    const at = indexes[this.columns.length]!;
    try {
      for (let r = 0; r < rows; r++) {
        this.scratchAt = 0;
        buffer.append(
          this.operation(this.csvOperation(bytes, scanner, at < 0 ? -1 : r * scanner.width + at)),
        );
      }
      return true;
    } catch (error) {
      if (error instanceof CoercionError) return false;
      throw error;
    }
  }

  /**
   * One record from the scanner's field ranges, each field read by its column buffer straight from the bytes:
   * the same counts, coercions and quarantine reasons as `take`. A field that fails to coerce takes the row's
   * earlier fields back out of their buffers, so a row is written whole or quarantined.
   */
  private takeBytes(
    line: number,
    bytes: Uint8Array,
    start: number,
    fields: number,
    scanner: CsvByteScanner,
    indexes: readonly number[],
    base = 0,
  ): void {
    this.counts.rowsIn++;
    if (fields !== scanner.width) {
      const text = lineText(bytes, start, scanner.next);
      return this.quarantine(line, `expected ${scanner.width} fields, got ${fields}`, text);
    }
    const columns = this.columns;
    this.scratchAt = 0;
    let buffers: ColumnBuffer[] | undefined;
    let b = 0;
    try {
      if (this.table.partitionBy.length > 0) {
        // The partition's buffers depend on the row's values: coerce them all first, in column order.
        for (let i = 0; i < columns.length; i++) {
          const at = indexes[i]!;
          const column = columns[i]!;
          this.values[i] =
            at < 0
              ? column.coerce(undefined)
              : column.readBytes(this.field(bytes, scanner, base + at), this.from, this.to);
        }
        if (this.cdcOperationField)
          this.values[columns.length] = this.operation(
            this.csvOperation(bytes, scanner, fieldIndex(base, indexes[columns.length]!)),
          );
      } else {
        buffers = this.buffersOf(this.defaultPartition);
        const { starts, ends, escaped } = scanner;
        for (let i = 0; i < columns.length; i++) {
          const at = indexes[i]!;
          if (at < 0) buffers[b]!.append(columns[i]!.coerce(undefined));
          else if (escaped[base + at] === 0) buffers[b]!.read(bytes, starts[base + at]!, ends[base + at]!);
          else buffers[b]!.read(this.field(bytes, scanner, base + at), this.from, this.to);
          b++;
        }
        if (this.cdcOperationField) {
          // Read before claiming the slot: a bad operation must leave the buffer as it was.
          const operation = this.operation(
            this.csvOperation(bytes, scanner, fieldIndex(base, indexes[columns.length]!)),
          );
          buffers[b]!.append(operation);
          b++;
        }
      }
    } catch (error) {
      for (let k = 0; k < b; k++) buffers![k]!.pop();
      if (!(error instanceof CoercionError)) throw error;
      return this.quarantine(line, error.message, lineText(bytes, start, scanner.next));
    }
    if (buffers === undefined) this.append();
    else {
      buffers[b]!.append(this.ingestedAtMicros);
      this.rowAppended();
    }
  }

  /** The CDC operation field (slot `at` of the scanner, -1: none) of a scanned record, as `operation()` reads it. */
  private csvOperation(
    bytes: Uint8Array,
    scanner: CsvByteScanner,
    at: number,
  ): { operation: string | undefined } {
    return { operation: at < 0 ? undefined : utf8(this.field(bytes, scanner, at), this.from, this.to) };
  }

  /** Slot `at` of the scanner: the field's bytes, in `bytes` or unquoted into the scratch buffer, at `from`-`to`. */
  private field(bytes: Uint8Array, scanner: CsvByteScanner, at: number): Uint8Array {
    const from = scanner.starts[at]!;
    const to = scanner.ends[at]!;
    if (scanner.escaped[at] !== 1) {
      this.from = from;
      this.to = to;
      return bytes;
    }
    if (this.scratch.length < this.scratchAt + to - from) {
      // Earlier fields of this record were already read out of the old scratch buffer.
      this.scratch = Buffer.allocUnsafe(2 * (this.scratchAt + to - from));
    }
    this.from = this.scratchAt;
    this.to = this.scratchAt = unescapeQuotes(bytes, from, to, this.scratch, this.scratchAt);
    return this.scratch;
  }

  /** Column positions by name in the header (-1 when absent: the column reads as null). */
  private header(fields: string[]): { indexes: number[]; width: number } {
    const names = fields.map((f) => f.trim());
    const indexes = this.columns.map((c) => names.indexOf(c.name));
    if (this.cdcOperationField) indexes.push(names.indexOf(this.cdcOperationField));
    return { indexes, width: names.length };
  }

  private operation(record: Record<string, unknown>): string {
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
  private append(): boolean {
    const buffers = this.buffersOf(this.partitionOf());
    let b = 0;
    for (let i = 0; i < this.columns.length; i++)
      if (!this.columns[i]!.partition) buffers[b++]!.append(this.values[i]!);
    if (this.cdcOperationField) buffers[b++]!.append(this.values[this.columns.length]!);
    buffers[b]!.append(this.ingestedAtMicros);
    return this.rowAppended();
  }

  private buffersOf(partition: string): ColumnBuffer[] {
    let buffers = this.partitions.get(partition);
    if (!buffers) {
      buffers = this.newBuffers();
      this.partitions.set(partition, buffers);
    }
    return buffers;
  }

  /** Counts a row appended to the buffers; true when the batch is full and must be flushed before the next row. */
  private rowAppended(): boolean {
    this.counts.rowsWritten++;
    if (++this.buffered > this.counts.maxBufferedRows) this.counts.maxBufferedRows = this.buffered;
    return this.buffered >= this.batchRows;
  }

  /** The input broke off (truncated gzip): its unread rest counts as one quarantined row, with the reason. */
  inputFailed(reason: string): void {
    this.counts.rowsIn++;
    this.quarantine(this.lastLine + 1, reason, "");
  }

  quarantine(line: number, reason: string, raw: string): void {
    this.counts.rowsQuarantined++;
    this.quarantined.push(
      JSON.stringify({ line, reason, raw: raw.length > MAX_RAW_CHARS ? raw.slice(0, MAX_RAW_CHARS) : raw }),
    );
  }

  /** Writes every buffered partition as one Parquet file and the batch's quarantined rows as JSON lines. */
  async flush(): Promise<void> {
    if (this.buffered === 0 && this.quarantined.length === 0) return;
    const part = `part-${this.hash}-${String(this.batch++).padStart(5, "0")}`;
    for (const [partition, buffers] of this.partitions) {
      if (buffers[0]!.length === 0) continue;
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
        Buffer.from(this.quarantined.join("\n") + "\n"),
        "application/x-ndjson",
      );
      this.quarantineKeys.push(this.options.sink.describe(key));
      this.quarantined = [];
    }
    this.buffered = 0;
  }

  result(): ConvertResult {
    return { ...this.counts, outputs: this.outputs, quarantine: this.quarantineKeys, batches: this.batch };
  }

  private newBuffers(): ColumnBuffer[] {
    const buffers = this.columns
      .filter((c) => !c.partition)
      .map((c) => columnBuffer(c.name, c.type, c.nullable, c.coerce));
    if (this.cdcOperationField) buffers.push(columnBuffer("operation", { kind: "string" }, false));
    buffers.push(columnBuffer("_ingested_at", { kind: "timestamp" }, false));
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

/** The scanner slot of field `at` (-1: the header has no such field) of the record at `base`. */
function fieldIndex(base: number, at: number): number {
  return at < 0 ? -1 : base + at;
}

/** The text of the line from `start` to `next` (just past its newline), without its line ending. */
function lineText(bytes: Uint8Array, start: number, next: number): string {
  let end = next - 1;
  if (end > start && bytes[end - 1] === 13) end--;
  return utf8(bytes, start, end);
}

/** A partition value as Hive writes it: canonical text, with path-unsafe characters %-escaped. */
export function hiveValue(type: ColumnType, value: Converted): string {
  if (value === null) return "__HIVE_DEFAULT_PARTITION__";
  let text: string;
  if (type.kind === "date") text = new Date((value as number) * 86_400_000).toISOString().slice(0, 10);
  else if (type.kind === "timestamp") text = new Date(Number(value) / 1000).toISOString();
  else if (type.kind === "decimal") text = decimalText(value as number | bigint, type.scale!);
  else text = String(value);
  return text.replace(
    // eslint-disable-next-line no-control-regex -- control characters are exactly what Hive escapes
    /[\u0000-\u001f"#%'*/:=?\\\u007f{[\]^]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`,
  );
}

function decimalText(unscaled: number | bigint, scale: number): string {
  const negative = unscaled < 0;
  const digits = String(negative ? -unscaled : unscaled).padStart(scale + 1, "0");
  const text = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return negative ? `-${text}` : text;
}
