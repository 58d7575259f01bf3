import { Field, makeData, Message, RecordBatch, Schema, Struct, Utf8 } from "apache-arrow";
import { RecordBatch as RecordBatchHeader } from "apache-arrow/ipc/metadata/message";
import { VectorAssembler } from "apache-arrow/visitor/vectorassembler";
// Before parquet-wasm: it sets how soon V8 optimizes WebAssembly, read when parquet-wasm compiles its module.
import "./wasm-tiering";
import * as parquet from "parquet-wasm/node";
import type { ColumnBuffer } from "./columns";

/**
 * Snappy: ~2x faster to write than zstd for a few % more bytes, and the codec every engine reads (Athena,
 * Glue, Spark, DuckDB). A batch is one row group, so memory follows the batch size.
 */
function writerProperties(columns: readonly ColumnBuffer[]): parquet.WriterProperties {
  let builder = new parquet.WriterPropertiesBuilder()
    .setCompression(parquet.Compression.SNAPPY)
    .setMaxRowGroupSize(1 << 20)
    .setCreatedBy("medallion-lakehouse converter");
  for (const column of columns) {
    const dictionary = column.dictionary();
    builder = builder.setColumnDictionaryEnabled(column.field.name, dictionary);
    // Min/max of free text prunes nothing and cost ~10% of writing a text column (one comparison of long
    // strings per value, per page and per chunk); numbers, times and short strings keep their statistics.
    if (!dictionary && column.field.type instanceof Utf8)
      builder = builder.setColumnStatisticsEnabled(column.field.name, parquet.EnabledStatistics.None);
  }
  return builder.build();
}

/** One Parquet file from the rows currently in `columns` (all the same length). */
export function parquetFile(columns: readonly ColumnBuffer[]): Uint8Array {
  const fields: Field[] = columns.map((c) => c.field);
  const length = columns[0]?.length ?? 0;
  const batch = new RecordBatch(
    new Schema(fields),
    makeData({ type: new Struct(fields), length, nullCount: 0, children: columns.map((c) => c.toData()) }),
  );
  const table = parquet.Table.fromIPCStream(ipcStream(batch));
  return parquet.writeParquet(table, writerProperties(columns));
}

/**
 * The stream parquet-wasm reads is copied into WebAssembly memory at once, so the bytes are only needed for
 * the length of one call: one buffer, grown to the largest batch and reused, holds them. apache-arrow's
 * `tableToIPC` allocates a fresh batch-sized buffer for every file and joins the pieces into it, which cost
 * ~8x more than this copy (page faults and garbage collection of a few MiB per batch).
 */
let scratch = new Uint8Array(0);

/** An Arrow IPC stream (schema message, one record batch, end-of-stream marker) in `scratch`. */
export function ipcStream(batch: RecordBatch): Uint8Array {
  const schema = framedMessage(Message.from(batch.schema));
  const body = VectorAssembler.assemble(batch);
  const header = new RecordBatchHeader(batch.numRows, body.nodes, body.bufferRegions, null);
  const recordBatch = framedMessage(Message.from(header, body.byteLength));
  const bodyStart = schema.byteLength + recordBatch.byteLength;
  const total = bodyStart + body.byteLength + 8;
  if (scratch.byteLength < total)
    scratch = new Uint8Array(Math.max(total, Math.ceil(scratch.byteLength * 1.5)));
  const out = scratch.subarray(0, total);
  out.set(schema, 0);
  out.set(recordBatch, schema.byteLength);
  // Buffers are 8-byte aligned in the body; the padding between them is zeroed, not left from the last file.
  let end = bodyStart;
  body.buffers.forEach((buffer, i) => {
    const start = bodyStart + body.bufferRegions[i]!.offset;
    out.fill(0, end, start);
    out.set(new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength), start);
    end = start + buffer.byteLength;
  });
  out.fill(0, end, total);
  // End of stream: the continuation marker and a zero-length message.
  new DataView(out.buffer, out.byteOffset + total - 8, 8).setInt32(0, -1, true);
  return out;
}

/** A message's flatbuffer behind the continuation marker and its length, padded to 8 bytes. */
function framedMessage(message: Message): Uint8Array {
  const flatbuffer = Message.encode(message);
  const size = (8 + flatbuffer.byteLength + 7) & ~7;
  const framed = new Uint8Array(size);
  const view = new DataView(framed.buffer);
  view.setInt32(0, -1, true);
  view.setInt32(4, size - 8, true);
  framed.set(flatbuffer, 8);
  return framed;
}
