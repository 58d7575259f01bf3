/**
 * Offline-preview benchmark: how long `npm run preview` takes, and how much memory it needs, as the
 * lakehouse grows to 10, 100 and 1,000 tables. Run with `npm run bench`; see docs/BENCHMARKS.md.
 * Tables are not Pulumi resources (Spark owns them), so the second goal is scale: 1,000 tables within
 * 1.5× the 10-table preview and under 512 MiB. It prints wall time and CPU time (user + system of the
 * child): on a machine other work loads, CPU time is the fairer of the two.
 *
 * Every measurement is a fresh child process (scripts/bench-preview-child.ts), so module load time and
 * peak RSS are what a user pays. Wall time is measured here, from spawn to exit. The reference is a
 * child that only loads the Pulumi SDK modules the program imports. Reports, never asserts: exits 0.
 */
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";
import type { LakehouseSpecInput } from "../components/spec";
import { readStackConfig } from "../infra/preview/stack-file";
import type { ChildResult } from "./bench-preview-child";

const ROOT = path.resolve(__dirname, "..");
const CHILD = path.join(__dirname, "bench-preview-child.ts");
const TIME = "/usr/bin/time";
/** The goal: a lakehouse of this many tables previews within these limits. */
const GOAL = { tables: 100, wallMs: 3000, rssMiB: 512 };
/** The scale goal: this many tables preview within `ratio` × the `base`-table preview, under `rssMiB`. */
const SCALE_GOAL = { tables: 1000, base: 10, ratio: 1.5, rssMiB: 512 };
/** V8's default Error.stackTraceLimit, compared against the CLI's. */
const V8_DEFAULT_STACK_TRACE_LIMIT = 10;
/** What the CLI uses: env MEDALLION_STACK_TRACE_LIMIT, else 3. */
const CLI_STACK_TRACE_LIMIT = Number(process.env.MEDALLION_STACK_TRACE_LIMIT ?? 3);

type TableInput = LakehouseSpecInput["tables"][number];

interface Sample {
  readonly wallMs: number;
  readonly childMs: number;
  readonly cpuMs: number;
  readonly resources: number;
  readonly rssKiB: number;
}

interface Case {
  readonly label: string;
  readonly args: readonly string[];
  readonly stackTraceLimit: number;
  readonly samples: Sample[];
  failure?: string;
}

/** The dev stack's spec plus synthetic batch tables, `tables` tables in all; views and gold stay valid. */
export function specWithTables(base: LakehouseSpecInput, tables: number): LakehouseSpecInput {
  const extra = tables - base.tables.length;
  if (extra < 0)
    throw new Error(`the dev spec already has ${base.tables.length} tables; cannot shrink to ${tables}`);
  return {
    ...base,
    tables: [...base.tables, ...Array.from({ length: extra }, (_, i) => syntheticTable(i + 1))],
  };
}

function syntheticTable(n: number): TableInput {
  return {
    name: `t${String(n).padStart(4, "0")}_orders`,
    description: `Synthetic benchmark table ${n}.`,
    source: { kind: "batch" },
    format: "csv",
    columns: [
      { name: "order_id", type: "bigint", nullable: false },
      { name: "customer_email", type: "string" },
      { name: "amount", type: "decimal(12,2)" },
      { name: "created_at", type: "timestamp" },
    ],
    primaryKey: ["order_id"],
    pii: { customer_email: "email" },
    quality: [{ rule: "required", column: "order_id" }],
  };
}

/** `@pulumi/*` modules the program loads at run time (value imports in components, stacks and infra). */
function sdkModules(): string[] {
  const found = new Set<string>();
  const pattern = /^import\s+(?!type\b)[^;]*?\sfrom\s+"(@pulumi\/[^"]+)"/gm;
  for (const dir of ["components", "stacks", "infra"]) {
    for (const file of walk(path.join(ROOT, dir))) {
      if (!file.endsWith(".ts") || file.endsWith(".test.ts")) continue;
      for (const match of fs.readFileSync(file, "utf8").matchAll(pattern)) found.add(match[1] as string);
    }
  }
  return [...found].sort();
}

function walk(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? walk(full) : [full];
  });
}

