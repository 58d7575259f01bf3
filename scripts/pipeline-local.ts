import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ConfigError, type LakehouseSpec } from "../components/spec";
import { parseCli, runAsMain } from "../infra/cli";
import { loadStack } from "../infra/config";
import { readStackConfig, StackFileError } from "../infra/preview/stack-file";
import { formatSummary, lakeFile, openLake, type BatchSummary } from "../functions/transform/local-pipeline";
import { cdcBatch, initialBatch, type RawFile } from "../functions/transform/sample-data";
import { dumpLines, parseDumpTarget } from "./pipeline-local-dump";
import { ingestRaw, PipelineError, type RawBatchResult } from "./pipeline-local-raw";
import { formatFigures, htmlReport, tableFigures } from "./pipeline-local-report";

const USAGE = `usage: npm run pipeline:local -- [--stack <s>] --dir <lake> --raw <folder> [--json] [--dump <layer>.<name>] [--report <file.html>]
       npm run pipeline:local -- [--stack <s>] --dir <lake> --dump <layer>.<name>
       npm run pipeline:local -- [--stack <s>] [--dir <lake>] [--rows 20] [--only initial|cdc] [--json]

Runs the lakehouse of Pulumi.<s>.yaml on this machine: the cloud's converter into bronze Parquet, then the
generated DuckDB SQL for silver (MERGE, masking, quality gate), the flat views and gold, in <lake>/lake.duckdb.

  --stack <s>      the stack file whose spec is loaded and validated as the preview does (default dev)
  --dir <lake>     the lake; kept between runs, so each --raw call is one more batch (created when missing)
  --raw <folder>   one batch: every file under <folder>/<table>/ (subfolders too) is one arrival, in lexical
                   order of its path, read in the table's format, gzip (.gz) or plain. A folder that is not a table
                   of the spec is an error and nothing is written. A file already ingested (same path under
                   <folder>, same SHA-256) is skipped, as the cloud skips a re-delivered object version; the
                   same path with other bytes is a new version and is ingested. Its rows' _ingested_at is
                   its arrival time: the run's clock, 1 ms apart per file, after every earlier arrival.
  --json           print the batch summary as one JSON object on stdout, nothing else
  --dump <target>  print a table as JSON lines (DuckDB's to_json) on stdout, after --raw when both are given
                   (the batch summary then goes to stderr): bronze.<table> (with its partition columns),
                   silver.<table> (with _is_deleted, _created_at, _updated_at, _ingested_at),
                   views.<view>, gold.<model>, or quarantine.<table>: every rejected row of both stages,
                   {"stage":"convert","source","line","reason","raw"} from the converter and
                   {"stage":"quality","source","reason","rule","column","row"} from the quality gate
  --report <file>  also write the batch (or the sample batches) as a self-contained HTML report: rows per
                   layer and quarantine reasons as charts, and the per-table figures the text output ends with
  --rows, --only   without --raw and --dump: generated sample data (valid PII, one bad row per rule, one
                   unparseable row), an initial batch then a CDC batch; --only runs one of them
  --help           this text

Relative --dir and --raw paths are relative to where the command is typed. npm prints its own header lines
on stdout: pipe --json and --dump output with \`npm run -s pipeline:local -- ...\`.

Exit codes: 0 done; 1 a bad stack, a --dump directory with no lake, a missing --raw folder, an unknown table
folder or dump target (one line on stderr; an invalid spec lists its problems), or a failed step; 2 a usage error.`;

/** Gold models printed with their first rows. */
const SAMPLES = ["top_beers_by_rating", "customers_per_store"];

/** The sample mode's two batches and when each arrives (fixed, so every run builds the same lake). */
const SAMPLE_BATCHES = {
  initial: { files: initialBatch, at: new Date("2024-07-01T02:00:00Z") },
  cdc: { files: cdcBatch, at: new Date("2024-07-02T02:00:00Z") },
} as const;

export interface MainOptions {
  /** Directory holding Pulumi.yaml and the stack files. @default the repository root */
  readonly root?: string;
  /** The clock for arrival times. @default the current time */
  readonly now?: () => Date;
  /** What relative --dir and --raw paths are relative to. @default the current directory */
  readonly cwd?: string;
}

