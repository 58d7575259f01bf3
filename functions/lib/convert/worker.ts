import { isMainThread, parentPort, workerData, type MessagePort } from "node:worker_threads";
import type { TableSpec } from "../../../components/spec/schema";
import { controlHash } from "../control";
import type { ConvertOptions } from "./convert";
import { metered, quarantineOversized } from "./input";
import { readCsv, type CsvHeader } from "./read-csv";
import { readJson } from "./read-json";
import { ConversionRun } from "./run";
import { segmentLines, tail, type SegmentChunk } from "./segments";
import type { OutputSink } from "./sinks";
import type { ByteLines } from "./text";

/**
 * A converter worker thread (started by workers.ts): reads the segments it is given into typed columns and
 * encodes them as Parquet. It writes nothing itself: the files go back to the main thread, which holds the
 * sink. A segment is read with its rows and lines numbered from 1; the numbers of the first ones are only
 * known once every segment before it has been read, so the main thread sends them (`start`) and the worker
 * waits for them at its first flush. A CSV segment read before its predecessor's end was known assumed no
 * record was open across the cut; when one was, `start` carries that record's lines and the segment is read
 * again behind them (rare: a quoted field spanning lines exactly at a cut, or a quote out of step there).
 */

/** Marks a worker thread started to convert (a bundle starts itself: see workers.ts). */
export const WORKER_FLAG = "medallionConvertWorker";

/** What a worker needs of ConvertOptions (no source, no sink: those stay on the main thread). */
export type WorkerOptions = Omit<ConvertOptions, "source" | "sink" | "ingestedAt" | "workers" | "table"> & {
  table: unknown;
  ingestedAt: string;
};

export interface SegmentBytes {
  bytes: ArrayBuffer;
  chunks: SegmentChunk[];
}

export interface Start {
  base: { rows: number; lines: number };
  /** The lines of a record the previous segment left open: read first, in front of this segment's. */
  prefix?: SegmentBytes;
}

/** Every message names its conversion (`session`): a pool's workers serve one conversion after another. */
export type ToWorker =
  | { type: "open"; session: number; options: WorkerOptions }
  | { type: "close"; session: number }
  | ({
      type: "segment";
      session: number;
      seg: number;
      header?: CsvHeader;
      final: boolean;
      start?: Start;
    } & SegmentBytes)
  | ({ type: "start"; session: number; seg: number } & Start);

type SegmentMessage = Extract<ToWorker, { type: "segment" }>;

export interface OutputFile {
  key: string;
  body: Uint8Array;
  contentType: string;
}

export type FromWorker = { session: number } & (
  | { type: "header"; seg: number; header: CsvHeader }
  | {
      type: "parsed";
      seg: number;
      /** 0: read as dispatched; 1: read again behind the prefix `start` carried. */
      attempt: number;
      rows: number;
      lines: number;
      header?: CsvHeader;
      /** The record left open at the end (CSV, not the last segment), for the next segment. */
      open?: SegmentBytes;
    }
  | {
      type: "done";
      seg: number;
      files: OutputFile[];
      rowsWritten: number;
      rowsQuarantined: number;
      batches: number;
      maxBufferedRows: number;
      headerSeen: boolean;
    }
);

/** The part name of a segment's batch: within the 10 characters run.ts's key-length budget allows for it. */
export function segmentPart(hash: string, seg: number, batch: number): string {
  return `part-${hash}-${String(seg).padStart(5, "0")}-${String(batch).padStart(4, "0")}`;
}

/** A read begun before its start was known must be done again behind the record the last segment left open. */
class Restart extends Error {}

/** Keeps the files a worker's run writes, for the main thread. */
class CollectingSink implements OutputSink {
  files: OutputFile[] = [];
  async put(key: string, body: Uint8Array, contentType: string): Promise<void> {
    this.files.push({ key, body, contentType });
  }
  describe(key: string): string {
    return key;
  }
}

