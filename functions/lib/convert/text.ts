import { isUtf8 } from "node:buffer";
import { ByteSource, gunzipMembers, InputError } from "./gunzip";

export { InputError };

/** One physical line of the input (1-based number), without its line ending. */
export interface Line {
  line: number;
  text: string;
}

/**
 * Whole lines of the input as UTF-8 bytes: every chunk ends with a newline (LF; the last line gets one if it
 * had none). A line may still end in CRLF: readers drop the CR before the LF.
 */
export interface ByteLines {
  bytes: Buffer;
  /** The chunk is valid UTF-8, so its fields can be copied as bytes; otherwise lines are decoded with U+FFFD. */
  valid: boolean;
  /**
   * Set on a line longer than the maximum record size: it was skipped, not buffered, and `bytes` is a blank
   * line standing in for it (so line numbers still count it). The caller quarantines it with `reason`.
   */
  oversized?: { reason: string; bytes: number; head: Buffer; counted?: boolean };
  /**
   * The input's line ending (see `byteLines`). "cr": its lone CRs were rewritten to the LFs that end lines in
   * `bytes`, so a reader that keeps a line break inside a quoted field should write it back as CR.
   */
  lineEnding?: "lf" | "cr";
}

/** @default 8 MiB: a CSV or JSON record longer than this is quarantined unread. */
export const DEFAULT_MAX_RECORD_BYTES = 8 * 1024 * 1024;

export interface ByteLinesOptions {
  /** A line longer than this (bytes of UTF-8, without its line ending) is skipped and reported. @default 8 MiB */
  maxRecordBytes?: number;
  /** Filled in while the input is read: what it turned out to be. */
  info?: InputInfo;
}

/** What the input was, as read. An input with `textBytes: 0` was empty (or held only a byte-order mark). */
export interface InputInfo {
  /** Bytes read from the source (compressed, for gzip). */
  sourceBytes: number;
  gzip: boolean;
  /** Gzip members decoded (`cat a.gz b.gz` makes two). */
  gzipMembers: number;
  /** By its byte-order mark: UTF-16 is decoded to UTF-8; anything else is read as UTF-8. */
  encoding: "utf-8" | "utf-16le" | "utf-16be";
  /** "cr" when the first 64 KiB of text hold a CR and no LF (old Mac files): then CR, LF and CRLF end lines. */
  lineEnding: "lf" | "cr";
  /** Bytes of text (UTF-8, without the byte-order mark): 0 for an empty input. */
  textBytes: number;
  /** Lines longer than the maximum record size, skipped. */
  oversizedLines: number;
}

/** An InputInfo before anything was read. */
export function inputInfo(): InputInfo {
  return {
    sourceBytes: 0,
    gzip: false,
    gzipMembers: 0,
    encoding: "utf-8",
    lineEnding: "lf",
    textBytes: 0,
    oversizedLines: 0,
  };
}

const NEWLINE = Buffer.from("\n");
const LF = 10;
const CR = 13;
/** How much text decides the line ending: a CR and no LF in it is a CR-only file. */
const LINE_ENDING_WINDOW = 64 * 1024;
/** How much of a skipped line is kept for its quarantine entry (the same as the quarantine's raw limit). */
const OVERSIZED_HEAD_BYTES = 64 * 1024;

/**
 * Streams the input as chunks of whole lines of UTF-8: gunzips when it starts with the gzip magic bytes (every
 * member), strips a UTF-8 byte-order mark and decodes UTF-16 by its byte-order mark, turns a CR-only file's
 * line endings into LF, and checks each chunk's UTF-8 (natively, simdutf). Lines are never split across
 * chunks, and a newline cannot be part of a multi-byte sequence, so a line decodes the same from its chunk as
 * from the whole text. A line begun in one chunk is assembled once, in linear time; a line longer than
 * `maxRecordBytes` is not buffered at all but skipped to its newline and yielded as `oversized`.
 *
 * Line endings: a file whose first 64 KiB of text hold a CR and no LF ends its lines with CR (RFC 4180 allows
 * only CRLF, but old Mac programs write CR), and then a CR, an LF or a CRLF each end a line — a line break in
 * a quoted CSV field of such a file is therefore a line break, which the CSV reader joins back (as CR, by
 * `ByteLines.lineEnding`; DuckDB's sniffer reads such a file with new line `\r` and keeps a quoted CR). In any
 * other file only LF ends a line (a CR before it belongs to the CRLF), and a lone CR is data.
 *
 * Errors: a truncated or corrupt gzip, or data after its last member, is an InputError after every line
 * decoded before it; an error of the source stream itself propagates as it is.
 */
