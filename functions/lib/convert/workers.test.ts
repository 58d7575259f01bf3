import { gzipSync } from "node:zlib";
import { tableFromIPC } from "apache-arrow";
import fc from "fast-check";
import * as parquet from "parquet-wasm/node";
import type { TableSpec } from "../../../components/spec/schema";
import { generate, benchTable } from "../../../scripts/bench-convert-data";
import { document, header, jsonLine, MemorySink, tablesOf } from "../../test/convert-inputs";
import { chunks } from "../../test/fixtures";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { convert, type ConvertOptions } from "./convert";

/**
 * Worker threads (workers.ts) must give exactly the one-thread converter's result: the same counts, the same
 * rows in every partition in the same order with the same `_source_row`, the same quarantine entries (lines,
 * reasons, raw text) in the same order. Only the files' names and how rows are grouped into them may differ.
 */

type Options = Partial<Omit<ConvertOptions, "table" | "source" | "sink" | "controlId" | "ingestedAt">>;

async function run(table: TableSpec, input: Buffer, chunkSize: number, options: Options) {
  const sink = new MemorySink();
  const result = await convert({
    table,
    source: chunks(input, chunkSize),
    sink,
    controlId: "c",
    ingestedAt: new Date("2026-11-21T10:00:00Z"),
    ...options,
  });
  return { result, sink };
}

/** Every row of every Parquet file by partition directory, files in key order, as JSON-able values. */
function rowsByPartition(sink: MemorySink): Map<string, unknown[]> {
  const out = new Map<string, unknown[]>();
  for (const key of [...sink.files.keys()].sort()) {
    if (!key.endsWith(".parquet")) continue;
    const table = tableFromIPC(parquet.readParquet(sink.files.get(key)!).intoIPCStream());
    const partition = key.slice(0, key.lastIndexOf("/"));
    const rows = out.get(partition) ?? [];
    for (const row of table.toArray())
      rows.push(JSON.parse(JSON.stringify(row.toJSON(), (_, v) => (typeof v === "bigint" ? `${v}n` : v))));
    out.set(partition, rows);
  }
  return out;
}

/** The quarantine entries of every file, in key order. */
function quarantined(sink: MemorySink): unknown[] {
  return [...sink.files.keys()]
    .sort()
    .filter((key) => key.endsWith(".jsonl"))
    .flatMap((key) =>
      sink.files
        .get(key)!
        .toString()
        .split("\n")
        .filter((line) => line !== "")
        .map((line) => JSON.parse(line) as unknown),
    );
}

async function expectSameAsOneThread(
  table: TableSpec,
  input: Buffer,
  chunkSize: number,
  options: Options,
): Promise<void> {
  const one = await run(table, input, chunkSize, { ...options, workers: 0 });
  const two = await run(table, input, chunkSize, { ...options, workers: 2 });
  const counts = ({ rowsIn, rowsWritten, rowsQuarantined, empty, input }: typeof one.result) => ({
    rowsIn,
    rowsWritten,
    rowsQuarantined,
    empty,
    input,
  });
  expect(counts(two.result)).toEqual(counts(one.result));
  expect(two.result.maxBufferedRows).toBeLessThanOrEqual(options.batchRows ?? 20_000);
  expect(quarantined(two.sink)).toEqual(quarantined(one.sink));
  expect(rowsByPartition(two.sink)).toEqual(rowsByPartition(one.sink));
  expect(two.result.outputs).toHaveLength(
    [...two.sink.files.keys()].filter((k) => k.endsWith(".parquet")).length,
  );
}

/** How the input is damaged on top of its own damage: gzip with garbage after it or cut short, CR-only lines. */
const wrapping = fc.constantFrom("plain", "plain", "gzip", "gzip+garbage", "gzip-truncated", "cr");

function wrap(text: string, how: string): Buffer {
  if (how === "cr") return Buffer.from(text.replace(/\r?\n/g, "\r"));
  if (how === "plain") return Buffer.from(text);
  const gz = gzipSync(text);
  if (how === "gzip+garbage") return Buffer.concat([gz, Buffer.from("garbage")]);
  if (how === "gzip-truncated") return gz.subarray(0, Math.max(10, gz.length - 7));
  return gz;
}

/** Small batches and segments (a cut every few lines), small records (long lines skipped), few partitions. */
const limits = fc.record({
  batchRows: fc.constantFrom(1, 2, 3, 7, 100),
  batchBytes: fc.constantFrom(16, 100, 8 * 1024 * 1024),
  maxPartitions: fc.constantFrom(1, 3, 256),
  maxRecordBytes: fc.constantFrom(30, 200, 8 * 1024 * 1024),
});

describe("worker threads (property: the one-thread converter's rows, quarantine and counts)", () => {
  const csvTables = tablesOf("csv");
  for (const name of Object.keys(csvTables) as (keyof typeof csvTables)[]) {
    it(`CSV, ${name} table: generated and damaged files, records spanning cuts`, async () => {
      await fc.assert(
        fc.asyncProperty(
          document,
          fc.integer({ min: 1, max: 512 }),
          limits,
          wrapping,
          async ([lines, newline], size, options, how) => {
            const text = [header.join(","), ...lines].join(newline) + newline;
            await expectSameAsOneThread(csvTables[name], wrap(text, how), size, options);
          },
        ),
        { numRuns: 12 },
      );
    });
  }

  const jsonTables = tablesOf("json");
  for (const name of Object.keys(jsonTables) as (keyof typeof jsonTables)[]) {
    it(`JSON lines, ${name} table: generated and damaged files`, async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(jsonLine, { maxLength: 24 }),
          fc.constantFrom("\n", "\r\n"),
          fc.integer({ min: 1, max: 64 }),
          limits,
          wrapping,
          async (lines, newline, size, options, how) => {
            await expectSameAsOneThread(
              jsonTables[name],
              wrap(lines.join(newline) + newline, how),
              size,
              options,
            );
          },
        ),
        { numRuns: 12 },
      );
    });
  }

  it("a multi-line CSV header cut across segments, blank lines before it, and an empty file", async () => {
    const table = csvTables.plain;
    const quotedHeader = header.map((h, i) => (i === 1 ? `"${h}"` : h)).join(",");
    for (const text of [
      `\n\n\n${quotedHeader}\n1,a,1,1.00,1,true,2026-01-01,2026-01-01T00:00:00Z,insert\n`,
      `"id\nx",name\n1,a\n2,"b\nc"\n`,
      "",
      `${header.join(",")}\n`,
    ])
      for (const batchRows of [1, 2, 5])
        await expectSameAsOneThread(table, Buffer.from(text), 3, { batchRows, batchBytes: 8 });
  });

  it("the benchmark's review files, a few thousand rows in many segments", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "workers-"));
    try {
      for (const format of ["csv", "json"] as const) {
        const file = path.join(dir, `review.${format}.gz`);
        await generate(file, format, 3000);
        await expectSameAsOneThread(benchTable(format), fs.readFileSync(file), 1 << 16, { batchRows: 256 });
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
