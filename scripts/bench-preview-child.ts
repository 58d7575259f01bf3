/**
 * One measurement for `scripts/bench-preview.ts`, always in a fresh process so module load time and
 * peak RSS are honest. Not meant to be run by hand.
 *
 *   bench-preview-child.ts preview <root> <spec.json>   previews stack "dev" with the spec as medallion:lakehouse
 *   bench-preview-child.ts sdk <module>...              only loads the given SDK modules (the reference)
 *
 * Prints one JSON line last: { resources, ms, cpuMs, maxRssKiB } (ms is the in-process time of the work,
 * cpuMs the whole process's user + system CPU time, which a loaded machine inflates far less than wall time).
 */
import * as fs from "node:fs";
import { createRequire } from "node:module";
import type * as Preview from "../infra/preview/preview";

export interface ChildResult {
  /** Resources in the plan (0 for the SDK-load reference). */
  readonly resources: number;
  /** In-process time of the measured work, after this file's own imports loaded. */
  readonly ms: number;
  /** process.cpuUsage(): user + system CPU time of the whole process (start-up included), ms. */
  readonly cpuMs: number;
  /** process.resourceUsage().maxRSS: peak resident set size in KiB. */
  readonly maxRssKiB: number;
}

async function main(argv: readonly string[]): Promise<ChildResult> {
  const [mode, ...rest] = argv;
  const started = performance.now();
  const load = createRequire(__filename);
  let resources = 0;
  if (mode === "preview") {
    const [root, specFile] = rest;
    if (!root || !specFile) throw new Error("usage: preview <root> <spec.json>");
    const spec = fs.readFileSync(specFile, "utf8");
    // Loaded here, not at the top, so the SDK-load reference does not load the preview's modules.
    const { previewStack } = load("../infra/preview/preview") as typeof Preview;
    const result = await previewStack({ root, stack: "dev", overrides: { "medallion:lakehouse": spec } });
    resources = result.plan.resources.length;
  } else if (mode === "sdk") {
    for (const name of rest) load(name);
  } else {
    throw new Error(`unknown mode ${mode ?? "(none)"}; expected preview or sdk`);
  }
  const cpu = process.cpuUsage();
  return {
    resources,
    ms: performance.now() - started,
    cpuMs: (cpu.user + cpu.system) / 1000,
    maxRssKiB: process.resourceUsage().maxRSS,
  };
}

if (require.main === module) {
  // The same knob, with the same default, as infra/preview/cli.ts.
  Error.stackTraceLimit = Number(process.env.MEDALLION_STACK_TRACE_LIMIT ?? 3);
  main(process.argv.slice(2)).then(
    (result) => {
      process.stdout.write(`${JSON.stringify(result)}\n`);
      process.exit(0);
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
