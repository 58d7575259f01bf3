import { utf8 } from "./bytes";
import { CoercionError } from "./coerce";
import type { ColumnBuffer } from "./columns";
import {
  CsvByteScanner,
  CsvRecords,
  lineMark,
  resolveLineMarks,
  unescapeQuotes,
  type CsvRecord,
} from "./csv";
import { lineText, type ConversionRun } from "./run";
import { InputError, type ByteLines } from "./text";

/** CSV records scanned ahead and read a column at a time (a few hundred KiB of input). */
const BLOCK_ROWS = 2048;

/** The header as read: column positions or why the file is refused, and its number of fields. */
export interface CsvHeader {
  header: { indexes: number[]; width: number } | string;
  width: number;
}

/** One segment of the input read by a worker thread (workers.ts), rather than the whole input. */
export interface CsvSegment {
  /** The header, when a segment before this one read it. */
  header?: CsvHeader;
  /** The input's last segment: a record still open at its end is unterminated (else it is left to the next). */
  final: boolean;
  /**
   * The lines before the segment, when known (the header's reason names its line): a segment that reads the
   * header is never read ahead of its start, so they are known then.
   */
  lineBase?: number;
  /** Told as soon as the header is read, so that the segments after this one can start. */
  onHeader?: (header: CsvHeader) => void;
}

export interface CsvSegmentEnd {
  header?: CsvHeader;
  /**
   * A record still open at the end of a segment that is not the last: where its first line starts (chunk index
   * and offset in it, line number). Nothing from that line on was counted; the next segment reads it again.
   */
  open?: { line: number; chunk: number; offset: number };
}

/** CSV into the run's buffers (see `CsvReader`); `segment` when it is one part of the input (workers.ts). */
export function readCsv(
  run: ConversionRun,
  chunks: AsyncIterable<ByteLines>,
  segment?: CsvSegment,
): Promise<CsvSegmentEnd> {
  return new CsvReader(run).read(chunks, segment);
}

/**
 * Reads CSV by the header's column names. Single-line records of valid UTF-8 are scanned from the bytes in
 * blocks and read a column at a time; anything else — quotes spanning lines, broken quoting, invalid UTF-8,
 * partitioned tables row by row — goes through CsvRecords and the coercers on text, the reference path,
 * which decides and words every quarantine reason.
 */
class CsvReader {
  /** Per record of the block being read: where its line starts, its number, where the next one starts. */
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

  constructor(private readonly run: ConversionRun) {}

