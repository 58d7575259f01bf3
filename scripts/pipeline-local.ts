import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { stackSpec } from "../functions/transform/dev-spec";
import { formatSummary, runLocalBatch, type BatchSummary } from "../functions/transform/local-pipeline";
import { cdcBatch, initialBatch } from "../functions/transform/sample-data";

const USAGE = "usage: npm run pipeline:local -- [--stack dev] [--dir <dir>] [--rows 20] [--only initial|cdc]";

/** Gold models printed with their first rows. */
const SAMPLES = ["top_beers_by_rating", "customers_per_store"];

/**
 * The embedded default for data engineers: sample data for a stack's spec (PII and deliberately bad rows)
 * through the converter, bronze Parquet and the generated DuckDB SQL to silver and gold, then a CDC batch
 * of updates, deletes and a re-insert merged on top. Nothing leaves the machine.
 */
export async function main(argv: string[]): Promise<BatchSummary[]> {
  const { values } = parseArgs({
    args: argv,
    options: {
      stack: { type: "string", default: "dev" },
      dir: { type: "string" },
      rows: { type: "string", default: "20" },
      only: { type: "string" },
    },
  });
  if (values.only && !["initial", "cdc"].includes(values.only))
    throw new Error(`--only must be initial or cdc\n${USAGE}`);
  const rows = Number(values.rows);
  if (!Number.isInteger(rows) || rows < 5)
    throw new Error(`--rows must be a whole number of at least 5\n${USAGE}`);
  const spec = stackSpec(values.stack);
  const dir = values.dir ? path.resolve(values.dir) : fs.mkdtempSync(path.join(os.tmpdir(), "lakehouse-"));
  fs.mkdirSync(dir, { recursive: true });
  console.log(`pipeline: stack ${values.stack}, working directory ${dir}`);
  const summaries: BatchSummary[] = [];
  if (values.only !== "cdc") {
    const summary = await runLocalBatch({
      spec,
      dir,
      batch: "initial",
      files: initialBatch(spec, { rowsPerTable: rows }),
      ingestedAt: new Date("2024-07-01T02:00:00Z"),
    });
    console.log(formatSummary(summary, SAMPLES));
    summaries.push(summary);
  }
  if (values.only !== "initial") {
    const summary = await runLocalBatch({
      spec,
      dir,
      batch: "cdc",
      files: cdcBatch(spec, { rowsPerTable: rows }),
      ingestedAt: new Date("2024-07-02T02:00:00Z"),
    });
    console.log(formatSummary(summary, SAMPLES));
    summaries.push(summary);
  }
  console.log(
    `pipeline: raw files, bronze Parquet and lake.duckdb are in ${dir} (duckdb ${path.join(dir, "lake.duckdb")})`,
  );
  return summaries;
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
