import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Readable } from "node:stream";
import type { DuckDBConnection } from "@duckdb/node-api";
import { stackSpec } from "../../functions/transform/dev-spec";
import { LOCAL_HASH_KEY } from "../../functions/transform/duckdb-runner";
import { buildTransformPlans, type Namespaces } from "../../functions/transform/index";
import {
  bronzeRootOf,
  convertArrival,
  openLake,
  transformLake,
  type Arrival,
} from "../../functions/transform/local-pipeline";
import { cdcBatch, initialBatch, type RawFile } from "../../functions/transform/sample-data";
import { convert } from "../../functions/lib/convert/convert";
import { DirectorySink } from "../../functions/lib/convert/sinks";
import { parityProbes } from "./probes";
import { differences, duckdbRelation } from "./relations";
import { bronzeStreamChecks } from "./bronze-stream";
import { modelOnSpark, type ModelFormat } from "./model";
import { SparkProcess } from "./spark-process";

/**
 * npm run test:spark: the generated Spark plans of the dev spec run by the real spark_runner.py on a local
 * Spark, Iceberg (a Hadoop catalog named like Glue's) for the AWS plans and Delta for the Databricks plans,
 * over the bronze Parquet the real converter writes from the sample data; silver, quarantine, the ledger,
 * views and gold must equal the DuckDB run's row for row and type for type after every phase: no bronze
 * yet, the first batch, a second one (updates, deletes, a late file) and a retried run with nothing new.
 * Then the model-based histories (test/spark/model.ts) on both formats.
 * Usage: tsx test/spark/conformance.ts <python of the Spark venv> <cache dir>
 */

const FORMATS = {
  iceberg: { engine: "spark-iceberg", catalog: "glue_catalog" },
  delta: { engine: "spark-delta", catalog: "spark_catalog" },
} as const;

type Format = keyof typeof FORMATS;

const namespacesIn = (catalog: string | undefined): Namespaces => {
  const q = (n: string) => (catalog ? `${catalog}.${n}` : n);
  return { bronze: q("bronze"), silver: q("silver"), gold: q("gold"), quarantine: q("quarantine") };
};

function arrivals(batch: string, files: readonly RawFile[], at: string): Arrival[] {
  return files.map((file, i) => ({
    table: file.table,
    open: () => Readable.from([Buffer.from(file.text)]),
    controlId: `file://samples/${batch}/${file.table}`,
    ingestedAt: new Date(Date.parse(at) + i),
  }));
}

let passed = 0;
let failed = 0;
function check(name: string, problems: string[]): void {
  if (problems.length === 0) {
    passed++;
    console.log(`ok - ${name}`);
    return;
  }
  failed++;
  console.log(`not ok - ${name}`);
  for (const problem of problems) console.log(`    ${problem}`);
}