/** Whether GNU time can report the child's peak RSS (`-f %M -o file`). */
function gnuTimeWorks(tmp: string): boolean {
  if (!fs.existsSync(TIME)) return false;
  const out = path.join(tmp, "probe.rss");
  const probe = spawnSync(TIME, ["-f", "%M", "-o", out, process.execPath, "-e", ""], { stdio: "ignore" });
  return probe.status === 0 && /^\d+\s*$/m.test(readOr(out, ""));
}

function readOr(file: string, fallback: string): string {
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    return fallback;
  }
}

/** Runs one child; resolves with its sample or rejects with its stderr. */
function runChild(args: readonly string[], stackTraceLimit: number, rssFile: string | null): Promise<Sample> {
  const nodeArgs = ["--import", "tsx", CHILD, ...args];
  const [command, commandArgs] = rssFile
    ? [TIME, ["-f", "%M", "-o", rssFile, process.execPath, ...nodeArgs]]
    : [process.execPath, nodeArgs];
  const env = { ...process.env, MEDALLION_STACK_TRACE_LIMIT: String(stackTraceLimit) };
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, commandArgs, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      const wallMs = performance.now() - started;
      const line = stdout
        .trim()
        .split("\n")
        .reverse()
        .find((l) => l.startsWith("{"));
      if (code !== 0 || !line) {
        reject(
          new Error(
            `child exited ${code}: ${stderr.trim().split("\n").slice(0, 8).join("\n") || "(no output)"}`,
          ),
        );
        return;
      }
      const result = JSON.parse(line) as ChildResult;
      const timed = rssFile ? Number(/(\d+)\s*$/.exec(readOr(rssFile, ""))?.[1]) : NaN;
      resolve({
        wallMs,
        childMs: result.ms,
        cpuMs: result.cpuMs,
        resources: result.resources,
        rssKiB: Number.isFinite(timed) ? timed : result.maxRssKiB,
      });
    });
  });
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

