import { createInflateRaw, crc32, type InflateRaw } from "node:zlib";

/**
 * The input could not be read to its end (truncated or corrupt gzip, or data after the last gzip member); the
 * lines before it were delivered. Only data errors are InputErrors: an error of the source stream itself
 * (a reset connection, a timeout) is rethrown as it is, so the caller can retry.
 */
export class InputError extends Error {}

/**
 * zlib's default 16 KiB output chunks cost a JavaScript round trip each: 1 MiB chunks gunzip the benchmark's
 * 200 MB in ~0.32 CPU s instead of ~0.37 (256 KiB) or ~0.8 (16 KiB).
 */
const GUNZIP_CHUNK_BYTES = 1024 * 1024;
/** RFC 1952 §2.3.1: FLG bits. */
const FHCRC = 2;
const FEXTRA = 4;
const FNAME = 8;
const FCOMMENT = 16;
const FRESERVED = 0xe0;
/** A header's FNAME or FCOMMENT longer than this is not a gzip header. */
const MAX_HEADER_BYTES = 1024 * 1024;

/** A byte stream read ahead as needed: the gzip framing looks at a few bytes before deciding. */
export class ByteSource {
  /** Bytes consumed so far: the offset in the source of what `next()` returns next. */
  offset = 0;
  private pending: Buffer[] = [];
  private readonly iterator: AsyncIterator<Uint8Array>;
  private done = false;

  constructor(source: AsyncIterable<Uint8Array>) {
    this.iterator = source[Symbol.asyncIterator]();
  }

  /** The next chunk, consumed (undefined at the end). Errors of the source propagate as they are. */
  async next(): Promise<Buffer | undefined> {
    const chunk = this.pending.shift() ?? (await this.pull());
    if (chunk) this.offset += chunk.length;
    return chunk;
  }

  /** At least `n` bytes from the current position (fewer only at the end), not consumed. */
  async peek(n: number): Promise<Buffer> {
    let length = this.pending.reduce((sum, b) => sum + b.length, 0);
    while (length < n) {
      const chunk = await this.pull();
      if (!chunk) break;
      this.pending.push(chunk);
      length += chunk.length;
    }
    if (this.pending.length > 1) this.pending = [Buffer.concat(this.pending)];
    return this.pending[0] ?? Buffer.alloc(0);
  }

  /** Consumes `n` bytes that `peek` returned. */
  skip(n: number): void {
    this.pending[0] = this.pending[0]!.subarray(n);
    this.offset += n;
  }

  /** Puts the end of the last chunk `next()` returned back, unconsumed. */
  unread(bytes: Buffer): void {
    if (bytes.length === 0) return;
    this.pending.unshift(bytes);
    this.offset -= bytes.length;
  }

  /** Stops reading: the source is told (an S3 body closes its connection). */
  async close(): Promise<void> {
    if (!this.done) {
      this.done = true;
      await this.iterator.return?.();
    }
  }

  private async pull(): Promise<Buffer | undefined> {
    if (this.done) return undefined;
    const { done, value } = await this.iterator.next();
    if (done) {
      this.done = true;
      return undefined;
    }
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  }
}

/**
 * Gunzips every member of the input in turn (`cat a.gz b.gz` is one gzip file, as gzip(1) reads it), each
 * member's CRC-32 and length checked as zlib's gunzip checks them. Each member is inflated raw, so its end is
 * known exactly: everything decoded before a problem is delivered, then an InputError names the byte offset
 * (Node's gunzip drops the last output chunk of a write that meets trailing garbage: 20 rows became 0).
 * Zero bytes after the last member are padding and ignored, as Node's gunzip and gzip(1) ignore them
 * (nodejs/node#5120 added the member loop, #5883 the padding rule; other trailing data fails its write).
 */
export async function* gunzipMembers(input: ByteSource, onMember?: () => void): AsyncGenerator<Buffer> {
  for (let member = 0; ; member++) {
    const start = input.offset;
    const head = await input.peek(2);
    if (head.length === 0) return;
    if (member > 0 && !(head[0] === 0x1f && head[1] === 0x8b)) {
      if (await onlyZeros(input)) return;
      throw new InputError(
        `gzip input has data that is not gzip after its last complete member, at byte ${start}`,
      );
    }
    await skipHeader(input, start);
    let crc = 0;
    let size = 0;
    for await (const out of inflateMember(input, start)) {
      crc = crc32(out, crc);
      size += out.length;
      yield out;
    }
    const trailer = await input.peek(8);
    if (trailer.length < 8) throw new InputError(`gzip input is truncated (member at byte ${start})`);
    if (trailer.readUInt32LE(0) !== crc >>> 0 || trailer.readUInt32LE(4) !== size % 2 ** 32) {
      throw new InputError(`gzip input is corrupt: incorrect data check (member at byte ${start})`);
    }
    input.skip(8);
    onMember?.();
  }
}

