import * as path from "node:path";
import { Worker } from "node:worker_threads";
import type { TableSpec } from "../../../components/spec/schema";
import { controlHash } from "../control";
import type { ConvertOptions, ConvertResult } from "./convert";
import type { CsvHeader } from "./read-csv";
import { DEFAULT_BATCH_BYTES, DEFAULT_BATCH_ROWS } from "./run";
import { segments, type Segment } from "./segments";
import { byteLines, InputError, inputInfo } from "./text";
import {
  segmentPart,
  WORKER_FLAG,
  type FromWorker,
  type SegmentBytes,
  type Start,
  type ToWorker,
  type WorkerOptions,
} from "./worker";

/**
 * The worker threads, kept for the next conversion (a warm Lambda container converts many files: a thread and
 * its parquet-wasm instance cost tens of ms to start); unreferenced while idle, so they never keep a process
 * alive. A conversion that fails terminates them (a thread's state may be anything then).
 */
const pool: Worker[] = [];
const listeners = new Map<
  number,
  { receive: (message: FromWorker) => void; fail: (error: unknown) => void }
>();
let sessions = 0;

function workersFor(count: number): Worker[] {
  while (pool.length < count) {
    const worker = startWorker();
    const index = pool.length;
    worker.on("message", (message: FromWorker) => listeners.get(message.session)?.receive(message));
    worker.on("error", (error) => dropPool(error));
    worker.on("exit", (code) =>
      dropPool(new Error(`converter worker ${index} stopped with exit code ${code}`)),
    );
    worker.unref();
    pool.push(worker);
  }
  return pool.slice(0, count);
}

/** Every conversion using the pool fails, and the threads are stopped. */
function dropPool(error: unknown): void {
  const workers = pool.splice(0);
  for (const worker of workers) void worker.removeAllListeners("exit").terminate();
  for (const listener of [...listeners.values()]) listener.fail(error);
}

/** Segments handed to the workers and not yet written back, per worker: one being read, one waiting. */
const IN_FLIGHT_PER_WORKER = 2;

interface SegmentState {
  worker: number;
  /** Sent with its start (base, prefix), or sent one later. */
  started: boolean;
  /** The read whose report counts: 1 once a start with a prefix made the worker read it again. */
  attempt: number;
  parsed?: Extract<FromWorker, { type: "parsed" }>;
  done?: Extract<FromWorker, { type: "done" }>;
  /** Its files written to the sink. */
  written: boolean;
  outputs: string[];
  quarantine: string[];
}

/**
 * `convert` with worker threads (as seed 001's Go converter uses its cores): this thread gunzips, decodes and
 * cuts the input into segments of whole lines (segments.ts); `workers` threads read them into typed columns
 * and encode the Parquet (worker.ts); this thread writes what they return. The result is the one-thread
 * converter's, row for row: the same rows with the same `_source_row` (the record's ordinal in the file), the
 * same quarantine entries with the same lines and reasons, the same counts; only the files differ: one per
 * segment and batch (`part-<hash>-<segment>-<batch>`), named by their place in the input, so a retry writes the
 * same keys whatever thread read what.
 */