  async read(chunks: AsyncIterable<ByteLines>, segment?: CsvSegment): Promise<CsvSegmentEnd> {
    const parser = new CsvRecords();
    if (segment) parser.lineName = lineMark;
    let header: { indexes: number[]; width: number } | string | undefined = segment?.header?.header;
    if (segment?.header) parser.width = segment.header.width;
    // The lines given to CsvRecords since it was last idle (a segment's open record starts at one of them).
    const fed: { line: number; chunk: number; offset: number }[] = [];
    const track = segment !== undefined && !segment.final;
    let chunkIndex = -1;
    const lineBase = segment?.lineBase ?? 0;
    const records: CsvRecord[] = [];
    // Synchronous per record (no promise per row); the caller awaits only when a batch is full.
    const take = (record: CsvRecord): void => {
      // A blank line is no record, except in a one-column file, where it is one empty value (as DuckDB reads it).
      if (record.raw === "" && record.fields?.length === 1 && parser.width !== 1) return;
      if (header === undefined) {
        this.run.headerSeen = true;
        if (record.error === undefined) parser.width = record.fields.length;
        header = record.error
          ? // Resolved here: the reason goes to the segments after this one, whose lines start elsewhere.
            `the CSV header (line ${record.line + lineBase}) cannot be read: ${resolveLineMarks(record.error, lineBase)}`
          : this.header(record.fields!, record.line + lineBase);
        segment?.onHeader?.({ header, width: parser.width });
        if (typeof header === "object") return;
        // A refused file is quarantined whole, its first line included (it may be data: a file without a header).
      }
      this.run.counts.rowsIn++;
      if (typeof header === "string") return this.run.quarantine(record.line, header, record.raw);
      if (record.error !== undefined) return this.run.quarantine(record.line, record.error, record.raw);
      if (record.fields.length !== header.width) {
        return this.run.quarantine(
          record.line,
          `expected ${header.width} fields, got ${record.fields.length}`,
          record.raw,
        );
      }
      try {
        const { indexes } = header;
        for (let i = 0; i < this.run.columns.length; i++) {
          this.run.values[i] = this.run.columns[i]!.coerce(
            indexes[i]! < 0 ? undefined : record.fields[indexes[i]!],
          );
        }
        if (this.run.cdcOperationField) {
          const at = indexes[this.run.columns.length]!;
          this.run.values[this.run.columns.length] = this.run.operation({
            operation: at < 0 ? undefined : record.fields[at],
          });
        }
      } catch (error) {
        if (!(error instanceof CoercionError)) throw error;
        return this.run.quarantine(record.line, error.message, record.raw);
      }
      this.run.append();
    };
    let scanner: CsvByteScanner | undefined;
    let line = 0;
    const fast = this.run.options.fromBytes ?? true;
    const failure: { error?: InputError } = {};
    for await (const chunk of untilInputError(chunks, failure)) {
      chunkIndex++;
      // The blank stand-in of a line over the maximum record size, quarantined already (input.ts): it keeps
      // the numbering but is no record, not even in a one-column file, where a blank line is one.
      if (chunk.oversized) {
        this.run.lastLine = ++line;
        continue;
      }
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
          if ((c === 10 || (c === 13 && bytes[p + 1] === 10)) && header.width !== 1) {
            p += c === 10 ? 1 : 2;
            continue;
          }
          scanner ??= new CsvByteScanner(header.width, BLOCK_ROWS);
          if (this.run.table.partitionBy.length === 0) {
            // Scan a block of records, then read it a column at a time; the first record that is not a plain
            // single line of the header's width ends the block and takes the row path below.
            line--;
            const block = this.scanBlock(chunk.bytes, p, line, scanner, header.width);
            if (block.rows > 0) this.readBlock(bytes, block.rows, scanner, header.indexes);
            p = block.next;
            line = block.line;
            if (this.run.full) await this.run.flush();
            if (block.rows > 0 || p >= length) continue;
            line++;
          }
          const fields = scanner.scan(chunk.bytes, p);
          if (fields >= 0) {
            this.takeBytes(line, bytes, p, fields, scanner, header.indexes);
            p = scanner.next;
            if (this.run.full) await this.run.flush();
            continue;
          }
        }
        const newline = bytes.indexOf(10, p);
        const crlf = newline > p && bytes[newline - 1] === 13;
        const text = utf8(bytes, p, crlf ? newline - 1 : newline);
        const start = p;
        p = newline + 1;
        records.length = 0;
        for (const record of parser.push([{ line, text, crlf }], records)) {
          take(record);
          if (this.run.full) await this.run.flush();
        }
        if (track) {
          if (parser.idle) fed.length = 0;
          else fed.push({ line, chunk: chunkIndex, offset: start });
        }
      }
      this.run.lastLine = line;
    }
    let open: CsvSegmentEnd["open"];
    if (track && !parser.idle) open = fed.find((f) => f.line === parser.pendingLine);
    else {
      for (const record of parser.end()) {
        take(record);
        if (this.run.full) await this.run.flush();
      }
    }
    if (failure.error) throw failure.error;
    return { header: header === undefined ? undefined : { header, width: parser.width }, open };
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
    const limit = Math.min(BLOCK_ROWS, this.run.batchRows - this.run.buffered);
    const length = buffer.length;
    const { blockStarts, blockLines, blockEnds } = this;
    let rows = 0;
    while (rows < limit && p < length) {
      const c = buffer[p];
      if ((c === 10 || (c === 13 && buffer[p + 1] === 10)) && width !== 1) {
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
    const buffers = this.run.buffersOf(this.run.defaultPartition);
    const columns = this.run.columns;
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
    if (ok && this.run.cdcOperationField)
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
    this.run.stampBlock(buffers, rows);
    this.run.rowsAppended(rows);
  }

  /** The block's CDC operations, checked and appended; false at the first bad one. */
  private readOperations(
    bytes: Uint8Array,
    rows: number,
    scanner: CsvByteScanner,
    indexes: readonly number[],
    buffer: ColumnBuffer,
  ): boolean {
    const at = indexes[this.run.columns.length]!;
    try {
      for (let r = 0; r < rows; r++) {
        this.scratchAt = 0;
        buffer.append(
          this.run.operation(this.csvOperation(bytes, scanner, at < 0 ? -1 : r * scanner.width + at)),
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
    this.run.counts.rowsIn++;
    if (fields !== scanner.width) {
      const text = lineText(bytes, start, scanner.next);
      return this.run.quarantine(line, `expected ${scanner.width} fields, got ${fields}`, text);
    }
    const columns = this.run.columns;
    this.scratchAt = 0;
    let buffers: ColumnBuffer[] | undefined;
    let b = 0;
    try {
      if (this.run.table.partitionBy.length > 0) {
        // The partition's buffers depend on the row's values: coerce them all first, in column order.
        for (let i = 0; i < columns.length; i++) {
          const at = indexes[i]!;
          const column = columns[i]!;
          this.run.values[i] =
            at < 0
              ? column.coerce(undefined)
              : column.readBytes(this.field(bytes, scanner, base + at), this.from, this.to);
        }
        if (this.run.cdcOperationField)
          this.run.values[columns.length] = this.run.operation(
            this.csvOperation(bytes, scanner, fieldIndex(base, indexes[columns.length]!)),
          );
      } else {
        buffers = this.run.buffersOf(this.run.defaultPartition);
        const { starts, ends, escaped } = scanner;
        for (let i = 0; i < columns.length; i++) {
          const at = indexes[i]!;
          if (at < 0) buffers[b]!.append(columns[i]!.coerce(undefined));
          else if (escaped[base + at] === 0) buffers[b]!.read(bytes, starts[base + at]!, ends[base + at]!);
          else buffers[b]!.read(this.field(bytes, scanner, base + at), this.from, this.to);
          b++;
        }
        if (this.run.cdcOperationField) {
          // Read before claiming the slot: a bad operation must leave the buffer as it was.
          const operation = this.run.operation(
            this.csvOperation(bytes, scanner, fieldIndex(base, indexes[columns.length]!)),
          );
          buffers[b]!.append(operation);
          b++;
        }
      }
    } catch (error) {
      for (let k = 0; k < b; k++) buffers![k]!.pop();
      if (!(error instanceof CoercionError)) throw error;
      return this.run.quarantine(line, error.message, lineText(bytes, start, scanner.next));
    }
    if (buffers === undefined) this.run.append();
    else {
      this.run.stamp(buffers);
      this.run.rowAppended();
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

  /**
   * Column positions in the header (-1 when absent: the column reads as null), or why the file is refused.
   * Names match trimmed and case-insensitively (`ID` is `id`). A header that matches none of the table's
   * columns (no header, another table's file, UTF-16), lacks a non-nullable column, or names a column the
   * table reads twice refuses the file: every record, the first line included, is quarantined with the reason.
   */
  private header(fields: string[], line: number): { indexes: number[]; width: number } | string {
    const names = fields.map((f) => f.trim().toLowerCase());
    const columns = this.run.columns;
    const wanted = columns.map((c) => c.name);
    if (this.run.cdcOperationField) wanted.push(this.run.cdcOperationField);
    const indexes = wanted.map((name) => names.indexOf(name.toLowerCase()));
    const refused = `the CSV header (line ${line})`;
    const found = `expected ${columns.map((c) => c.name).join(", ")}; found ${foundNames(fields)}`;
    for (let i = 0; i < wanted.length; i++) {
      const again = indexes[i]! < 0 ? -1 : names.indexOf(names[indexes[i]!]!, indexes[i]! + 1);
      if (again >= 0)
        return `${refused} names column "${wanted[i]}" twice (fields ${indexes[i]! + 1} and ${again + 1})`;
    }
    if (indexes.slice(0, columns.length).every((at) => at < 0))
      return `${refused} matches none of the table's columns (${found})${encodingHint(fields)}`;
    const missing = columns.filter((c, i) => !c.nullable && indexes[i]! < 0).map((c) => c.name);
    if (missing.length > 0) return `${refused} lacks the required column(s) ${missing.join(", ")} (${found})`;
    return { indexes, width: fields.length };
  }
}

/** The header's names as found, quoted, cut short (the reason is repeated in every quarantined record). */
function foundNames(fields: readonly string[]): string {
  const text = fields.map((f) => JSON.stringify(f)).join(", ");
  return text.length > 300 ? `${text.slice(0, 300)}… (${fields.length} fields)` : text;
}

/** NUL characters or a decoded byte-order mark FF FE / FE FF in a header: the file is UTF-16, not UTF-8. */
function encodingHint(fields: readonly string[]): string {
  const text = fields.join(",");
  return text.includes("\u0000") || text.startsWith("\uFFFD\uFFFD")
    ? " (the file looks like UTF-16; CSV is read as UTF-8)"
    : "";
}

/** The chunks up to an InputError, kept in `failure`: the records already read are completed before it is rethrown. */
async function* untilInputError(
  chunks: AsyncIterable<ByteLines>,
  failure: { error?: InputError },
): AsyncGenerator<ByteLines> {
  try {
    yield* chunks;
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    failure.error = error;
  }
}

/** The scanner slot of field `at` (-1: the header has no such field) of the record at `base`. */
function fieldIndex(base: number, at: number): number {
  return at < 0 ? -1 : base + at;
}