export async function* byteLines(
  source: AsyncIterable<Uint8Array>,
  options: ByteLinesOptions = {},
): AsyncGenerator<ByteLines> {
  const info = options.info ?? inputInfo();
  const max = options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
  if (!Number.isSafeInteger(max) || max < 1)
    throw new RangeError(`maxRecordBytes must be a positive integer: ${max}`);
  const input = new ByteSource(source);
  try {
    // Peeked until there are two bytes, whatever the source's chunk sizes.
    const head = await input.peek(2);
    info.gzip = head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
    const bytes = info.gzip ? gunzipMembers(input, () => info.gzipMembers++) : rest(input);
    yield* wholeLines(lineEndings(decodeText(bytes, info), info), max, info);
  } finally {
    info.sourceBytes = input.offset;
    await input.close();
  }
}

async function* rest(input: ByteSource): AsyncGenerator<Buffer> {
  for (let chunk = await input.next(); chunk; chunk = await input.next()) yield chunk;
}

/** The text as UTF-8: a UTF-8 byte-order mark stripped, UTF-16 (by its byte-order mark) decoded. */
async function* decodeText(chunks: AsyncGenerator<Buffer>, info: InputInfo): AsyncGenerator<Buffer> {
  // The mark may arrive split across chunks of a byte or two.
  let head: Buffer = Buffer.alloc(0);
  while (head.length < 3) {
    const next = await chunks.next();
    if (next.done) break;
    head = head.length === 0 ? next.value : Buffer.concat([head, next.value]);
  }
  const start = bom(head, info);
  if (info.encoding === "utf-8") {
    if (start < head.length) yield head.subarray(start);
    yield* chunks;
    return;
  }
  // TextDecoder keeps a code unit or a surrogate pair split across chunks; an unpaired surrogate is U+FFFD.
  const decoder = new TextDecoder(info.encoding);
  yield Buffer.from(decoder.decode(head.subarray(start), { stream: true }));
  for await (const chunk of chunks) yield Buffer.from(decoder.decode(chunk, { stream: true }));
  yield Buffer.from(decoder.decode());
}

/** The byte-order mark's length at the start of `head`; sets the encoding it names. */
function bom(head: Buffer, info: InputInfo): number {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return 3;
  if (head[0] === 0xff && head[1] === 0xfe) info.encoding = "utf-16le";
  else if (head[0] === 0xfe && head[1] === 0xff) info.encoding = "utf-16be";
  return info.encoding === "utf-8" ? 0 : 2;
}

/** The text with LF line endings: a CR-only file's CRs become LFs (see `byteLines`); any other is unchanged. */
async function* lineEndings(chunks: AsyncIterable<Buffer>, info: InputInfo): AsyncGenerator<Buffer> {
  let held: Buffer[] = [];
  let heldBytes = 0;
  let sawCr = false;
  let mode: "lf" | "cr" | undefined;
  const cr = new CrEndings();
  for await (const chunk of chunks) {
    // An empty chunk would settle a CR held at the end of the previous one.
    if (chunk.length === 0) continue;
    if (mode === "lf") {
      yield chunk;
      continue;
    }
    if (mode === "cr") {
      yield cr.translate(chunk);
      continue;
    }
    // Decided by the first 64 KiB exactly, whatever the chunk sizes.
    const window = chunk.subarray(0, Math.max(0, LINE_ENDING_WINDOW - heldBytes));
    held.push(chunk);
    heldBytes += chunk.length;
    if (window.indexOf(LF) !== -1) mode = "lf";
    else {
      sawCr ||= window.indexOf(CR) !== -1;
      if (heldBytes < LINE_ENDING_WINDOW) continue;
      mode = sawCr ? "cr" : "lf";
    }
    info.lineEnding = mode;
    for (const h of held) yield mode === "cr" ? cr.translate(h) : h;
    held = [];
  }
  if (mode === undefined) {
    mode = info.lineEnding = sawCr ? "cr" : "lf";
    for (const h of held) yield mode === "cr" ? cr.translate(h) : h;
  }
  if (mode === "cr" && cr.held) yield NEWLINE;
}

/** Turns each lone CR into LF, across chunks (a CR ending one chunk waits for the next byte); CRLF stays. */
class CrEndings {
  held = false;