/** Consumes an RFC 1952 member header at `start`, or throws the InputError zlib would raise. */
async function skipHeader(input: ByteSource, start: number): Promise<void> {
  let bytes = await input.peek(10);
  const fail = (why: string) => new InputError(`gzip input is corrupt: ${why} (member at byte ${start})`);
  if (bytes.length < 10) throw new InputError(`gzip input is truncated (member at byte ${start})`);
  if (bytes[2] !== 8) throw fail("unknown compression method");
  const flags = bytes[3]!;
  if (flags & FRESERVED) throw fail("unknown header flags set");
  let at = 10;
  const need = async (n: number): Promise<void> => {
    if (bytes.length < n) bytes = await input.peek(n);
    if (bytes.length < n) throw new InputError(`gzip input is truncated (member at byte ${start})`);
  };
  if (flags & FEXTRA) {
    await need(at + 2);
    at += 2 + bytes.readUInt16LE(at);
  }
  for (const flag of [FNAME, FCOMMENT]) {
    if (!(flags & flag)) continue;
    for (;;) {
      await need(at + 1);
      const zero = bytes.indexOf(0, at);
      if (zero !== -1) {
        at = zero + 1;
        break;
      }
      if (bytes.length > MAX_HEADER_BYTES) throw fail("header name or comment too long");
      await need(bytes.length + 1);
    }
  }
  if (flags & FHCRC) {
    // The low 16 bits of the CRC-32 of the header before it, checked as zlib checks it.
    await need(at + 2);
    if (bytes.readUInt16LE(at) !== (crc32(bytes.subarray(0, at)) & 0xffff)) throw fail("header crc mismatch");
    at += 2;
  }
  await need(at);
  input.skip(at);
}

/**
 * Inflates one member's deflate data and puts back what follows it. The input is fed as fast as zlib takes it
 * (on libuv's thread pool, ahead of the caller, as `pipeline` would); raw inflate ends its readable side
 * where the deflate data ends and counts the bytes it consumed (`bytesWritten`), so the chunks fed past that
 * point are put back for the trailer and the next member. Errors of the source propagate as they are; zlib's
 * become InputErrors.
 */
async function* inflateMember(input: ByteSource, start: number): AsyncGenerator<Buffer> {
  const inflate: InflateRaw = createInflateRaw({ chunkSize: GUNZIP_CHUNK_BYTES });
  // Errors reach the reader through the iterator below; this keeps a late one from being unhandled.
  inflate.on("error", () => undefined);
  // The chunks pulled from the input that zlib may not have consumed yet, from `fedFrom` (member bytes).
  const fed: Buffer[] = [];
  let fedFrom = 0;
  let sourceError: { error: unknown } | undefined;
  const feeding = (async () => {
    try {
      while (!inflate.readableEnded && !inflate.destroyed) {
        const chunk = await input.next();
        if (!chunk) {
          if (!inflate.destroyed) inflate.end();
          return;
        }
        fed.push(chunk);
        while (fed.length > 1 && fedFrom + fed[0]!.length <= inflate.bytesWritten)
          fedFrom += fed.shift()!.length;
        if (inflate.readableEnded || inflate.destroyed) return;
        if (!inflate.write(chunk)) await settled(inflate, "drain");
      }
    } catch (error) {
      sourceError = { error };
      inflate.destroy();
    }
  })();
  try {
    for await (const out of inflate) yield out as Buffer;
  } catch (error) {
    await feeding;
    if (sourceError) throw sourceError.error;
    throw new InputError(
      `gzip input is truncated or corrupt: ${(error as Error).message} (member at byte ${start})`,
    );
  } finally {
    inflate.destroy();
  }
  await feeding;
  if (sourceError) throw sourceError.error;
  // Put back, in order, every byte fed past the end of the deflate data.
  let at = inflate.bytesWritten - fedFrom;
  const rest: Buffer[] = [];
  for (const chunk of fed) {
    if (at < chunk.length) rest.push(chunk.subarray(Math.max(0, at)));
    at -= chunk.length;
  }
  for (let i = rest.length - 1; i >= 0; i--) input.unread(rest[i]!);
}

/** Resolves on `event`, or once the stream has ended, closed or failed (nothing more will come). */
function settled(stream: InflateRaw, event: string): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      for (const e of [event, "end", "close", "error"]) stream.off(e, done);
      resolve();
    };
    for (const e of [event, "end", "close", "error"]) stream.on(e, done);
  });
}

/** Reads the rest of the input: true when it is all zero bytes (padding). */
async function onlyZeros(input: ByteSource): Promise<boolean> {
  for (let chunk = await input.next(); chunk; chunk = await input.next()) {
    for (let i = 0; i < chunk.length; i++) if (chunk[i] !== 0) return false;
  }
  return true;
}
