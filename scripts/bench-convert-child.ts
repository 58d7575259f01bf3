/**
 * One measurement for scripts/bench-convert.ts, in its own process so peak RSS is this job's alone:
 *   convert  <json|csv> <input.gz> <outdir> [workers]   the bronze converter (functions/lib/convert), with
 *                                                       `workers` worker threads (0: all on the main thread)
 *   duckdb   <json|csv> <input.gz> <outdir> [threads]   DuckDB, SET threads=N (1), COPY ... TO parquet (snappy)
 *   parse    <json|csv> <input.gz>                      gunzip + decode + line split + JSON.parse / CSV split only
 *   wide     <rows64k|line1g|partitions> - - [workers]  the memory cases of `--wide` (bench-convert-wide.ts)
 * Prints one JSON line `{ "rows", "ms": wall ms, "cpuMs": CPU ms (user + system, all threads), "threads":
 * [CPU ms of each thread, the main thread first] }` of the work alone (module loading excluded, for every mode
 * alike).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { isMainThread } from "node:worker_threads";
import { createGunzip } from "node:zlib";
import { convert } from "../functions/lib/convert/convert";
import { CsvRecords } from "../functions/lib/convert/csv";
import { DirectorySink } from "../functions/lib/convert/sinks";
import { benchTable, DUCKDB_COLUMNS, INGESTED_AT } from "./bench-convert-data";
import { runWide, sampleThreads, threadCpuMs } from "./bench-convert-wide";

async function main(): Promise<void> {
  const [mode, format, input, output, parallel] = process.argv.slice(2);
  const threadsBefore = threadCpuMs();
  const stopSampling = sampleThreads();
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  let rows: number;
  if (mode === "wide") {
    rows = await runWide(format!, Number(parallel ?? 0));
  } else if (format !== "json" && format !== "csv") {
    throw new Error(`format must be json or csv, got ${format}`);
  } else if (mode === "convert") {
    const result = await convert({
      table: benchTable(format),
      source: fs.createReadStream(input!, { highWaterMark: 1 << 20 }),
      sink: new DirectorySink(output!),
      controlId: `bench:${input}`,
      ingestedAt: INGESTED_AT,
      workers: Number(parallel ?? 0),
    });
    rows = result.rowsWritten;
    if (result.rowsQuarantined > 0) throw new Error(`${result.rowsQuarantined} rows quarantined`);
  } else if (mode === "duckdb") {
    rows = await duckdb(format, input!, output!, Number(parallel ?? 1));
  } else if (mode === "parse") {
    rows = await parseOnly(format, input!);
  } else {
    throw new Error(`unknown mode ${mode}`);
  }
  const cpu = process.cpuUsage(cpuBefore);
  const ms = performance.now() - started;
  stopSampling();
  const threadsAfter = threadCpuMs();
  // Threads that ended before the end (worker threads, terminated) are gone from /proc: their CPU is the rest.
  const threads = [...threadsAfter]
    .map(([tid, after]) => [tid, after - (threadsBefore.get(tid) ?? 0)] as const)
    .filter(([tid, ms]) => ms > 0 || tid === process.pid)
    .sort(([a, x], [b, y]) => (a === process.pid ? -1 : b === process.pid ? 1 : y - x))
    .map(([, ms]) => Math.round(ms));
  console.log(JSON.stringify({ rows, ms, cpuMs: (cpu.user + cpu.system) / 1000, threads }));
}

async function duckdb(
  format: "json" | "csv",
  input: string,
  output: string,
  threads: number,
): Promise<number> {
  fs.mkdirSync(output, { recursive: true });
  // Loaded only in this mode, so the converter's peak RSS does not include DuckDB.
  const { DuckDBInstance } = await import("@duckdb/node-api");
  const db = await DuckDBInstance.create(":memory:");
  const connection = await db.connect();
  await connection.run(`SET threads = ${threads}`);
  const columns = `{${Object.entries(DUCKDB_COLUMNS)
    .map(([name, type]) => `'${name}': '${type}'`)
    .join(", ")}}`;
  const reader =
    format === "json"
      ? `read_json('${input}', format = 'newline_delimited', columns = ${columns})`
      : `read_csv('${input}', header = true, columns = ${columns})`;
  const target = path.join(output, "duckdb.parquet");
  const result = await connection.runAndReadAll(
    `COPY (SELECT *, TIMESTAMPTZ '${INGESTED_AT.toISOString()}' AS _ingested_at FROM ${reader})
     TO '${target}' (FORMAT parquet, COMPRESSION snappy)`,
  );
  connection.closeSync();
  return Number(result.getRows()[0]?.[0] ?? 0);
}

async function parseOnly(format: "json" | "csv", input: string): Promise<number> {
  let rows = 0;
  let carry = "";
  const csv = new CsvRecords();
  let lineNo = 0;
  for await (const chunk of fs.createReadStream(input, { highWaterMark: 1 << 20 }).pipe(createGunzip())) {
    const parts = (carry + (chunk as Buffer).toString("utf8")).split("\n");
    carry = parts.pop()!;
    if (format === "json") {
      for (const line of parts) if (line) rows += JSON.parse(line) ? 1 : 0;
    } else {
      rows += csv.push(parts.map((text) => ({ line: ++lineNo, text }))).length;
    }
  }
  return format === "csv" ? rows - 1 : rows;
}

// The bundle is also what the converter's worker threads run (workers.ts): only the main thread measures.
if (isMainThread)
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
