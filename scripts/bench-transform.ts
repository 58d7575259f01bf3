/**
 * npm run bench:transform: bronze → silver → gold of a generated review table (1,000,000 rows by default)
 * on DuckDB (the local runner) and on local Spark (the real spark_runner.py, Iceberg and Delta as in
 * test:spark), in the same run, with wall time and rows/s side by side. Reports, never asserts; no goal yet.
 *
 * The table is the dev spec's `review` as a batch source (its columns, quality rules and watermark) with a
 * gold model over it (count and average rating by beer and month); bronze is one Parquet file per 100,000
 * rows shaped as the converter writes it (spec columns, `_ingested_at`, `_source_file`, `_source_row`,
 * under `ingest_date=`), 1% of the rows failing a rule (quarantined) and 10% repeating a key (merged).
 * Spark's time is the plan runs only: the JVM starts (and loads Iceberg or Delta) before the clock runs.
 * Usage: npm run bench:transform -- [--rows N] [--engines duckdb,iceberg,delta]
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { DuckDBInstance } from "@duckdb/node-api";
import { parseLakehouseSpec, type LakehouseSpec } from "../components/spec";
import { createNamespaces, runPlans } from "../functions/transform/duckdb-runner";
import { buildTransformPlans, type Namespaces } from "../functions/transform/index";
import { SparkProcess } from "../test/spark/spark-process";

const ROOT = path.resolve(__dirname, "..");
const FILE_ROWS = 100_000;
const SPARK = {
  iceberg: { engine: "spark-iceberg", catalog: "glue_catalog" },
  delta: { engine: "spark-delta", catalog: "spark_catalog" },
} as const;
type Engine = "duckdb" | keyof typeof SPARK;

function benchSpec(): LakehouseSpec {
  return parseLakehouseSpec({
    name: "bench",
    alerts: { emails: ["bench@example.com"] },
    tables: [
      {
        name: "review",
        source: { kind: "batch" },
        columns: [
          { name: "review_id", type: "bigint", nullable: false },
          { name: "beer_id", type: "bigint" },
          { name: "profile_id", type: "bigint" },
          { name: "overall", type: "double" },
          { name: "aroma", type: "double" },
          { name: "text", type: "string" },
          { name: "review_time", type: "timestamp" },
        ],
        primaryKey: ["review_id"],
        incremental: { strategy: "d-1", watermarkColumn: "review_time" },
        quality: [
          { rule: "required", column: "beer_id" },
          { rule: "range", column: "overall", min: 0, max: 5 },
        ],
      },
    ],
    gold: [
      {
        name: "beer_ratings",
        from: "review",
        dimensions: ["beer_id"],
        measures: [
          { name: "review_count", fn: "count" },
          { name: "avg_rating", fn: "avg", column: "overall" },
        ],
        timePartition: { column: "review_time", yearAs: "review_year", monthAs: "review_month" },
        orderBy: [{ column: "review_count", direction: "desc" }],
      },
    ],
  });
}

/** Bronze Parquet files of `rows` reviews, written by DuckDB in the converter's layout. */
async function writeBronze(dir: string, rows: number): Promise<void> {
  const out = path.join(dir, "review", "ingest_date=2024-07-01");
  fs.mkdirSync(out, { recursive: true });
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  for (let start = 0, file = 1; start < rows; start += FILE_ROWS, file++) {
    const end = Math.min(rows, start + FILE_ROWS);
    const target = path.join(out, `part-${String(file).padStart(4, "0")}.parquet`);
    await connection.run(
      `COPY (SELECT
         CAST(i % ${Math.ceil(rows * 0.9)} + 1 AS BIGINT) AS review_id,
         CASE WHEN i % 100 = 7 THEN NULL ELSE CAST(i % 5000 + 1 AS BIGINT) END AS beer_id,
         CAST(i % 20000 + 1 AS BIGINT) AS profile_id,
         CASE WHEN i % 100 = 13 THEN 9.5 ELSE (i % 11) / 2.0 END AS overall,
         (i % 9) / 2.0 AS aroma,
         'review text ' || i AS text,
         TIMESTAMP '2024-01-01' + INTERVAL (i % 15552000) SECOND AS review_time,
         TIMESTAMP '2024-07-01 02:00:00' AS _ingested_at,
         'file://bench/review/${file}' AS _source_file,
         CAST(i - ${start} + 1 AS BIGINT) AS _source_row
       FROM range(${start}, ${end}) AS t(i)) TO '${target}' (FORMAT parquet, COMPRESSION zstd)`,
    );
  }
  connection.closeSync();
  instance.closeSync();
}

interface Timing {
  readonly engine: Engine;
  readonly silverMs: number;
  readonly goldMs: number;
  /** Rows in silver, quarantine and gold afterwards: the engines did the same work. */
  readonly counts?: string;
  readonly failure?: string;
}

const COUNTS = (ns: Namespaces) =>
  `SELECT (SELECT count(*) FROM ${ns.silver}.review), (SELECT count(*) FROM ${ns.quarantine}.review), ` +
  `(SELECT count(*) FROM ${ns.gold}.beer_ratings)`;

const namespacesIn = (catalog?: string): Namespaces => {
  const q = (n: string) => (catalog ? `${catalog}.${n}` : n);
  return { bronze: q("bronze"), silver: q("silver"), gold: q("gold"), quarantine: q("quarantine") };
};