/** Exit codes: 0 ok, 1 a bad stack, folder, table or dump target, or a failed step, 2 usage error. */
export async function main(argv: readonly string[], options: MainOptions = {}): Promise<number> {
  const parsed = parseCli(
    argv,
    {
      stack: { type: "string", short: "s", default: "dev" },
      dir: { type: "string" },
      raw: { type: "string" },
      json: { type: "boolean", default: false },
      dump: { type: "string" },
      rows: { type: "string" },
      only: { type: "string" },
      report: { type: "string" },
    },
    USAGE,
  );
  if ("exit" in parsed) return parsed.exit;
  const args = parsed.values;
  const usage = (message: string) => {
    console.error(`${message}\n\n${USAGE}`);
    return 2;
  };
  if ((args.raw || args.dump) && !args.dir) return usage("--raw and --dump need --dir <lake>");
  if (args.json && args.dump) return usage("--json and --dump both print on stdout: pick one");
  if (args.report && args.dump && !args.raw)
    return usage("--report needs a batch (--raw or the sample data), not --dump alone");
  if ((args.raw || args.dump) && (args.rows || args.only))
    return usage("--rows and --only are for the sample data, not --raw or --dump");
  const root = options.root ?? path.resolve(__dirname, "..");
  const now = options.now ?? (() => new Date());
  const cwd = options.cwd ?? process.cwd();
  try {
    const spec = loadSpec(root, args.stack);
    const dir = args.dir ? path.resolve(cwd, args.dir) : undefined;
    const target = args.dump ? parseDumpTarget(spec, args.dump) : undefined;
    if (target && !args.raw && !fs.existsSync(lakeFile(dir!)))
      throw new PipelineError(`no lake in ${dir}: no such directory or no lake.duckdb (run --raw first)`);
    if (args.raw) {
      const result = await ingestRaw({ spec, dir: dir!, raw: path.resolve(cwd, args.raw), now: now() });
      const raw = path.resolve(cwd, args.raw);
      if (args.json) console.log(JSON.stringify(jsonSummary(args.stack, dir!, raw, result)));
      else (target ? console.error : console.log)(formatBatch(args.stack, dir!, raw, result));
      if (args.report) writeReport(path.resolve(cwd, args.report), args.stack, dir!, [result]);
    }
    if (target) {
      const lake = await openLake(dir!, { readOnly: true });
      try {
        for (const line of await dumpLines(lake.connection, spec, dir!, target)) console.log(line);
      } finally {
        lake.close();
      }
    }
    if (!args.raw && !target) {
      const batches = await samples(spec, { ...args, dir });
      if (args.report) writeReport(path.resolve(cwd, args.report), args.stack, batches.dir, batches.results);
    }
    return 0;
  } catch (error) {
    console.error(`error: ${(error as Error).message}`);
    return 1;
  }
}

/** runAsMain exits the process: wait for stdout first (a pipe is asynchronous on macOS, and a dump is long). */
function flushStdout(): Promise<void> {
  return new Promise((resolve) => process.stdout.write("", () => resolve()));
}

/** The spec of `Pulumi.<stack>.yaml`, read and validated exactly as the offline preview does. */
function loadSpec(root: string, stack: string): LakehouseSpec {
  try {
    const { config, secretKeys } = readStackConfig(root, stack);
    const secret = new Set(secretKeys);
    return loadStack(
      (key) => config[key],
      (key) => secret.has(key),
    ).settings.spec;
  } catch (error) {
    if (error instanceof StackFileError) throw new PipelineError(`bad stack "${stack}": ${error.message}`);
    if (error instanceof ConfigError) throw new PipelineError(error.message);
    throw error;
  }
}

