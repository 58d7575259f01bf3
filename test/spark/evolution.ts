import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Readable } from "node:stream";
import type { LakehouseSpec, TableSpec } from "../../components/spec";
import { stackSpec } from "../../functions/transform/dev-spec";
import { LOCAL_HASH_KEY } from "../../functions/transform/duckdb-runner";
import { buildTransformPlans, type Namespaces } from "../../functions/transform/index";
import {
  bronzeRootOf,
  convertArrival,
  openLake,
  transformLake,
} from "../../functions/transform/local-pipeline";
import { cdcBatch, initialBatch, type RawFile } from "../../functions/transform/sample-data";
import { differences, duckdbRelation } from "./relations";
import { SparkProcess, type Relation } from "./spark-process";

/**
 * npm run test:spark, second part: Spark owns table DDL (functions/transform/ddl.ts). The real
 * spark_runner.py builds silver, quarantine and ledger tables from the dev spec on Iceberg and on Delta;
 * then the spec gains a column on `brewery` and the plans run again over those tables: the data is kept,
 * the column is there (NULL in the old rows, the value in a row a new file updates), equal to DuckDB's
 * row for row. A retyped column is refused naming the table and the column, and the table is untouched;
 * with a `recast` migration it is converted; a removed column with a `drop` migration is deleted.
 * Usage: tsx test/spark/evolution.ts <python of the Spark venv> <cache dir>
 */

const FORMATS = {
  iceberg: { engine: "spark-iceberg", catalog: "glue_catalog" },
  delta: { engine: "spark-delta", catalog: "spark_catalog" },
} as const;
type Format = keyof typeof FORMATS;

const TABLE = "brewery";
const ADDED = "founded";

const namespacesIn = (catalog: string): Namespaces => ({
  bronze: `${catalog}.bronze`,
  silver: `${catalog}.silver`,
  gold: `${catalog}.gold`,
  quarantine: `${catalog}.quarantine`,
});

/** The spec with `brewery` changed by `change`. */
function withBrewery(spec: LakehouseSpec, change: (table: TableSpec) => TableSpec): LakehouseSpec {
  return { ...spec, tables: spec.tables.map((t) => (t.name === TABLE ? change(t) : t)) };
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

/** What the function wrote to stderr (the runner's traceback and message) while it ran, also passed on. */
async function capturingStderr<T>(run: () => Promise<T>): Promise<{ result: T; stderr: string }> {
  const original = process.stderr.write.bind(process.stderr);
  let text = "";
  process.stderr.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
    text += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString();
    return original(chunk, ...rest);
  }) as typeof process.stderr.write;
  try {
    return { result: await run(), stderr: text };
  } finally {
    process.stderr.write = original;
  }
}

