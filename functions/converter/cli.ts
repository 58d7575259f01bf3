import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { parseLakehouseSpec } from "../../components/spec";
import { readStackConfig } from "../../infra/preview/stack-file";
import { convert } from "../lib/convert/convert";
import { DirectorySink } from "../lib/convert/sinks";

const USAGE =
  "usage: npm run convert -- --stack <stack> --table <table> --input <file> --output <dir> [--batch-rows N]";

/**
 * Converts a local raw file exactly as the cloud converter would, into a local Hive-partitioned directory.
 * Prints one JSON line `{"rowsIn":…,"rowsWritten":…,"rowsQuarantined":…}`; diagnostics go to stderr.
 */
export async function main(argv: string[], root = process.cwd()): Promise<string> {
  const { values } = parseArgs({
    args: argv,
    options: {
      stack: { type: "string" },
      table: { type: "string" },
      input: { type: "string" },
      output: { type: "string" },
      "batch-rows": { type: "string" },
    },
  });
  const missing = ["stack", "table", "input", "output"].filter((k) => !values[k as keyof typeof values]);
  if (missing.length > 0) throw new Error(`missing ${missing.map((m) => `--${m}`).join(", ")}\n${USAGE}`);
  const config = readStackConfig(root, values.stack!);
  const raw = config.config["medallion:lakehouse"];
  if (!raw) throw new Error(`Pulumi.${values.stack}.yaml has no medallion:lakehouse`);
  const spec = parseLakehouseSpec(JSON.parse(raw));
  const table = spec.tables.find((t) => t.name === values.table);
  if (!table)
    throw new Error(
      `no table "${values.table}" in stack ${values.stack}; tables: ${spec.tables.map((t) => t.name).join(", ")}`,
    );
  const input = path.resolve(values.input!);
  const result = await convert({
    table,
    source: fs.createReadStream(input),
    sink: new DirectorySink(path.resolve(values.output!)),
    controlId: `file://${input}`,
    ingestedAt: new Date(),
    batchRows: values["batch-rows"] ? Number(values["batch-rows"]) : undefined,
  });
  return JSON.stringify({
    rowsIn: result.rowsIn,
    rowsWritten: result.rowsWritten,
    rowsQuarantined: result.rowsQuarantined,
  });
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (line) => console.log(line),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exitCode = 1;
    },
  );
}