async function main(python: string, cache: string): Promise<number> {
  process.env.MEDALLION_HASH_KEY = LOCAL_HASH_KEY; // both engines hash with the same key
  const spec = stackSpec("dev");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "spark-conformance-"));
  const lakeDir = path.join(dir, "duckdb");
  const bronzeRoot = bronzeRootOf(lakeDir);
  // The relations compared, by their DuckDB name (the layer, then the table).
  const relations = [
    ...spec.tables.flatMap((t) => [
      `silver.${t.name}`,
      `quarantine.${t.name}`,
      ...(t.incremental?.strategy === "full" ? [] : [`silver._consumed_${t.name}`]),
    ]),
    ...spec.views.map((v) => `silver.${v.name}`),
    ...spec.gold.map((g) => `gold.${g.name}`),
  ];
  const sparks = new Map<Format, { process: SparkProcess; planFiles: string[] }>();
  // SPARK_FORMATS=delta (or iceberg) runs one format only, for a quicker look while developing.
  const only = process.env.SPARK_FORMATS?.split(",");
  // SPARK_SUITES=model (or stream) runs the model histories (or the bronze stream) only.
  const suites = process.env.SPARK_SUITES;
  const conformance = !suites;
  for (const format of (Object.keys(FORMATS) as Format[]).filter((f) => !only || only.includes(f))) {
    const { engine, catalog } = FORMATS[format];
    const plans = buildTransformPlans(spec, engine, namespacesIn(catalog), { bronzeRoot });
    const planFiles = (["bronzeToSilver", "views", "silverToGold"] as const).map((stage) => {
      const file = path.join(dir, `${format}-${stage}.json`);
      fs.writeFileSync(file, JSON.stringify({ plans: plans[stage] }));
      return file;
    });
    const process_ = new SparkProcess(python, format, path.join(dir, format), path.join(cache, "ivy"));
    sparks.set(format, { process: process_, planFiles });
  }
  fs.mkdirSync(lakeDir, { recursive: true });
  const lake = await openLake(lakeDir);
  try {
    for (const [format, { process: spark }] of sparks) {
      const ready = await spark.ready();
      if (!ready.ok) throw new Error(`${format}: Spark did not start: ${ready.error}`);
      const ns = namespacesIn(FORMATS[format].catalog);
      const created = await spark.send({ namespaces: [...new Set(Object.values(ns))] });
      if (!created.ok) throw new Error(`${format}: ${created.error}`);
      if (!conformance) continue;
      for (const probe of await parityProbes(lake.connection, spark, FORMATS[format].engine))
        check(`parity ${format}: ${probe.name}`, probe.problems);
    }
    const phases: { name: string; arrivals: Arrival[] }[] = [
      { name: "no bronze yet", arrivals: [] },
      { name: "first batch", arrivals: arrivals("initial", initialBatch(spec), "2024-07-01T02:00:00Z") },
      {
        name: "second batch (updates, deletes, a late file)",
        arrivals: [
          ...arrivals("cdc", cdcBatch(spec), "2024-07-02T02:00:00Z"),
          // The first batch's files again under new control ids, after the changes: older rows, arriving late.
          ...arrivals("late", initialBatch(spec), "2024-07-02T03:00:00Z"),
        ],
      },
      { name: "retried run, nothing new", arrivals: [] },
    ];
    for (const phase of conformance ? phases : []) {
      for (const arrival of phase.arrivals) await convertArrival(spec, lakeDir, arrival);
      await transformLake(lake.connection, spec, lakeDir);
      const expected = new Map<string, Awaited<ReturnType<typeof duckdbRelation>> | null>();
      for (const name of relations) {
        const [schema, table] = name.split(".");
        const exists = await lake.connection.runAndReadAll(
          `SELECT count(*) FROM information_schema.tables WHERE table_schema = '${schema}' AND table_name = '${table}'`,
        );
        expected.set(
          name,
          Number(exists.getRows()[0][0]) > 0 ? await duckdbRelation(lake.connection, `FROM ${name}`) : null,
        );
      }
      for (const [format, { process: spark, planFiles }] of sparks) {
        const catalog = FORMATS[format].catalog;
        const reply = await spark.send({ run: planFiles, dump: relations.map((r) => `${catalog}.${r}`) });
        check(
          `${format} ${phase.name}: spark_runner.py runs every plan`,
          reply.ok ? [] : [reply.error ?? ""],
        );
        if (!reply.ok) continue;
        for (const name of relations)
          check(
            `${format} ${phase.name}: ${name}`,
            differences(expected.get(name) ?? null, reply.tables?.[`${catalog}.${name}`] ?? null),
          );
      }
    }
    if (conformance) await ancientChecks(lake.connection, dir, sparks);
    // The Databricks bronze task, with a local file stream standing in for Auto Loader (test/spark/bronze-stream.ts).
    const delta = sparks.get("delta");
    if (delta && (!suites || suites === "stream")) await bronzeStreamChecks(delta.process, spec, dir, check);
    // The model-based histories of functions/transform/model, on both formats (test/spark/model.ts).
    const modelFormats = new Map<string, ModelFormat>(
      [...sparks].map(([format, { process: spark }]) => [format, { spark, ...FORMATS[format] }]),
    );
    if (!suites || suites === "model") await modelOnSpark(modelFormats, dir, check);
  } finally {
    lake.close();
    for (const { process: spark } of sparks.values()) await spark.close();
  }
  console.log(`${passed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

async function ancientChecks(
  connection: DuckDBConnection,
  dir: string,
  sparks: ReadonlyMap<Format, { process: SparkProcess }>,
): Promise<void> {
  // Dates and timestamps the converter accepts (0001-9999) but Spark 3.x refuses to read from Parquet that
  // no Spark wrote unless the runner's session says their calendar (SESSION_CONF in spark_runner.py); as
  // text on both sides, so the check is about the values, not how each engine prints year 500.
  const ancient = await ancientParquet(dir);
  const query = (file: string, engine: "duckdb" | "spark") =>
    engine === "duckdb"
      ? `SELECT CAST(d AS VARCHAR) AS d, strftime(timezone('UTC', t), '%Y-%m-%d %H:%M:%S.%f') AS t FROM read_parquet('${file}') ORDER BY 1`
      : `SELECT CAST(d AS STRING) AS d, date_format(t, 'yyyy-MM-dd HH:mm:ss.SSSSSS') AS t FROM parquet.\`${file}\` ORDER BY 1`;
  const expectedAncient = await duckdbRelation(connection, query(ancient, "duckdb"));
  for (const [format, { process: spark }] of sparks) {
    const reply = await spark.send({ sql: [query(ancient, "spark")] });
    check(
      `${format}: dates before 1582 and timestamps before 1900 in converter Parquet read as written`,
      reply.ok ? differences(expectedAncient, reply.results?.[0] ?? null) : [reply.error ?? "no reply"],
    );
  }
}

/** A bronze Parquet file of the converter holding a date and a timestamp before the Gregorian reform. */
async function ancientParquet(dir: string): Promise<string> {
  const out = path.join(dir, "ancient");
  const result = await convert({
    table: {
      name: "ancient",
      source: { kind: "batch" },
      format: "csv",
      columns: [
        { name: "d", type: "date", nullable: true },
        { name: "t", type: "timestamp", nullable: true },
      ],
      primaryKey: ["d"],
      partitionBy: [],
      pii: {},
      quality: [],
      overrides: {},
    },
    source: Readable.from([
      Buffer.from("d,t\n0500-03-01,0500-03-01T12:00:00Z\n1899-12-31,1899-12-31T23:59:59Z\n"),
    ]),
    sink: new DirectorySink(out),
    controlId: "file:///ancient.csv",
    ingestedAt: new Date("2024-07-01T00:00:00Z"),
  });
  if (result.rowsWritten !== 2 || result.outputs.length !== 1)
    throw new Error(`ancient dates: ${JSON.stringify(result)}`);
  return result.outputs[0]!.replace(/^file:\/\//, "");
}

const [python, cache] = process.argv.slice(2);
if (!python || !cache) {
  console.error("usage: tsx test/spark/conformance.ts <python> <cache dir>");
  process.exit(2);
}
main(python, cache).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