/** One conversion's segments in this worker. */
class ConverterSession {
  private readonly options: ConvertOptions;
  private readonly hash: string;
  private readonly starts = new Map<number, Start>();
  private readonly waiting = new Map<number, (start: Start) => void>();
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly session: number,
    private readonly port: MessagePort,
    init: WorkerOptions,
  ) {
    this.options = {
      ...init,
      table: init.table as TableSpec,
      ingestedAt: new Date(init.ingestedAt),
      source: (async function* () {})(),
      sink: new CollectingSink(),
    };
    this.hash = controlHash(init.controlId);
  }

  private post(message: DistributiveOmit<FromWorker, "session">, transfer: ArrayBuffer[] = []): void {
    this.port.postMessage({ ...message, session: this.session }, transfer);
  }

  receive(message: Extract<ToWorker, { type: "segment" | "start" }>): void {
    if (message.type === "start") {
      this.starts.set(message.seg, message);
      this.waiting.get(message.seg)?.(message);
      return;
    }
    if (message.start) this.starts.set(message.seg, message.start);
    // One segment at a time, in the order received (lowest first: a segment only waits for lower ones).
    this.queue = this.queue.then(() => this.convert(message));
    this.queue.catch((error: unknown) => {
      // Surfaces as the Worker's "error" event on the main thread.
      setImmediate(() => {
        throw error;
      });
    });
  }

  private start(seg: number): Promise<Start> {
    const known = this.starts.get(seg);
    if (known) return Promise.resolve(known);
    return new Promise((resolve) => this.waiting.set(seg, resolve));
  }

  private async convert(segment: SegmentMessage): Promise<void> {
    // A start known at dispatch (with its prefix) is read as dispatched: no second attempt.
    const dispatched = this.starts.get(segment.seg);
    let prefix = dispatched?.prefix;
    for (let attempt = 0; ; attempt++) {
      const sink = new CollectingSink();
      const run = new ConversionRun(
        { ...this.options, sink },
        {
          base: async () => {
            const start = await this.start(segment.seg);
            if (attempt === 0 && !dispatched && start.prefix) throw new Restart();
            return start.base;
          },
          part: (batch) => segmentPart(this.hash, segment.seg, batch),
        },
      );
      const lines = [...(prefix ? segmentLines(prefix) : []), ...segmentLines(segment)];
      let parsed: Parsed;
      try {
        parsed = await this.read(run, segment, lines, attempt, prefix);
      } catch (error) {
        if (!(error instanceof Restart)) throw error;
        prefix = (await this.start(segment.seg)).prefix;
        continue;
      }
      this.post(parsed, parsed.open ? [parsed.open.bytes] : []);
      const start = await this.start(segment.seg);
      if (attempt === 0 && !dispatched && start.prefix) {
        prefix = start.prefix;
        continue;
      }
      await run.flush();
      this.starts.delete(segment.seg);
      this.waiting.delete(segment.seg);
      const files = sink.files.map((f) => ({ ...f, body: owned(f.body) }));
      const done: DistributiveOmit<FromWorker, "session"> = {
        type: "done",
        seg: segment.seg,
        files,
        rowsWritten: run.counts.rowsWritten,
        rowsQuarantined: run.counts.rowsQuarantined,
        batches: run.result().batches,
        maxBufferedRows: run.counts.maxBufferedRows,
        headerSeen: run.headerSeen,
      };
      this.post(
        done,
        files.map((f) => f.body.buffer as ArrayBuffer),
      );
      return;
    }
  }

  /** Reads the segment's lines (behind the prefix, if any) into the run's buffers; what the main thread needs. */
  private async read(
    run: ConversionRun,
    segment: SegmentMessage,
    lines: ByteLines[],
    attempt: number,
    prefix: SegmentBytes | undefined,
  ): Promise<Parsed> {
    const chunks = metered(run, quarantineOversized(run, iterate(lines)));
    if (this.options.table.format !== "csv") {
      await readJson(run, chunks);
      return { type: "parsed", seg: segment.seg, attempt, rows: run.counts.rowsIn, lines: run.lastLine };
    }
    const end = await readCsv(run, chunks, {
      header: segment.header,
      final: segment.final,
      // Known whenever the header is not: such a segment is only sent with its start (workers.ts).
      lineBase: this.starts.get(segment.seg)?.base.lines,
      onHeader: (header) => this.post({ type: "header", seg: segment.seg, header }),
    });
    const parsed: Parsed = {
      type: "parsed",
      seg: segment.seg,
      attempt,
      rows: run.counts.rowsIn,
      lines: end.open ? end.open.line - 1 : run.lastLine,
      header: end.header,
    };
    if (end.open) {
      // The open record's lines, from wherever they start: the prefix's chunks come first in `lines`.
      const prefixChunks = prefix?.chunks.length ?? 0;
      // Offsets are within the chunk (every chunk of `lines` is a whole chunk of the prefix or the segment).
      const inPrefix = end.open.chunk < prefixChunks;
      const open = tail(inPrefix ? prefix! : segment, {
        chunk: inPrefix ? end.open.chunk : end.open.chunk - prefixChunks,
        offset: end.open.offset,
      });
      parsed.open = inPrefix ? joinSegments(open, tail(segment, { chunk: 0, offset: 0 })) : open;
    }
    return parsed;
  }
}

async function* iterate(lines: ByteLines[]): AsyncGenerator<ByteLines> {
  yield* lines;
}

/** Two segments' chunks as one. */
function joinSegments(a: SegmentBytes, b: SegmentBytes): SegmentBytes {
  const bytes = new Uint8Array(a.bytes.byteLength + b.bytes.byteLength);
  bytes.set(new Uint8Array(a.bytes), 0);
  bytes.set(new Uint8Array(b.bytes), a.bytes.byteLength);
  const shift = a.bytes.byteLength;
  return {
    bytes: bytes.buffer,
    chunks: [...a.chunks, ...b.chunks.map((c) => ({ ...c, end: c.end + shift }))],
  };
}

/** A body that owns its whole ArrayBuffer, so it can be transferred (a pooled Buffer's slice cannot). */
function owned(body: Uint8Array): Uint8Array {
  return body.byteOffset === 0 &&
    body.byteLength === body.buffer.byteLength &&
    body.buffer instanceof ArrayBuffer
    ? body
    : new Uint8Array(body);
}

type DistributiveOmit<T, K extends keyof T> = T extends unknown ? Omit<T, K> : never;
type Parsed = DistributiveOmit<Extract<FromWorker, { type: "parsed" }>, "session">;

/** Routes each message to its conversion's session. */
function serve(port: MessagePort): void {
  const sessions = new Map<number, ConverterSession>();
  port.on("message", (message: ToWorker) => {
    if (message.type === "open")
      sessions.set(message.session, new ConverterSession(message.session, port, message.options));
    else if (message.type === "close") sessions.delete(message.session);
    else sessions.get(message.session)?.receive(message);
  });
}

if (!isMainThread && (workerData as Record<string, unknown> | null)?.[WORKER_FLAG]) serve(parentPort!);
