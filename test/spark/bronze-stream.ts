import * as fs from "node:fs";
import * as path from "node:path";
import type { LakehouseSpec, TableSpec } from "../../components/spec";
import { autoloaderPlans } from "../../functions/transform";
import type { SparkProcess } from "./spark-process";

/**
 * The Databricks bronze task (autoloaderPlans + spark_runner.py `run_autoloader`) on local Delta, Spark's
 * file stream standing in for Auto Loader (same schema, options, availableNow trigger, checkpoint):
 * - raw is read with the spec's schema: no inference, so an empty folder is no error;
 * - a missing or empty folder is skipped and logged; a table that fails (its bronze table exists with
 *   another schema) is logged and the others still run; the run fails at the end naming it;
 * - `_source_row` is each record's 1-based position in its file (blank lines skipped, a malformed record
 *   counted, as the converter counts them on AWS), even when Spark reads a file in several splits;
 * - a second run appends only the new file's rows (the stream's checkpoint).
 */

const NAMESPACE = "spark_catalog.stream_bronze";
/** Splits of 64 bytes: each JSON file is read by several tasks, whose ids no longer follow the file. */
const SPLIT_CONF = { "spark.sql.files.maxPartitionBytes": "64" };

interface Expected {
  readonly file: string;
  readonly row: number;
  /** The first column's value, NULL for the malformed record. */
  readonly first: string | null;
}

export async function bronzeStreamChecks(
  spark: SparkProcess,
  spec: LakehouseSpec,
  dir: string,
  check: (name: string, problems: string[]) => void,
): Promise<void> {
  const table = (name: string) => spec.tables.find((t) => t.name === name)!;
  const json = table("profile");
  const csv = table("customers");
  const raw = path.join(dir, "stream-raw");
  const expected = new Map<string, Expected[]>([
    [json.name, []],
    [csv.name, []],
  ]);
  const jsonFile = (name: string, records: number) => {
    const lines: string[] = [];
    for (let k = 1; k <= records; k++) {
      if (k === 3) lines.push("", "   "); // blank lines are no records
      if (k === 2) {
        lines.push("{not json");
        expected.get(json.name)!.push({ file: name, row: k, first: null });
        continue;
      }
      lines.push(
        JSON.stringify(Object.fromEntries(json.columns.map((c) => [c.name, `${c.name}-${name}.${k}`]))),
      );
      expected.get(json.name)!.push({ file: name, row: k, first: `${json.columns[0]!.name}-${name}.${k}` });
    }
    write(raw, json, name, lines.join("\n") + "\n");
  };
  const csvFile = (name: string, records: number) => {
    const rows = [csv.columns.map((c) => c.name).join(",")];
    for (let k = 1; k <= records; k++) {
      // A quoted field across two lines is one record.
      rows.push(
        csv.columns.map((c, i) => (i === 1 && k === 2 ? `"two\nlines"` : `${c.name}-${name}.${k}`)).join(","),
      );
      expected.get(csv.name)!.push({ file: name, row: k, first: `${csv.columns[0]!.name}-${name}.${k}` });
    }
    write(raw, csv, name, rows.join("\n") + "\n");
  };
  jsonFile("p1.json", 6);
  jsonFile("p2.json", 4);
  csvFile("c1.csv", 3);
  csvFile("c2.csv", 4);
  // brewery: an empty folder; beer: none at all; review: its bronze table exists with another schema.
  fs.mkdirSync(path.join(raw, "brewery"), { recursive: true });
  write(raw, table("review"), "r1.json", `{"review_id": "1", "operation": "insert"}\n`);
  const plans = autoloaderPlans(spec, raw, path.join(dir, "stream-checkpoints"), {
    bronze: NAMESPACE,
    silver: NAMESPACE,
    gold: NAMESPACE,
    quarantine: NAMESPACE,
  });
  const planFile = path.join(dir, "stream-bronze.json");
  fs.writeFileSync(planFile, JSON.stringify({ plans }));
  const prepared = await spark.send({
    namespaces: [NAMESPACE],
    sql: [`CREATE TABLE ${NAMESPACE}.review (review_id INT) USING delta`],
  });
  if (!prepared.ok) throw new Error(`bronze stream: ${prepared.error}`);

  for (const pass of ["first run", "second run (one new file)"]) {
    if (pass !== "first run") jsonFile("p3.json", 3);
    const reply = await spark.send({ bronze_stream: { plan: planFile, conf: SPLIT_CONF } });
    const log = reply.log ?? [];
    const problems: string[] = reply.ok ? [] : [reply.error ?? "no reply"];
    const want = (line: RegExp, what: string) => {
      if (!log.some((l) => line.test(l)))
        problems.push(`${what}: no log line ${line} in ${JSON.stringify(log)}`);
    };
    want(/^bronze beer beer\.autoload: skipped, /, "a missing folder is skipped");
    want(/^bronze brewery brewery\.autoload: skipped, no raw files under /, "an empty folder is skipped");
    want(/^bronze review review\.autoload: failed: /, "the failing table is logged");
    want(/^bronze customers customers\.autoload: \d+ rows appended$/, "the tables after it still run");
    if (!/PlansFailed: bronze failed for review; the other tables ran/.test(reply.error ?? ""))
      problems.push(`the run fails at the end naming review, got ${reply.error}`);
    check(
      `delta bronze stream ${pass}: missing and empty folders skipped, one failing table fails alone`,
      problems,
    );

    for (const t of [json, csv]) {
      const rows = await spark.send({
        sql: [
          `SELECT regexp_extract(_source_file, '[^/]+$', 0) AS file, _source_row AS row, CAST(${t.columns[0]!.name} AS STRING) AS first FROM ${NAMESPACE}.${t.name}`,
        ],
      });
      const got = rows.ok
        ? rows.results![0]!.rows.map(([file, row, first]) => JSON.stringify({ file, row, first }))
        : [];
      const wanted = expected.get(t.name)!.map((e) => JSON.stringify(e));
      const diff = [
        ...(rows.ok ? [] : [rows.error ?? ""]),
        ...wanted.filter((w) => !got.includes(w)).map((w) => `missing ${w}`),
        ...got.filter((g) => !wanted.includes(g)).map((g) => `unexpected ${g}`),
        ...(got.length !== wanted.length ? [`rows: ${got.length}, expected ${wanted.length}`] : []),
      ];
      check(
        `delta bronze stream ${pass}: ${t.name} (${t.format}) _source_row is each record's position in its file`,
        diff,
      );
    }
  }
}

function write(raw: string, table: TableSpec, name: string, text: string): void {
  fs.mkdirSync(path.join(raw, table.name), { recursive: true });
  fs.writeFileSync(path.join(raw, table.name, name), text);
}