async function duckdbRun(spec: LakehouseSpec, bronzeRoot: string, dir: string): Promise<Timing> {
  const instance = await DuckDBInstance.create(path.join(dir, "bench.duckdb"));
  const connection = await instance.connect();
  try {
    const ns = namespacesIn();
    await createNamespaces(connection, ns);
    const plans = buildTransformPlans(spec, "duckdb", ns, { bronzeRoot });
    let started = performance.now();
    await runPlans(connection, plans.bronzeToSilver);
    const silverMs = performance.now() - started;
    started = performance.now();
    await runPlans(connection, plans.silverToGold);
    const goldMs = performance.now() - started;
    const counted = await connection.runAndReadAll(COUNTS(ns));
    return { engine: "duckdb", silverMs, goldMs, counts: counted.getRows()[0]!.join(" / ") };
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

async function sparkRun(
  format: keyof typeof SPARK,
  spec: LakehouseSpec,
  bronzeRoot: string,
  dir: string,
): Promise<Timing> {
  const python = path.join(ROOT, ".venv-spark", "bin", "python");
  const cache = path.join(ROOT, ".spark-cache");
  if (!fs.existsSync(python)) throw new Error(`${python} is missing: npm run test:spark installs it`);
  const { engine, catalog } = SPARK[format];
  const ns = namespacesIn(catalog);
  const plans = buildTransformPlans(spec, engine, ns, { bronzeRoot });
  const files = (["bronzeToSilver", "silverToGold"] as const).map((stage) => {
    const file = path.join(dir, `${format}-${stage}.json`);
    fs.writeFileSync(file, JSON.stringify({ plans: plans[stage] }));
    return file;
  });
  const spark = new SparkProcess(python, format, path.join(dir, format), path.join(cache, "ivy"));
  try {
    const ready = await spark.ready();
    if (!ready.ok) throw new Error(`Spark did not start: ${ready.error}`);
    const created = await spark.send({ namespaces: [...new Set(Object.values(ns))] });
    if (!created.ok) throw new Error(created.error);
    const timed = async (file: string) => {
      const started = performance.now();
      const reply = await spark.send({ run: [file] });
      if (!reply.ok) throw new Error(reply.error);
      return performance.now() - started;
    };
    const silverMs = await timed(files[0]!);
    const goldMs = await timed(files[1]!);
    const counted = await spark.send({ sql: [COUNTS(ns)] });
    return { engine: format, silverMs, goldMs, counts: counted.results?.[0]?.rows[0]?.join(" / ") };
  } finally {
    await spark.close();
  }
}

async function main(argv: readonly string[]): Promise<void> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      rows: { type: "string", default: "1000000" },
      engines: { type: "string", default: "duckdb,iceberg,delta" },
    },
    strict: true,
  });
  const rows = Number(values.rows);
  const engines = values.engines.split(",") as Engine[];
  if (!Number.isInteger(rows) || rows < 1) throw new Error("--rows takes a positive integer");
  for (const e of engines)
    if (e !== "duckdb" && !(e in SPARK)) throw new Error(`--engines: unknown engine ${e}`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "medallion-bench-transform-"));
  const spec = benchSpec();
  try {
    const bronzeRoot = path.join(dir, "bronze");
    console.log(`cpus: ${os.availableParallelism()}, load average ${os.loadavg()[0]!.toFixed(1)}`);
    console.log(`generating ${rows} bronze rows (${Math.ceil(rows / FILE_ROWS)} Parquet files)…`);
    await writeBronze(bronzeRoot, rows);
    const timings: Timing[] = [];
    for (const engine of engines) {
      console.log(`running ${engine}…`);
      const work = path.join(dir, engine);
      fs.mkdirSync(work, { recursive: true });
      try {
        timings.push(
          engine === "duckdb"
            ? await duckdbRun(spec, bronzeRoot, work)
            : await sparkRun(engine, spec, bronzeRoot, work),
        );
      } catch (error) {
        timings.push({ engine, silverMs: NaN, goldMs: NaN, failure: (error as Error).message });
      }
    }
    const rate = (ms: number) => (Number.isFinite(ms) ? Math.round(rows / (ms / 1000)).toString() : "n/a");
    const ms = (value: number) => (Number.isFinite(value) ? value.toFixed(0) : "failed");
    console.log(`\n${rows} bronze rows, load average ${os.loadavg()[0]!.toFixed(1)} at the end\n`);
    console.log(
      "| engine | bronze → silver ms | rows/s | silver → gold ms | total ms | rows/s (total) | silver / quarantine / gold rows |",
    );
    console.log(
      "| ------ | -----------------: | -----: | ---------------: | -------: | -------------: | ------------------------------: |",
    );
    for (const t of timings) {
      const total = t.silverMs + t.goldMs;
      console.log(
        `| ${t.engine} | ${ms(t.silverMs)} | ${rate(t.silverMs)} | ${ms(t.goldMs)} | ${ms(total)} | ${rate(total)} | ${t.counts ?? ""} |`,
      );
      if (t.failure) console.log(`  ${t.engine} failed: ${t.failure}`);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(`bench:transform error: ${(error as Error).message ?? error}`);
      process.exit(1);
    },
  );
}
