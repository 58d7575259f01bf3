import { utf8 } from "./bytes";
import type { ConversionRun } from "./run";
import { byteLines, type ByteLines, type InputInfo } from "./text";

/**
 * The input's lines for the run's reader (see `byteLines`). A line over the maximum record size was skipped
 * unread: it is quarantined here, as one record with its line number and the reason. Its stand-in is a blank
 * line, which the readers count and pass over, so every later line keeps its number. The readers take chunks
 * one at a time, so when the stand-in arrives `run.lastLine` is the line before it.
 */
export async function* runLines(
  run: ConversionRun,
  source: AsyncIterable<Uint8Array>,
  info: InputInfo,
): AsyncGenerator<ByteLines> {
  for await (const chunk of byteLines(source, { maxRecordBytes: run.options.maxRecordBytes, info })) {
    if (chunk.oversized) {
      run.counts.rowsIn++;
      const { head, reason } = chunk.oversized;
      run.quarantine(run.lastLine + 1, reason, utf8(head, 0, head.length));
    }
    yield chunk;
  }
}