  translate(chunk: Buffer): Buffer {
    const prefix = this.held ? 1 : 0;
    const out = Buffer.allocUnsafe(prefix + chunk.length);
    if (this.held) out[0] = chunk[0] === LF ? CR : LF;
    chunk.copy(out, prefix);
    this.held = false;
    let end = out.length;
    for (let i = out.indexOf(CR, prefix); i !== -1; i = out.indexOf(CR, i + 1)) {
      if (i + 1 === end) {
        this.held = true;
        end--;
        break;
      }
      if (out[i + 1] !== LF) out[i] = LF;
    }
    return out.subarray(0, end);
  }
}

/** Chunks of whole lines (see `byteLines`), lines longer than `max` skipped and yielded as `oversized`. */
async function* wholeLines(
  chunks: AsyncIterable<Buffer>,
  max: number,
  info: InputInfo,
): AsyncGenerator<ByteLines> {
  // The line begun in earlier chunks, in pieces: joined once when its newline arrives (linear time).
  let parts: Buffer[] = [];
  let partsBytes = 0;
  // The line being skipped: its length so far and its first bytes.
  let skipped: { bytes: number; head: Buffer } | undefined;
  const skip = (bytes: number, pieces: Buffer[]) => {
    info.oversizedLines++;
    return { bytes, head: Buffer.concat(pieces, Math.min(OVERSIZED_HEAD_BYTES, bytes)) };
  };
  for await (const chunk of chunks) {
    if (chunk.length === 0) continue;
    info.textBytes += chunk.length;
    let from = 0;
    if (skipped || partsBytes > 0) {
      const newline = chunk.indexOf(LF);
      const end = newline === -1 ? chunk.length : newline;
      if (skipped) {
        skipped.bytes += end;
        const room = OVERSIZED_HEAD_BYTES - skipped.head.length;
        if (room > 0) skipped.head = Buffer.concat([skipped.head, chunk.subarray(0, Math.min(room, end))]);
      } else if (partsBytes + end > max) {
        skipped = skip(partsBytes + end, [...parts, chunk.subarray(0, end)]);
        parts = [];
        partsBytes = 0;
      } else if (newline === -1) {
        parts.push(chunk);
        partsBytes += chunk.length;
      }
      if (newline === -1) continue;
      from = newline + 1;
      if (skipped) yield oversized(skipped, max, info);
      else {
        parts.push(chunk.subarray(0, from));
        yield lines(Buffer.concat(parts, partsBytes + from), info);
      }
      skipped = undefined;
      parts = [];
      partsBytes = 0;
    }
    const last = chunk.lastIndexOf(LF);
    if (last >= from) {
      yield* completeLines(chunk.subarray(from, last + 1), max, info, (bytes, head) => skip(bytes, [head]));
      from = last + 1;
    }
    if (from < chunk.length) {
      const tail = chunk.subarray(from);
      if (tail.length > max) skipped = skip(tail.length, [tail]);
      else {
        // Copied, so that a short tail does not keep the whole chunk alive.
        parts = [Buffer.from(tail)];
        partsBytes = tail.length;
      }
    }
  }
  if (skipped) yield oversized(skipped, max, info);
  else if (partsBytes > 0) yield lines(Buffer.concat([...parts, NEWLINE]), info);
}

/** `block` (whole lines) as one chunk, or, when it may hold a line longer than `max`, split around such lines. */
function* completeLines(
  block: Buffer,
  max: number,
  info: InputInfo,
  skip: (bytes: number, head: Buffer) => { bytes: number; head: Buffer },
): Generator<ByteLines> {
  if (block.length <= max + 1) {
    yield lines(block, info);
    return;
  }
  let start = 0;
  for (let p = 0; p < block.length;) {
    const newline = block.indexOf(LF, p);
    if (newline - p > max) {
      if (p > start) yield lines(block.subarray(start, p), info);
      yield oversized(skip(newline - p, block.subarray(p, newline)), max, info);
      start = newline + 1;
    }
    p = newline + 1;
  }
  if (start < block.length) yield lines(block.subarray(start), info);
}

function lines(bytes: Buffer, info: InputInfo): ByteLines {
  return { bytes, valid: isUtf8(bytes), oversized: undefined, lineEnding: info.lineEnding };
}

function oversized(skipped: { bytes: number; head: Buffer }, max: number, info: InputInfo): ByteLines {
  const reason = `record exceeds ${size(max)} (a line of ${skipped.bytes} bytes, not read)`;
  return { bytes: NEWLINE, valid: true, oversized: { reason, ...skipped }, lineEnding: info.lineEnding };
}

/** A byte count as the reason words it: whole MiB as such. */
function size(bytes: number): string {
  const mib = bytes / (1024 * 1024);
  return Number.isInteger(mib) ? `${mib} MiB` : `${bytes} bytes`;
}
