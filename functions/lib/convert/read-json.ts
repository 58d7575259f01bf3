import { CoercionError, NumberText, type ColumnKind } from "./coerce";
import type { ColumnBuffer } from "./columns";
import { readByName } from "./fields";
import { JsonRecordReader, memberTexts } from "./json";
import { lineText, SOURCE_COLUMNS, type ConversionRun } from "./run";
import type { ByteLines } from "./text";

/**
 * JSON lines into the run's buffers: each line through `JsonRecordReader` straight from the bytes, or, when it
 * declines (or `fromBytes` is false), through JSON.parse and the coercers — the reference path.
 */
export async function readJson(run: ConversionRun, chunks: AsyncIterable<ByteLines>): Promise<void> {
  const columns = run.columns;
  const names = columns.map((c) => c.name);
  // A JSON record's values by column, read by name.
  const fields: unknown[] = new Array(columns.length);
  const operationField = run.cdcOperationField;
  // The fast path appends to the columns in order, so a partitioned table (whose buffers depend on the row) and
  // a CDC operation key that is also a column's name take the reference path.
  const fast =
    (run.options.fromBytes ?? true) &&
    run.table.partitionBy.length === 0 &&
    !(operationField !== undefined && (names.includes(operationField) || names.includes("operation")));
  const reader = new JsonRecordReader(names, operationField);
  const buffers = fast ? run.buffersOf(run.defaultPartition) : [];
  let line = 0;
  for await (const chunk of chunks) {
    const bytes = new Uint8Array(chunk.bytes.buffer, chunk.bytes.byteOffset, chunk.bytes.length);
    let p = 0;
    while (p < bytes.length) {
      line++;
      if (fast && chunk.valid) {
        const taken = takeJsonBytes(run, line, bytes, p, reader, buffers);
        if (taken >= 0) {
          p = taken;
          if (run.full) await run.flush();
          continue;
        }
      }
      const newline = bytes.indexOf(10, p);
      const text = lineText(bytes, p, newline + 1);
      p = newline + 1;
      if (takeJsonText(run, line, text, names, fields) && run.full) await run.flush();
    }
    run.lastLine = line;
  }
}

/**
 * The line at `p` through the byte reader: returns where the next line starts once the row is written or
 * quarantined, or -1 when the line needs JSON.parse. Blank lines are skipped, as `takeJsonText` skips them.
 */
function takeJsonBytes(
  run: ConversionRun,
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
  if (run.cdcOperationField) {
    try {
      buffers[buffers.length - 1 - SOURCE_COLUMNS]!.append(run.operation(reader.operation));
    } catch (error) {
      if (!(error instanceof CoercionError)) throw error;
      // Checked after every column, as the reference does: take the row back out and quarantine it.
      for (let k = 0; k < run.columns.length; k++) buffers[k]!.pop();
      run.counts.rowsIn++;
      run.quarantine(line, error.message, lineText(bytes, p, reader.next));
      return reader.next;
    }
  }
  run.counts.rowsIn++;
  run.stamp(buffers);
  run.rowAppended();
  return reader.next;
}

/** A line of JSON whitespace only: space, tab, LF, CR. */
const JSON_BLANK = /^[ \t\n\r]*$/;

/** One line through JSON.parse and the coercers (the reference path); true when a row was appended. */
function takeJsonText(
  run: ConversionRun,
  line: number,
  text: string,
  names: readonly string[],
  fields: unknown[],
): boolean {
  // A blank line is one of JSON's whitespace only (RFC 8259 §2), as the byte path skips it; any other space
  // (U+00A0, U+FEFF, \f...) is a record that is not JSON. String.prototype.trim would drop it uncounted.
  if (JSON_BLANK.test(text)) return false;
  run.counts.rowsIn++;
  let row: unknown;
  try {
    row = JSON.parse(text);
  } catch (error) {
    run.quarantine(line, `invalid JSON: ${(error as Error).message}`, text);
    return false;
  }
  if (typeof row !== "object" || row === null || Array.isArray(row)) {
    run.quarantine(line, "not a JSON object", text);
    return false;
  }
  const record = row as Record<string, unknown>;
  const columns = run.columns;
  try {
    readByName(record, names, fields);
    let texts: Map<string, string> | undefined;
    for (let i = 0; i < columns.length; i++) {
      let value = fields[i];
      const exact = needsSourceText(columns[i]!.type.kind, value);
      if (exact !== 0) {
        const source = (texts ??= memberTexts(text)).get(names[i]!);
        if (source !== undefined) value = exact === 1 ? new NumberText(source) : source;
      }
      run.values[i] = columns[i]!.coerce(value);
    }
    if (run.cdcOperationField) run.values[columns.length] = run.operation(record);
  } catch (error) {
    if (!(error instanceof CoercionError)) throw error;
    run.quarantine(line, error.message, text);
    return false;
  }
  run.append();
  return true;
}

/**
 * Whether a JSON.parse value must be read from its source text instead: 1 for a number bound for a string or
 * decimal column, or for a bigint column beyond 2^53 (a double rounds it; below, the double is exact), 2 for
 * a nested value bound for a string column (stored as written, its numbers included); else 0.
 */
function needsSourceText(kind: ColumnKind, value: unknown): 0 | 1 | 2 {
  if (typeof value === "number") {
    if (kind === "bigint") return Number.isSafeInteger(value) ? 0 : 1;
    return kind === "string" || kind === "decimal" ? 1 : 0;
  }
  return kind === "string" && typeof value === "object" && value !== null ? 2 : 0;
}