export async function convertWithWorkers(options: ConvertOptions, workers: number): Promise<ConvertResult> {
  const info = inputInfo();
  const batchRows = options.batchRows ?? DEFAULT_BATCH_ROWS;
  const batchBytes = options.batchBytes ?? DEFAULT_BATCH_BYTES;
  const csv = options.table.format === "csv";
  const hash = controlHash(options.controlId);
  const states: SegmentState[] = [];
  const slots = new Array<number>(workers).fill(0);
  let threads: Worker[] = [];
  const session = ++sessions;
  // bases[i]: rows and lines before segment i, once every segment before it is confirmed.
  const bases: { rows: number; lines: number }[] = [{ rows: 0, lines: 0 }];
  const opens: (SegmentBytes | undefined)[] = [];
  let confirmed = 0;
  let header: CsvHeader | undefined;
  let failure: { error: unknown } | undefined;
  let wake: () => void = () => undefined;
  let changed = new Promise<void>((resolve) => (wake = resolve));
  const signal = () => {
    wake();
    changed = new Promise<void>((resolve) => (wake = resolve));
  };
  const until = async (ready: () => boolean): Promise<void> => {
    for (;;) {
      if (failure) throw failure.error;
      if (ready()) return;
      await changed;
    }
  };
  const fail = (error: unknown) => {
    failure ??= { error };
    signal();
  };
  let writing: Promise<void> = Promise.resolve();

  const startOf = (seg: number): Start => {
    const prefix = seg > 0 ? opens[seg - 1] : undefined;
    return prefix ? { base: bases[seg]!, prefix } : { base: bases[seg]! };
  };
  const post = (worker: number, message: DistributiveOmit<ToWorker, "session">, transfer: ArrayBuffer[]) =>
    threads[worker]!.postMessage({ ...message, session }, transfer);
  // Confirms segments in order as their reports come in; sends each next one its start.
  const advance = () => {
    while (confirmed < states.length) {
      const state = states[confirmed]!;
      if (!state.started) {
        const start = startOf(confirmed);
        state.started = true;
        if (start.prefix) {
          // A report of the read made without it (received already) no longer counts.
          state.attempt = 1;
          state.parsed = undefined;
        }
        post(
          state.worker,
          { type: "start", seg: confirmed, ...start },
          start.prefix ? [start.prefix.bytes] : [],
        );
      }
      if (!state.parsed) return;
      const { rows, lines, open } = state.parsed;
      const base = bases[confirmed]!;
      bases[confirmed + 1] = { rows: base.rows + rows, lines: base.lines + lines };
      opens[confirmed] = open;
      header ??= state.parsed.header;
      confirmed++;
      signal();
    }
  };
  const receive = (message: FromWorker) => {
    const state = states[message.seg]!;
    if (message.type === "header") header ??= message.header;
    else if (message.type === "parsed") {
      if (message.attempt === state.attempt) state.parsed = message;
      advance();
    } else {
      state.done = message;
      writing = writing.then(async () => {
        for (const file of message.files) {
          await options.sink.put(file.key, file.body, file.contentType);
          const described = options.sink.describe(file.key);
          (file.key.endsWith(".jsonl") ? state.quarantine : state.outputs).push(described);
        }
        state.written = true;
        slots[state.worker]!--;
      });
      writing.catch(fail);
      writing.then(signal, () => undefined);
    }
    signal();
  };
  const spawn = () => {
    listeners.set(session, { receive, fail });
    threads = workersFor(workers);
    for (const worker of threads) {
      worker.ref();
      worker.postMessage({ type: "open", session, options: workerOptions(options) } satisfies ToWorker);
    }
  };

  let inputError: string | undefined;
  const cuts = segments(
    byteLines(options.source, { maxRecordBytes: options.maxRecordBytes, info }),
    batchRows,
    batchBytes,
  );
  const read = async (): Promise<Segment | undefined> => {
    try {
      const next = await cuts.next();
      return next.done ? undefined : next.value;
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      inputError = error.message;
      return undefined;
    }
  };

  try {
    let segment = await read();
    for (let seg = 0; segment; seg++) {
      // One segment ahead, to know whether this one is the last.
      const following = await read();
      if (threads.length === 0) spawn();
      await until(() => Math.min(...slots) < IN_FLIGHT_PER_WORKER);
      // A CSV segment needs the header (read by segment 0, usually within its first lines).
      if (csv && seg > 0) await until(() => header !== undefined || confirmed === seg);
      const worker = slots.indexOf(Math.min(...slots));
      slots[worker]!++;
      const start = confirmed === seg ? startOf(seg) : undefined;
      states.push({
        worker,
        started: start !== undefined,
        attempt: 0,
        written: false,
        outputs: [],
        quarantine: [],
      });
      const message: DistributiveOmit<ToWorker, "session"> = {
        type: "segment",
        seg,
        bytes: segment.bytes,
        chunks: segment.chunks,
        header,
        final: following === undefined,
        start,
      };
      post(worker, message, [segment.bytes, ...(start?.prefix ? [start.prefix.bytes] : [])]);
      advance();
      segment = following;
    }
    await until(() => states.every((s) => s.written));
    await writing;
  } catch (error) {
    // Workers may still hold this conversion's segments: stop them rather than let them run on.
    if (threads.length > 0) dropPool(error);
    throw error;
  } finally {
    listeners.delete(session);
    for (const worker of threads.filter((t) => pool.includes(t))) {
      worker.postMessage({ type: "close", session } satisfies ToWorker);
      worker.unref();
    }
  }
  return result(options, states, bases[states.length] ?? bases[0]!, inputError, hash, info, header);
}

