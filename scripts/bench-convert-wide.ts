/**
 * The memory cases of `npm run bench:convert -- --wide` (issue 11: peak RSS < 256 MiB whatever the rows), run
 * in a child by bench-convert-child.ts, the input generated on the fly (nothing on disk) and the output
 * dropped (counted), so the peak RSS is the converter's own:
 *   rows64k     50,000 CSV rows of 64 KiB of text each (3.3 GB): batches capped by bytes (`batchBytes`)
 *   line1g      a CSV file whose second line is one 1 GiB field: skipped unbuffered and quarantined
 *   partitions  20,000 CSV rows, each its own `partitionBy` value: partitions per batch capped
 */
import * as fs from "node:fs";
import { table, type TableSpec } from "../components/spec/schema";
import { convert } from "../functions/lib/convert/convert";
import type { OutputSink } from "../functions/lib/convert/sinks";
import { INGESTED_AT } from "./bench-convert-data";

export const WIDE_CASES = ["rows64k", "line1g", "partitions"] as const;
export type WideCase = (typeof WIDE_CASES)[number];

const MIB = 1024 * 1024;

/** What each case must do besides staying under the memory goal: rows written and quarantined. */
export const WIDE_EXPECTED: Record<WideCase, { written: number; quarantined: number }> = {
  rows64k: { written: 50_000, quarantined: 0 },
  line1g: { written: 2, quarantined: 1 },
  partitions: { written: 20_000, quarantined: 0 },
};

function wideTable(partitioned: boolean): TableSpec {
  return table.parse({
    name: "wide",
    source: { kind: "batch" },
    format: "csv",
    columns: [
      { name: "id", type: "bigint", nullable: false },
      { name: "region", type: "string" },
      { name: "text", type: "string" },
    ],
    primaryKey: ["id"],
    ...(partitioned ? { partitionBy: ["region"] } : {}),
  });
}

/** Chunks of about 1 MiB, as a gunzipped S3 body arrives. */
async function* inputOf(kind: WideCase): AsyncGenerator<Buffer> {
  yield Buffer.from("id,region,text\n");
  if (kind === "rows64k") {
    const text = "x".repeat(64 * 1024 - 16);
    let chunk: string[] = [];
    for (let i = 1; i <= 50_000; i++) {
      chunk.push(`${i},r${i % 7},${text}\n`);
      if (chunk.length === 16) {
        yield Buffer.from(chunk.join(""));
        chunk = [];
      }
    }
    if (chunk.length > 0) yield Buffer.from(chunk.join(""));
  } else if (kind === "line1g") {
    yield Buffer.from("1,a,short\n2,b,");
    const block = Buffer.alloc(MIB, "y");
    for (let i = 0; i < 1024; i++) yield block;
    yield Buffer.from("\n3,c,after\n");
  } else {
    let chunk = "";
    for (let i = 1; i <= 20_000; i++) {
      chunk += `${i},region-${i},row ${i}\n`;
      if (i % 2000 === 0) {
        yield Buffer.from(chunk);
        chunk = "";
      }
    }
  }
}

class DroppingSink implements OutputSink {
  bytes = 0;
  files = 0;
  async put(_key: string, body: Uint8Array): Promise<void> {
    this.bytes += body.length;
    this.files++;
  }
  describe(key: string): string {
    return key;
  }
}

/** Runs one case; the rows written. Throws when the case does not convert as it must. */
export async function runWide(kind: string, workers: number): Promise<number> {
  if (!(WIDE_CASES as readonly string[]).includes(kind))
    throw new Error(`wide case must be one of ${WIDE_CASES.join(", ")}, got ${kind}`);
  const wide = kind as WideCase;
  const result = await convert({
    table: wideTable(wide === "partitions"),
    source: inputOf(wide),
    sink: new DroppingSink(),
    controlId: `bench:wide:${wide}`,
    ingestedAt: INGESTED_AT,
    workers,
  });
  const expected = WIDE_EXPECTED[wide];
  if (result.rowsWritten !== expected.written || result.rowsQuarantined !== expected.quarantined)
    throw new Error(
      `${wide}: wrote ${result.rowsWritten} and quarantined ${result.rowsQuarantined} rows, expected ${expected.written} and ${expected.quarantined}`,
    );
  return result.rowsWritten;
}

/**
 * CPU ms of each thread of this process by thread id (utime + stime in /proc/self/task/<tid>/stat, clock
 * ticks of 10 ms), the most seen for each thread while `sampleThreads` ran: a worker thread's entry is gone
 * once it has ended, so it is sampled while it runs. Empty where /proc is not Linux's.
 */
export function threadCpuMs(): Map<number, number> {
  const out = new Map<number, number>();
  let tasks: string[];
  try {
    tasks = fs.readdirSync("/proc/self/task");
  } catch {
    return out;
  }
  for (const tid of tasks) {
    try {
      const stat = fs.readFileSync(`/proc/self/task/${tid}/stat`, "utf8");
      // Fields after the command name (which may hold spaces) in parentheses: utime is the 14th, stime the 15th.
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      out.set(Number(tid), (Number(fields[11]) + Number(fields[12])) * 10);
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  for (const [tid, ms] of out) seen.set(tid, Math.max(seen.get(tid) ?? 0, ms));
  return new Map(seen);
}

const seen = new Map<number, number>();

/** Samples `threadCpuMs` every 50 ms until the returned function is called. */
export function sampleThreads(): () => void {
  const timer = setInterval(threadCpuMs, 50);
  timer.unref();
  return () => clearInterval(timer);
}