function mib(kib: number): number {
  return kib / 1024;
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join(" | ")} |`;
  const rule = `|${widths.map((w, i) => (i === 0 ? `${"-".repeat(w + 1)}-` : `-${"-".repeat(w)}:`)).join("|")}|`;
  return [line(header), rule, ...rows.map(line)].join("\n");
}

function machine(): string {
  const cpu =
    /model name\s*:\s*(.+)/.exec(readOr("/proc/cpuinfo", ""))?.[1] ?? os.cpus()[0]?.model ?? "unknown";
  const memKiB = Number(/MemTotal:\s*(\d+)/.exec(readOr("/proc/meminfo", ""))?.[1] ?? os.totalmem() / 1024);
  const pulumiVersion = (
    JSON.parse(readOr(path.join(ROOT, "node_modules/@pulumi/pulumi/package.json"), "{}")) as {
      version?: string;
    }
  ).version;
  return [
    `cpus: ${os.availableParallelism()} × ${cpu}`,
    `memory: ${(memKiB / 1024 / 1024).toFixed(1)} GiB`,
    `node ${process.version}, @pulumi/pulumi ${pulumiVersion ?? "unknown"}, ${os.platform()} ${os.release()}`,
  ].join("\n");
}

async function main(argv: readonly string[]): Promise<void> {
  const { values } = parseArgs({
    args: [...argv],
    options: { sizes: { type: "string", default: "10,100,1000" }, runs: { type: "string", default: "3" } },
    strict: true,
  });
  const sizes = [...new Set(values.sizes.split(",").map(Number))].sort((a, b) => a - b);
  const runs = Number(values.runs);
  if (sizes.some((n) => !Number.isInteger(n) || n < 1) || !Number.isInteger(runs) || runs < 1) {
    throw new Error("--sizes takes table counts like 10,100,500 and --runs a positive integer");
  }

  const base = JSON.parse(
    readStackConfig(ROOT, "dev").config["medallion:lakehouse"] ?? "null",
  ) as LakehouseSpecInput;
  if (!base?.tables) throw new Error("Pulumi.dev.yaml has no medallion:lakehouse.tables");
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "medallion-bench-"));
  try {
    const rssFile = gnuTimeWorks(tmp) ? path.join(tmp, "child.rss") : null;
    const modules = sdkModules();
    const specFile = (n: number) => path.join(tmp, `spec-${n}.json`);
    for (const n of sizes) {
      fs.writeFileSync(specFile(n), JSON.stringify(specWithTables(base, n)));
    }

    const reference: Case = {
      label: "SDK load",
      args: ["sdk", ...modules],
      stackTraceLimit: CLI_STACK_TRACE_LIMIT,
      samples: [],
    };
    const bySize = new Map<number, Case>(
      sizes.map((n) => [
        n,
        {
          label: `${n} tables`,
          args: ["preview", ROOT, specFile(n)],
          stackTraceLimit: CLI_STACK_TRACE_LIMIT,
          samples: [],
        },
      ]),
    );
    const defaultLimit: Case = {
      label: `${GOAL.tables} tables, Error.stackTraceLimit ${V8_DEFAULT_STACK_TRACE_LIMIT}`,
      args: ["preview", ROOT, specFile(GOAL.tables)],
      stackTraceLimit: V8_DEFAULT_STACK_TRACE_LIMIT,
      samples: [],
    };
    const cases = [reference, ...bySize.values(), ...(bySize.has(GOAL.tables) ? [defaultLimit] : [])];

    console.log(`${machine()}`);
    console.log(
      `peak RSS from: ${rssFile ? "/usr/bin/time -f %M" : "process.resourceUsage().maxRSS in the child"}`,
    );
    console.log(`reference "SDK load": node --import tsx, then require ${modules.join(", ")}`);
    console.log(`runs per case: ${runs} (median reported), interleaved, after one discarded warm-up\n`);

    // Warm-up: fills tsx's transform cache and the OS page cache, so run 1 is not a compile benchmark.
    await runChild(["preview", ROOT, specFile(sizes[0] as number)], CLI_STACK_TRACE_LIMIT, rssFile).catch(
      () => undefined,
    );
    for (let run = 1; run <= runs; run++) {
      for (const c of cases) {
        if (c.failure) continue;
        try {
          const sample = await runChild(c.args, c.stackTraceLimit, rssFile);
          c.samples.push(sample);
          console.log(
            `run ${run}/${runs}  ${c.label.padEnd(40)} ${sample.wallMs.toFixed(0).padStart(6)} ms  cpu ${sample.cpuMs.toFixed(0).padStart(6)} ms  ${mib(sample.rssKiB).toFixed(0).padStart(4)} MiB  ${sample.resources} resources`,
          );
        } catch (error) {
          c.failure = (error as Error).message;
          console.log(`run ${run}/${runs}  ${c.label.padEnd(40)} FAILED\n${c.failure}`);
        }
      }
    }

    const ok = (c: Case) => !c.failure && c.samples.length > 0;
    const wall = (c: Case) => median(c.samples.map((s) => s.wallMs));
    const refMs = ok(reference) ? wall(reference) : NaN;
    const smallest = bySize.get(sizes[0] as number) as Case;
    const resourcesOf = (c: Case) => c.samples[0]?.resources ?? NaN;
    const fmt = (value: number, digits = 0) => (Number.isFinite(value) ? value.toFixed(digits) : "n/a");
    const rows = [
      ok(reference)
        ? [
            reference.label,
            "—",
            "—",
            fmt(refMs),
            "1.00",
            fmt(median(reference.samples.map((s) => mib(s.rssKiB)))),
            "—",
          ]
        : [reference.label, "failed", "", "", "", "", ""],
      ...sizes.map((n) => {
        const c = bySize.get(n) as Case;
        if (!ok(c)) return [String(n), "failed", "", "", "", "", ""];
        const ms = wall(c);
        const rss = median(c.samples.map((s) => mib(s.rssKiB)));
        const perTable =
          c === smallest
            ? "—"
            : fmt((resourcesOf(c) - resourcesOf(smallest)) / (n - (sizes[0] as number)), 2);
        const goal = n === GOAL.tables ? (ms < GOAL.wallMs && rss < GOAL.rssMiB ? "yes" : "NO") : "—";
        return [String(n), String(resourcesOf(c)), perTable, fmt(ms), fmt(ms / refMs, 2), fmt(rss), goal];
      }),
    ];
    console.log(
      `\nmedian of ${runs} fresh processes each; Error.stackTraceLimit ${CLI_STACK_TRACE_LIMIT} (as the CLI)\n`,
    );
    console.log(
      table(
        [
          "tables",
          "resources",
          `resources/table (vs ${sizes[0]})`,
          "wall ms",
          "× SDK load",
          "peak RSS MiB",
          `goal (<${GOAL.wallMs} ms, <${GOAL.rssMiB} MiB)`,
        ],
        rows,
      ),
    );

    const inChild = sizes
      .map((n) => bySize.get(n) as Case)
      .filter(ok)
      .map((c) => `${c.label}: ${fmt(median(c.samples.map((s) => s.childMs)))} ms`);
    console.log(`\nin-child time (load program + preview, after node/tsx start): ${inChild.join(", ")}`);
    console.log(`SDK load in-child time: ${fmt(median(reference.samples.map((s) => s.childMs)))} ms`);

    const perTableCounts = sizes
      .filter((n) => n !== sizes[0])
      .map((n) => (resourcesOf(bySize.get(n) as Case) - resourcesOf(smallest)) / (n - (sizes[0] as number)));
    if (perTableCounts.length > 0 && perTableCounts.every((v) => v === 0)) {
      console.log("note: tables add no resources at all yet (every size registers the same resources).");
    } else if (new Set(perTableCounts.map((v) => v.toFixed(3))).size > 1) {
      console.log("note: resources per table is NOT constant across sizes.");
    }

    const cpu = (c: Case) => median(c.samples.map((s) => s.cpuMs));
    console.log(
      `\nCPU time (user + system, median): ${[reference, ...bySize.values()]
        .filter(ok)
        .map((c) => `${c.label}: ${fmt(cpu(c))} ms`)
        .join(", ")}`,
    );
    const scaleBase = bySize.get(SCALE_GOAL.base);
    const scaleTop = bySize.get(SCALE_GOAL.tables);
    if (scaleBase && scaleTop && ok(scaleBase) && ok(scaleTop)) {
      const wallRatio = wall(scaleTop) / wall(scaleBase);
      const cpuRatio = cpu(scaleTop) / cpu(scaleBase);
      const rss = median(scaleTop.samples.map((s) => mib(s.rssKiB)));
      const met = wallRatio <= SCALE_GOAL.ratio && rss < SCALE_GOAL.rssMiB;
      console.log(
        `${met ? "SCALE GOAL MET" : "SCALE GOAL MISSED"}: ${SCALE_GOAL.tables} vs ${SCALE_GOAL.base} tables: ` +
          `wall ${fmt(wallRatio, 2)}× (≤ ${SCALE_GOAL.ratio}), CPU ${fmt(cpuRatio, 2)}×, ` +
          `${fmt(rss)} MiB peak RSS (< ${SCALE_GOAL.rssMiB})`,
      );
    } else {
      console.log(
        `SCALE GOAL not measured: add ${SCALE_GOAL.base} and ${SCALE_GOAL.tables} to --sizes (or one failed)`,
      );
    }

    const atGoal = bySize.get(GOAL.tables) ?? null;
    const goalCase = atGoal && ok(atGoal) ? atGoal : null;
    if (ok(defaultLimit) && goalCase) {
      const ratio = wall(defaultLimit) / wall(goalCase);
      const childRatio =
        median(defaultLimit.samples.map((s) => s.childMs)) / median(goalCase.samples.map((s) => s.childMs));
      console.log(
        `\nError.stackTraceLimit ${V8_DEFAULT_STACK_TRACE_LIMIT} vs ${CLI_STACK_TRACE_LIMIT} at ${GOAL.tables} tables: ` +
          `${fmt(wall(defaultLimit))} ms vs ${fmt(wall(goalCase))} ms wall = ${fmt(ratio, 2)}× ` +
          `(in-child ${fmt(childRatio, 2)}×)`,
      );
    }

    if (!goalCase) {
      console.log(
        `\nGOAL MISSED: no ${GOAL.tables}-table measurement (add ${GOAL.tables} to --sizes, or it failed)`,
      );
    } else {
      const ms = wall(goalCase);
      const rss = median(goalCase.samples.map((s) => mib(s.rssKiB)));
      const met = ms < GOAL.wallMs && rss < GOAL.rssMiB;
      console.log(
        `\n${met ? "GOAL MET" : "GOAL MISSED"}: ${GOAL.tables} tables preview in ${fmt(ms)} ms (< ${GOAL.wallMs}) ` +
          `and ${fmt(rss)} MiB peak RSS (< ${GOAL.rssMiB})`,
      );
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(`benchmark error: ${(error as Error).message ?? error}`);
      console.log("GOAL MISSED: the benchmark did not complete");
      process.exit(0);
    },
  );
}