async function finish(
  options: ConvertOptions,
  states: readonly SegmentState[],
  base: { rows: number; lines: number },
  inputError: string | undefined,
  hash: string,
): Promise<string | undefined> {
  if (inputError === undefined) return undefined;
  // The input broke off: its unread rest is one quarantined record after the last line (as `inputFailed`).
  const key = `_quarantine/${options.table.name}/ingest_date=${options.ingestedAt.toISOString().slice(0, 10)}/${segmentPart(hash, states.length, 0)}.jsonl`;
  const entry = JSON.stringify({ line: base.lines + 1, reason: inputError, raw: "" });
  await options.sink.put(key, Buffer.from(entry + "\n"), "application/x-ndjson");
  return options.sink.describe(key);
}

async function result(
  options: ConvertOptions,
  states: readonly SegmentState[],
  base: { rows: number; lines: number },
  inputError: string | undefined,
  hash: string,
  info: ReturnType<typeof inputInfo>,
  header: CsvHeader | undefined,
): Promise<ConvertResult> {
  const failed = await finish(options, states, base, inputError, hash);
  const extra = failed === undefined ? 0 : 1;
  const sum = (pick: (done: Extract<FromWorker, { type: "done" }>) => number) =>
    states.reduce((total, s) => total + pick(s.done!), 0);
  const out: ConvertResult = {
    rowsIn: base.rows + extra,
    rowsWritten: sum((d) => d.rowsWritten),
    rowsQuarantined: sum((d) => d.rowsQuarantined) + extra,
    outputs: states.flatMap((s) => s.outputs),
    quarantine: [...states.flatMap((s) => s.quarantine), ...(failed === undefined ? [] : [failed])],
    batches: sum((d) => d.batches) + extra,
    maxBufferedRows: states.reduce((max, s) => Math.max(max, s.done!.maxBufferedRows), 0),
    input: info,
  };
  if (out.rowsIn === 0) {
    const headerSeen = header !== undefined || states.some((s) => s.done!.headerSeen);
    out.empty = info.textBytes === 0 ? "no-bytes" : headerSeen ? "header-only" : "blank-lines";
  }
  return out;
}

/**
 * A worker thread running worker.ts. From the sources (tsx, jest) that is worker.ts itself, through tsx's
 * loader; from a bundle (Lambda, Fargate, the benchmark) it is the bundle, which holds worker.ts and starts it
 * when `workerData` carries the flag (so a bundle's entry must not run its own work off the main thread).
 */
function startWorker(): Worker {
  const workerData = { [WORKER_FLAG]: true };
  if (__filename.endsWith(".ts"))
    return new Worker(path.join(__dirname, "worker.ts"), {
      workerData,
      execArgv: ["--require", require.resolve("tsx/cjs")],
    });
  return new Worker(__filename, { workerData });
}

function workerOptions(options: ConvertOptions): WorkerOptions {
  return {
    table: options.table satisfies TableSpec,
    controlId: options.controlId,
    ingestedAt: options.ingestedAt.toISOString(),
    batchRows: options.batchRows,
    batchBytes: options.batchBytes,
    maxPartitions: options.maxPartitions,
    fromBytes: options.fromBytes,
    maxRecordBytes: options.maxRecordBytes,
  };
}

type DistributiveOmit<T, K extends keyof T> = T extends unknown ? Omit<T, K> : never;