/** The sample mode: generated raw files written under <dir>/samples/<batch>/ and ingested as --raw would. */
async function samples(
  spec: LakehouseSpec,
  args: { stack: string; dir?: string; rows?: string; only?: string; json: boolean },
): Promise<{ dir: string; results: RawBatchResult[] }> {
  if (args.only && !(args.only in SAMPLE_BATCHES))
    throw new PipelineError(`--only must be initial or cdc, not "${args.only}"`);
  const rows = Number(args.rows ?? 20);
  if (!Number.isInteger(rows) || rows < 5)
    throw new PipelineError(`--rows must be a whole number of at least 5, not "${args.rows}"`);
  const dir = args.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), "lakehouse-"));
  const log = args.json ? console.error : console.log;
  log(`pipeline: stack ${args.stack}, working directory ${dir}`);
  const batches: RawBatchResult[] = [];
  for (const [name, batch] of Object.entries(SAMPLE_BATCHES)) {
    if (args.only && args.only !== name) continue;
    const raw = path.join(dir, "samples", name);
    writeRawFiles(raw, name, batch.files(spec, { rowsPerTable: rows }));
    // Fixed arrival times, unless the lake already holds later ones (ingestRaw keeps arrivals increasing).
    const result = await ingestRaw({ spec, dir, raw, now: batch.at, label: name });
    if (!args.json) log(formatBatch(args.stack, dir, raw, result));
    batches.push(result);
  }
  if (args.json) {
    console.log(
      JSON.stringify({
        stack: args.stack,
        dir,
        batches: batches.map((b) => jsonSummary(args.stack, dir, path.join(dir, "samples"), b)),
      }),
    );
  }
  log(`pipeline: raw files, bronze Parquet and lake.duckdb are in ${dir} (duckdb ${lakeFile(dir)})`);
  return { dir, results: batches };
}

function writeReport(file: string, stack: string, dir: string, results: readonly RawBatchResult[]): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(
    file,
    htmlReport(
      stack,
      dir,
      results.map((result) => ({ result, figures: tableFigures(result) })),
    ),
  );
  console.error(`pipeline: report written to ${file}`);
}

function writeRawFiles(raw: string, batch: string, files: readonly RawFile[]): void {
  for (const file of files) {
    const at = path.join(raw, file.table, `${batch}.${file.format}`);
    fs.mkdirSync(path.dirname(at), { recursive: true });
    fs.writeFileSync(at, file.text);
  }
}

/** The `--json` object: the batch, each file's outcome and the summary of every layer. */
export function jsonSummary(stack: string, dir: string, raw: string, result: RawBatchResult) {
  const { batch: label, ...summary } = result.summary;
  return {
    stack,
    dir,
    raw: path.resolve(raw),
    batch: result.batch,
    label,
    transformed: result.transformed,
    files: result.files,
    ...summary,
  } satisfies Record<string, unknown> & Omit<BatchSummary, "batch">;
}

function formatBatch(stack: string, dir: string, raw: string, result: RawBatchResult): string {
  const count = (status: string) => result.files.filter((f) => f.status === status).length;
  const lines = [
    `pipeline: stack ${stack}, lake ${dir}, raw ${path.resolve(raw)}: batch ${result.batch}, ` +
      `${result.files.length} files (${count("ingested") + count("retried")} ingested, ${count("skipped")} skipped)`,
  ];
  const width = Math.max(0, ...result.files.map((f) => f.path.length));
  for (const file of result.files) {
    lines.push(
      `  ${file.status.padEnd(8)}  ${file.path.padEnd(width)}  ` +
        (file.status === "skipped"
          ? `already ingested in batch ${file.batch} (sha256 ${file.sha256.slice(0, 12)}…)`
          : `${file.rowsIn} records: ${file.rowsWritten} to bronze, ${file.rowsQuarantined} quarantined`),
    );
  }
  if (!result.transformed) lines.push("nothing new: the lake is unchanged");
  lines.push(formatSummary(result.summary, SAMPLES));
  lines.push(formatFigures(tableFigures(result)));
  return lines.join("\n");
}

if (require.main === module)
  runAsMain(async (argv) => {
    // npm runs scripts in the package root; INIT_CWD is where the user typed the command.
    const code = await main(argv, { cwd: process.env.INIT_CWD });
    await flushStdout();
    return code;
  });
