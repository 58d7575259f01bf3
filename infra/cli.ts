import { parseArgs, type ParseArgsConfig } from "node:util";

type Options = NonNullable<ParseArgsConfig["options"]>;
type Values<O extends Options> = ReturnType<
  typeof parseArgs<{ args: string[]; options: O; strict: true }>
>["values"];

/**
 * The shared shape of the project's command-line tools: flags parsed strictly; `--help` prints the
 * usage and exits 0; a usage error prints the usage and exits 2.
 */
export function parseCli<O extends Options>(
  argv: readonly string[],
  options: O,
  usage: string,
  settings: { readonly positionals?: boolean } = {},
): { values: Values<O>; positionals: string[] } | { exit: number } {
  if (argv.includes("--help") || argv.includes("-h")) {
    console.log(usage);
    return { exit: 0 };
  }
  try {
    const parsed = parseArgs({
      args: [...argv],
      options,
      strict: true,
      allowPositionals: settings.positionals ?? false,
    });
    return { values: parsed.values as Values<O>, positionals: parsed.positionals };
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${usage}`);
    return { exit: usageExit(argv) };
  }
}

/**
 * The exit code of a usage error: 2, except under `--detailed-exitcode`, where 2 means "changes" and
 * every error is 1 (as `terraform plan -detailed-exitcode` and `pulumi preview --expect-no-changes` do).
 */
export function usageExit(argv: readonly string[]): number {
  return argv.includes("--detailed-exitcode") ? 1 : 2;
}

/** Runs a tool's `main` as the process entry: its result is the exit code, a crash exits 1. */
export function runAsMain(main: (argv: readonly string[]) => number | Promise<number>): void {
  // Pulumi captures a stack trace for every registration and internal promise; a short limit trims that
  // cost (measured, with the caveats, in docs/BENCHMARKS.md).
  Error.stackTraceLimit = Number(process.env.MEDALLION_STACK_TRACE_LIMIT ?? 3);
  Promise.resolve()
    .then(() => main(process.argv.slice(2)))
    .then(
      (code) => process.exit(code),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
}
