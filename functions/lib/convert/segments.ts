import type { ByteLines } from "./text";

/**
 * The input cut into segments for the worker threads (workers.ts): runs of whole lines, each at most `maxLines`
 * lines and cut after the chunk that brings it to `maxBytes` — where the one-thread converter flushes a batch
 * on rows or bytes — so a worker reads a segment as one batch and seldom has to wait for the numbering of the
 * segments before it (see `SegmentHooks`). The chunks keep their boundaries and flags (`valid`, `oversized`,
 * `lineEnding`), so a worker's readers see exactly the chunks the one-thread readers see, only fewer at a time.
 * A segment's bytes are copied into one ArrayBuffer, which is transferred to the worker, not cloned.
 */
export interface Segment {
  bytes: ArrayBuffer;
  chunks: SegmentChunk[];
  /** Physical lines in the segment (LFs: every chunk ends with one). */
  lines: number;
}

/** One chunk of a segment: its end in the segment's bytes and the flags of the ByteLines it came from. */
export interface SegmentChunk {
  end: number;
  valid: boolean;
  lineEnding?: "lf" | "cr";
  oversized?: { reason: string; bytes: number; head: Uint8Array; counted?: boolean };
}

const LF = 10;

export async function* segments(
  chunks: AsyncIterable<ByteLines>,
  maxLines: number,
  maxBytes: number,
): AsyncGenerator<Segment> {
  let parts: ByteLines[] = [];
  let bytes = 0;
  let lines = 0;
  const cut = (): Segment => {
    const segment = { ...pack(parts, bytes), lines };
    parts = [];
    bytes = 0;
    lines = 0;
    return segment;
  };
  try {
    for await (const chunk of chunks) {
      let rest: ByteLines | undefined = chunk;
      while (rest) {
        let piece: ByteLines = rest;
        rest = undefined;
        const n = piece.oversized ? 1 : countLines(piece.bytes, maxLines - lines + 1);
        if (lines + n > maxLines) {
          // Split at the end of the line that fills the segment; the rest starts the next one.
          const at = lineEnd(piece.bytes, maxLines - lines);
          rest = { ...piece, bytes: piece.bytes.subarray(at) };
          piece = { ...piece, bytes: piece.bytes.subarray(0, at) };
          lines = maxLines;
        } else lines += n;
        parts.push(piece);
        bytes += piece.bytes.length;
        if (lines >= maxLines || bytes >= maxBytes) yield cut();
      }
    }
  } catch (error) {
    // The input broke off (InputError): the lines before the break are delivered first, as the one thread does.
    if (parts.length > 0) yield cut();
    throw error;
  }
  if (parts.length > 0) yield cut();
}

function pack(parts: ByteLines[], total: number): { bytes: ArrayBuffer; chunks: SegmentChunk[] } {
  const bytes = new Uint8Array(total);
  const chunks: SegmentChunk[] = [];
  let at = 0;
  for (const part of parts) {
    bytes.set(part.bytes, at);
    at += part.bytes.length;
    const chunk: SegmentChunk = { end: at, valid: part.valid, lineEnding: part.lineEnding };
    if (part.oversized) {
      const { reason, bytes: length, head } = part.oversized;
      chunk.oversized = {
        reason,
        bytes: length,
        head: new Uint8Array(head),
        counted: part.oversized.counted,
      };
    }
    chunks.push(chunk);
  }
  return { bytes: bytes.buffer, chunks };
}

/** The LFs in `bytes`, counted up to `limit` (memchr per line: ~20 ms for a million lines). */
function countLines(bytes: Buffer, limit: number): number {
  let n = 0;
  for (let p = bytes.indexOf(LF); p !== -1 && n < limit; p = bytes.indexOf(LF, p + 1)) n++;
  return n;
}

/** Just past the `n`-th LF. */
function lineEnd(bytes: Buffer, n: number): number {
  let p = -1;
  for (let k = 0; k < n; k++) p = bytes.indexOf(LF, p + 1);
  return p + 1;
}

/** A segment's chunks as the readers take them (views of its bytes), from `from` (chunk, offset) on. */
export function segmentLines(
  segment: { bytes: ArrayBuffer; chunks: readonly SegmentChunk[] },
  from = { chunk: 0, offset: 0 },
): ByteLines[] {
  const all = Buffer.from(segment.bytes);
  const out: ByteLines[] = [];
  let start = 0;
  segment.chunks.forEach((chunk, i) => {
    if (i >= from.chunk) {
      const offset = i === from.chunk ? from.offset : 0;
      out.push({
        bytes: all.subarray(start + offset, chunk.end),
        valid: chunk.valid,
        lineEnding: chunk.lineEnding,
        oversized: chunk.oversized && { ...chunk.oversized, head: Buffer.from(chunk.oversized.head) },
      });
    }
    start = chunk.end;
  });
  return out;
}

/** The chunks from `from` on as a new segment (a record left open, handed to the next segment), counted. */
export function tail(
  segment: { bytes: ArrayBuffer; chunks: readonly SegmentChunk[] },
  from: { chunk: number; offset: number },
): { bytes: ArrayBuffer; chunks: SegmentChunk[] } {
  // Its long lines were quarantined by the segment they came in: the next one must not count them again.
  const parts = segmentLines(segment, from).map((l) => ({
    ...l,
    oversized: l.oversized && { ...l.oversized, counted: true },
  }));
  return pack(
    parts,
    parts.reduce((sum, p) => sum + p.bytes.length, 0),
  );
}