async function main(python: string, cache: string): Promise<number> {
  process.env.MEDALLION_HASH_KEY = LOCAL_HASH_KEY;
  const base = stackSpec("dev");
  const added = withBrewery(base, (t) => ({
    ...t,
    columns: [...t.columns, { name: ADDED, type: "int", nullable: true }],
  }));
  const retyped = withBrewery(added, (t) => ({
    ...t,
    columns: t.columns.map((c) => (c.name === ADDED ? { ...c, type: "bigint" as const } : c)),
  }));
  const recast = withBrewery(retyped, (t) => ({ ...t, migrations: [{ column: ADDED, change: "recast" }] }));
  const dropped = withBrewery(base, (t) => ({ ...t, migrations: [{ column: ADDED, change: "drop" }] }));
  const relations = [`silver.${TABLE}`, `quarantine.${TABLE}`, `silver._consumed_${TABLE}`];

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "spark-evolution-"));
  const lakeDir = path.join(dir, "duckdb");
  fs.mkdirSync(lakeDir, { recursive: true });
  const lake = await openLake(lakeDir);
  const only = process.env.SPARK_FORMATS?.split(",");
  const formats = (Object.keys(FORMATS) as Format[]).filter((f) => !only || only.includes(f));
  const sparks = new Map(
    formats.map((f) => [f, new SparkProcess(python, f, path.join(dir, f), path.join(cache, "ivy"))]),
  );
  const planFile = (format: Format, spec: LakehouseSpec, label: string): string => {
    const plans = buildTransformPlans(spec, FORMATS[format].engine, namespacesIn(FORMATS[format].catalog), {
      bronzeRoot: bronzeRootOf(lakeDir),
    });
    const file = path.join(dir, `${format}-${label}.json`);
    // brewery's plan only: the other tables' would only repeat what test/spark/conformance.ts checks.
    fs.writeFileSync(file, JSON.stringify({ plans: plans.bronzeToSilver.filter((p) => p.name === TABLE) }));
    return file;
  };
  const arrive = async (spec: LakehouseSpec, batch: string, files: RawFile[], at: string) => {
    for (const [i, file] of files.entries())
      await convertArrival(spec, lakeDir, {
        table: file.table,
        open: () => Readable.from([Buffer.from(file.text)]),
        controlId: `file://samples/${batch}/${file.table}`,
        ingestedAt: new Date(Date.parse(at) + i),
      });
  };
  const duckdb = async () => {
    const out = new Map<string, Relation>();
    for (const name of relations) out.set(name, await duckdbRelation(lake.connection, `FROM ${name}`));
    return out;
  };
  const dump = async (format: Format) => {
    const catalog = FORMATS[format].catalog;
    const reply = await sparks.get(format)!.send({ dump: relations.map((r) => `${catalog}.${r}`) });
    return new Map(relations.map((r) => [r, reply.tables?.[`${catalog}.${r}`] ?? null]));
  };
  const runSpark = (format: Format, spec: LakehouseSpec, label: string) =>
    sparks.get(format)!.send({ run: [planFile(format, spec, label)] });
  const sameAsDuckdb = async (phase: string, expected: Map<string, Relation>) => {
    for (const format of formats) {
      const tables = await dump(format);
      for (const name of relations)
        check(
          `${format} ${phase}: ${name} equals DuckDB's`,
          differences(expected.get(name)!, tables.get(name) ?? null),
        );
    }
  };
  const columnOf = (relation: Relation | null | undefined, column: string) =>
    relation?.columns.find(([name]) => name === column)?.[1];

  try {
    for (const [format, spark] of sparks) {
      const ready = await spark.ready();
      if (!ready.ok) throw new Error(`${format}: Spark did not start: ${ready.error}`);
      const created = await spark.send({ namespaces: Object.values(namespacesIn(FORMATS[format].catalog)) });
      if (!created.ok) throw new Error(`${format}: ${created.error}`);
    }

    // 1. The tables, made by the runner from the spec as it was.
    await arrive(base, "initial", initialBatch(base), "2024-07-01T02:00:00Z");
    await transformLake(lake.connection, base, lakeDir);
    const before = await duckdb();
    for (const format of formats) {
      const reply = await runSpark(format, base, "base");
      check(`${format}: the runner creates the tables`, reply.ok ? [] : [reply.error ?? ""]);
    }
    await sameAsDuckdb("created", before);

    // 2. The spec adds a column; a new file (the converter writes it) updates the first brewery.
    await arrive(
      added,
      "added",
      cdcBatch(added).filter((f) => f.table === TABLE),
      "2024-07-02T02:00:00Z",
    );
    await transformLake(lake.connection, added, lakeDir);
    const evolved = await duckdb();
    const silver = evolved.get(`silver.${TABLE}`)!;
    const at = silver.columns.findIndex(([name]) => name === ADDED);
    const filled = silver.rows.filter((row) => row[at] !== null).length;
    check("duckdb: the added column is NULL in the old rows, set in the updated one", [
      ...(at < 0 ? [`no column ${ADDED}`] : []),
      ...(filled === 1 ? [] : [`${filled} rows with ${ADDED} set, expected 1`]),
      ...(silver.rows.length === before.get(`silver.${TABLE}`)!.rows.length ? [] : ["row count changed"]),
    ]);
    for (const format of formats) {
      const reply = await runSpark(format, added, "added");
      check(`${format}: the plans run over the existing tables`, reply.ok ? [] : [reply.error ?? ""]);
    }
    await sameAsDuckdb("column added", evolved);

    // 3. The column retyped without a migration: refused, naming table and column; nothing changes.
    for (const format of formats) {
      const { result, stderr } = await capturingStderr(() => runSpark(format, retyped, "retyped"));
      const table = `${FORMATS[format].catalog}.silver.${TABLE}`;
      check(`${format}: a retyped column is refused as a breaking change`, [
        ...(result.ok ? ["the run succeeded"] : []),
        ...(stderr.includes(`breaking schema change on ${table}, column ${ADDED}`)
          ? []
          : [`stderr does not name ${table} and ${ADDED}`]),
      ]);
      const tables = await dump(format);
      check(
        `${format}: the refused run leaves the table as it was`,
        differences(evolved.get(`silver.${TABLE}`)!, tables.get(`silver.${TABLE}`) ?? null),
      );
    }

    // 4. With a `recast` migration: converted in place, values kept.
    await transformLake(lake.connection, recast, lakeDir);
    const recasted = await duckdb();
    check(
      "duckdb: recast to bigint",
      columnOf(recasted.get(`silver.${TABLE}`), ADDED) === "bigint" ? [] : ["not bigint"],
    );
    for (const format of formats) {
      const reply = await runSpark(format, recast, "recast");
      check(`${format}: a recast migration runs`, reply.ok ? [] : [reply.error ?? ""]);
    }
    await sameAsDuckdb("column recast", recasted);

    // 5. The column removed with a `drop` migration: deleted, the rest kept.
    await transformLake(lake.connection, dropped, lakeDir);
    const removed = await duckdb();
    check(
      "duckdb: dropped",
      columnOf(removed.get(`silver.${TABLE}`), ADDED) === undefined ? [] : ["still there"],
    );
    for (const format of formats) {
      const reply = await runSpark(format, dropped, "dropped");
      check(`${format}: a drop migration runs`, reply.ok ? [] : [reply.error ?? ""]);
    }
    await sameAsDuckdb("column dropped", removed);
  } finally {
    lake.close();
    for (const spark of sparks.values()) await spark.close();
  }
  console.log(`${passed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

const [python, cache] = process.argv.slice(2);
if (!python || !cache) {
  console.error("usage: tsx test/spark/evolution.ts <python> <cache dir>");
  process.exit(2);
}
// SparkProcess.close() never resolves for a process that already exited (Spark failed to start): Node then
// leaves with the exit code set here instead of 0.
process.exitCode = 1;
main(python, cache).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
