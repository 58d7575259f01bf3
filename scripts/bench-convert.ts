/**
 * Converter benchmark (`npm run bench:convert`, part of `npm run bench`): the bronze converter against DuckDB
 * (`SET threads = 1`, `COPY ... TO parquet`, snappy) on the same generated review files, JSON lines and CSV,
 * gzip. Every measurement is a fresh child process pinned to one core (`taskset -c 0`: a one-vCPU Lambda),
 * running an esbuild bundle of scripts/bench-convert-child.ts with plain node (what Lambda runs: no tsx).
 * A third child, "parse", only gunzips, decodes, splits lines and JSON.parses / splits CSV: what any reader built on
 * V8 strings pays before converting a value (the converter reads bytes and skips most of it).
 * Reports rows/s, MB/s of gzip input, peak RSS and the ratio to DuckDB; never asserts (exits 0).
 * Rates are per CPU second of the child (user + system, all threads): on one pinned core that equals wall time
 * on an idle machine, and unlike wall time it does not move when other processes share the core. Wall time is
 * printed too.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { generate } from "./bench-convert-data";

const ROOT = path.resolve(__dirname, "..");
const WORK = path.join(os.tmpdir(), "medallion-bench-convert");
const TIME = "/usr/bin/time";
const GOAL = { csv: 1.0, json: 0.7, rssMiB: 256 };
const MODES = ["convert", "duckdb", "parse"] as const;
type Mode = (typeof MODES)[number];

interface Sample {
  rows: number;
  ms: number;
  cpuMs: number;
  rssMiB: number;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { rows: { type: "string", default: "100000,1000000" }, runs: { type: "string", default: "1" } },
  });
  const sizes = values.rows!.split(",").map(Number);
  const runs = Number(values.runs);
  fs.mkdirSync(WORK, { recursive: true });
  const bundle = await bundleChild();
  const pin = fs.existsSync("/usr/bin/taskset") ? ["/usr/bin/taskset", "-c", "0"] : [];
  const measure = fs.existsSync(TIME) ? [TIME, "-f", "%M"] : [];
  console.log(
    `machine: ${os.cpus()[0]?.model ?? "?"} x${os.cpus().length}, node ${process.version}, load ${os.loadavg()[0]!.toFixed(1)}`,
  );
  console.log(pin.length ? "pinned to one core (taskset -c 0)" : "NOT pinned: taskset not found");

  const lines: string[] = [];
  const verdicts: string[] = [];
  for (const rows of sizes) {
    for (const format of ["json", "csv"] as const) {
      const input = path.join(WORK, `review-v2-${rows}.${format}.gz`);
      if (!fs.existsSync(input)) {
        console.log(`generating ${path.basename(input)} ...`);
        await generate(input + ".tmp", format, rows);
        fs.renameSync(input + ".tmp", input);
      }
      const gzipMB = fs.statSync(input).size / 1e6;
      const samples: Record<Mode, Sample[]> = { convert: [], duckdb: [], parse: [] };
      for (let run = 0; run < runs; run++) {
        for (const mode of MODES) {
          // Per process: two benchmarks running at once (two checkouts) must not delete each other's output.
          const output = path.join(WORK, `out-${mode}-${process.pid}`);
          fs.rmSync(output, { recursive: true, force: true });
          samples[mode].push(
            runChild([...pin, ...measure, process.execPath, bundle, mode, format, input, output]),
          );
        }
      }
      for (const mode of MODES)
        fs.rmSync(path.join(WORK, `out-${mode}-${process.pid}`), { recursive: true, force: true });
      const med = Object.fromEntries(MODES.map((m) => [m, median(samples[m])])) as Record<Mode, Sample>;
      const rate = (s: Sample) => s.rows / (s.cpuMs / 1000);
      const ratio = rate(med.convert) / rate(med.duckdb);
      for (const mode of MODES) {
        const s = med[mode];
        lines.push(
          `| ${rows.toLocaleString("en")} | ${format}.gz | ${mode} | ${Math.round(rate(s)).toLocaleString("en")} | ${(gzipMB / (s.cpuMs / 1000)).toFixed(1)} | ${(s.cpuMs / 1000).toFixed(2)} | ${(s.ms / 1000).toFixed(2)} | ${s.rssMiB} | ${(rate(s) / rate(med.duckdb)).toFixed(2)} |`,
        );
      }
      const met = ratio >= GOAL[format] && med.convert.rssMiB < GOAL.rssMiB;
      verdicts.push(
        `${met ? "GOAL MET" : "GOAL MISSED"}: ${format} ${rows.toLocaleString("en")} rows at ${ratio.toFixed(2)}x DuckDB (goal ${GOAL[format]}x), peak RSS ${med.convert.rssMiB} MiB (goal < ${GOAL.rssMiB})`,
      );
    }
  }
  console.log(
    "\n| rows | input | run | rows/s (CPU) | MB/s gzip in (CPU) | CPU s | wall s | peak RSS MiB | x DuckDB |",
  );
  console.log("| ---: | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |");
  for (const line of lines) console.log(line);
  console.log("");
  for (const verdict of verdicts) console.log(verdict);
}

/** Bundles the child like the Lambda build does (esbuild, CJS, node20), so no tsx runs during measurement. */
async function bundleChild(): Promise<string> {
  const esbuild = await import("esbuild");
  // Inside node_modules/.cache so the bundle resolves its externals from this checkout's node_modules.
  const outfile = path.join(ROOT, "node_modules", ".cache", "medallion-bench", "bench-convert-child.js");
  await esbuild.build({
    entryPoints: [path.join(__dirname, "bench-convert-child.ts")],
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    outfile,
    // parquet-wasm loads its .wasm next to its JS; DuckDB is a native addon: both stay in node_modules.
    external: ["parquet-wasm", "@duckdb/node-api"],
    logLevel: "error",
  });
  return outfile;
}

function runChild(command: string[]): Sample {
  const result = spawnSync(command[0]!, command.slice(1), {
    encoding: "utf8",
    maxBuffer: 1 << 24,
  });
  if (result.status !== 0) throw new Error(`${command.join(" ")} failed:\n${result.stderr}`);
  const { rows, ms, cpuMs } = JSON.parse(result.stdout.trim().split("\n").pop()!) as Omit<Sample, "rssMiB">;
  const rssKiB = Number(result.stderr.trim().split("\n").pop());
  return { rows, ms, cpuMs, rssMiB: Number.isFinite(rssKiB) ? Math.round(rssKiB / 1024) : NaN };
}

function median(samples: Sample[]): Sample {
  const sorted = [...samples].sort((a, b) => a.cpuMs - b.cpuMs);
  return sorted[Math.floor(sorted.length / 2)]!;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
