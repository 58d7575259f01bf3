import { utf8 } from "./bytes";
import type { ConversionRun } from "./run";
import { byteLines, type ByteLines, type InputInfo } from "./text";

/**
 * The input's lines for the run's reader (see `byteLines`). A line over the maximum record size was skipped
 * unread: it is quarantined here, as one record with its line number and the reason. Its stand-in is a blank
 * line, which the readers count and pass over, so every later line keeps its number. The readers take chunks
 * one at a time, so when the stand-in arrives `run.lastLine` is the line before it.
 */
export function runLines(
  run: ConversionRun,
  source: AsyncIterable<Uint8Array>,
  info: InputInfo,
): AsyncGenerator<ByteLines> {
  return quarantineOversized(run, byteLines(source, { maxRecordBytes: run.options.maxRecordBytes, info }));
}

/**
 * The chunks, each line over the maximum record size quarantined as it arrives (see `runLines`) unless it was
 * `counted` already: a worker re-reading the lines of a record left open at the end of the segment before.
 */
export async function* quarantineOversized(
  run: ConversionRun,
  chunks: AsyncIterable<ByteLines>,
): AsyncGenerator<ByteLines> {
  for await (const chunk of chunks) {
    if (chunk.oversized && !chunk.oversized.counted) {
      run.counts.rowsIn++;
      const { head, reason } = chunk.oversized;
      run.quarantine(run.lastLine + 1, reason, utf8(head, 0, head.length));
    }
    yield chunk;
  }
}

/**
 * The input's chunks, counted: a reader asks for the next chunk once it is done with the last, so that is
 * where the batch is flushed when the bytes read since the last flush reach `batchBytes` (at most one chunk
 * over it: 1 MiB gunzipped, 64 KiB from a file or S3).
 */
export async function* metered(
  run: ConversionRun,
  chunks: AsyncIterable<ByteLines>,
): AsyncGenerator<ByteLines> {
  for await (const chunk of chunks) {
    run.bytesIn += chunk.bytes.length;
    yield chunk;
    run.bufferedBytes += chunk.bytes.length;
    if (run.bufferedBytes >= run.batchBytes) await run.flush();
  }
}
