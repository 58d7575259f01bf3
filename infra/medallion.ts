/**
 * `medallion`: the package's command (bin). Dispatches to the offline tools, each with its own --help:
 * the same code as this repository's `npm run preview`, `npm run policy` and `npm run pipeline:local`.
 * Published as dist/bin/medallion.js, one bundled CommonJS file run by plain `node` (scripts/build-package.ts).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { ConfigError, initStackFile, printSchema } from "../components/spec";
import { parseCli, runAsMain } from "./cli";
import { loadStack } from "./config";
import { readStackConfig, StackFileError } from "./preview/stack-file";

interface Command {
  readonly summary: string;
  readonly run: (argv: readonly string[]) => number | Promise<number>;
}

const COMMANDS: Readonly<Record<string, Command>> = {
  preview: {
    summary:
      "run the Pulumi project in this folder offline under mocks; print, write (--out) or diff (--diff) its plan",
    run: async (argv) => (await import("./preview/cli")).main(argv),
  },
  diff: {
    summary: "compare two plan files: spec summary, then resources (--json, --detailed-exitcode)",
    run: async (argv) => (await import("./preview/diff-cli")).main(argv),
  },
  policy: {
    summary: "the policy pack over a stack's offline preview or a plan file (--json, --sarif)",
    run: async (argv) => (await import("./policy/cli")).main(argv),
  },
  validate: {
    summary: "check a stack file's medallion config (the spec and the stack keys) without previewing",
    run: validate,
  },
  schema: {
    summary:
      "print the JSON Schema of the stack file (--spec: of the lakehouse spec alone), for editors and CI",
    run: schema,
  },
  init: {
    summary: "write a minimal, valid stack file (--cloud aws|azure)",
    run: init,
  },
  pipeline: {
    summary: "your raw files (or sample data) through converter, bronze, silver and gold on DuckDB",
    run: pipeline,
  },
};

const USAGE = `usage: medallion <command> [options]      (medallion <command> --help for its options)

${Object.entries(COMMANDS)
  .map(([name, command]) => `  ${name.padEnd(9)} ${command.summary}`)
  .join("\n")}

Every command runs offline: no cloud account, no credentials, no Pulumi CLI.`;

export async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    console.log(USAGE);
    return name === undefined ? 2 : 0;
  }
  if (name === "--version") {
    console.log(packageVersion());
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    console.error(`unknown command "${name}"\n\n${USAGE}`);
    return 2;
  }
  return command.run(rest);
}

const VALIDATE_USAGE = `usage: medallion validate --stack <name>

Reads Pulumi.yaml and Pulumi.<name>.yaml in the current folder and checks the medallion config
(medallion:cloud, medallion:environment, medallion:lakehouse, medallion:secrets, the cloud's keys) as the
program will, without running it. Prints every problem with its field path.

Exit codes: 0 valid, 1 invalid or unreadable, 2 usage error.`;

async function validate(argv: readonly string[], root = process.cwd()): Promise<number> {
  const parsed = parseCli(argv, { stack: { type: "string", short: "s" } }, VALIDATE_USAGE);
  if ("exit" in parsed) return parsed.exit;
  if (!parsed.values.stack) {
    console.error(`--stack is required\n\n${VALIDATE_USAGE}`);
    return 2;
  }
  try {
    const stack = readStackConfig(root, parsed.values.stack);
    const secret = new Set(stack.secretKeys);
    const loaded = loadStack(
      (key) => stack.config[key],
      (key) => secret.has(key),
      false,
      path.join(root, `Pulumi.${parsed.values.stack}.yaml`),
    );
    const spec = loaded.settings.spec;
    console.log(
      `Pulumi.${parsed.values.stack}.yaml: valid (${loaded.settings.cloud}, ${spec.tables.length} tables, ${spec.views.length} views, ${spec.gold.length} gold models${spec.protect ? ", protected" : ""})`,
    );
    return 0;
  } catch (error) {
    if (error instanceof ConfigError || error instanceof StackFileError) {
      console.error(`error: ${error.message}`);
      return 1;
    }
    throw error;
  }
}

const SCHEMA_USAGE = `usage: medallion schema [--spec]

Prints the JSON Schema (draft 2020-12) of a whole Pulumi.<stack>.yaml (its config: document), or with --spec
of the medallion:lakehouse spec alone. Editors take it through a first line
"# yaml-language-server: $schema=<path to the schema>".`;

function schema(argv: readonly string[]): number {
  const parsed = parseCli(argv, { spec: { type: "boolean" } }, SCHEMA_USAGE);
  if ("exit" in parsed) return parsed.exit;
  printSchema({ spec: parsed.values.spec === true });
  return 0;
}

const INIT_USAGE = `usage: medallion init --cloud aws|azure [--stack <name>] [--force]

Writes Pulumi.<name>.yaml (default dev) in the current folder: a minimal stack file that validates and
previews, with the schema line for editors. Refuses to overwrite a file unless --force.`;

function init(argv: readonly string[]): number {
  const parsed = parseCli(
    argv,
    { cloud: { type: "string" }, stack: { type: "string", short: "s" }, force: { type: "boolean" } },
    INIT_USAGE,
  );
  if ("exit" in parsed) return parsed.exit;
  const cloud = parsed.values.cloud;
  if (cloud !== "aws" && cloud !== "azure") {
    console.error(`--cloud must be aws or azure\n\n${INIT_USAGE}`);
    return 2;
  }
  try {
    const file = initStackFile(cloud, {
      ...(parsed.values.stack ? { stack: parsed.values.stack } : {}),
      force: parsed.values.force === true,
    });
    console.log(`wrote ${file}`);
    return 0;
  } catch (error) {
    console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

async function pipeline(argv: readonly string[]): Promise<number> {
  let run: typeof import("../scripts/pipeline-local").main;
  try {
    run = (await import("../scripts/pipeline-local")).main;
  } catch (error) {
    // DuckDB is a native module the package does not install for everyone (it is the only command using it).
    if (/@duckdb\/node-api/.test(String((error as Error).message))) {
      console.error(
        "error: medallion pipeline runs on DuckDB: install it beside the package (npm install --save-dev @duckdb/node-api@1.5.5-r.5).",
      );
      return 1;
    }
    throw error;
  }
  // Under `npm run`, the folder the user typed the command in is INIT_CWD (npm runs in the package root).
  return run(argv, { cwd: process.env.INIT_CWD ?? process.cwd() });
}

function packageVersion(): string {
  for (const candidate of [
    path.join(__dirname, "..", "package.json"),
    path.join(__dirname, "..", "..", "package.json"),
  ]) {
    if (fs.existsSync(candidate)) {
      const manifest = JSON.parse(fs.readFileSync(candidate, "utf8")) as { name?: string; version?: string };
      if (manifest.name === "medallion-lakehouse") return manifest.version ?? "unknown";
    }
  }
  return "unknown";
}

if (require.main === module) runAsMain(main);
