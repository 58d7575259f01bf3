#!/usr/bin/env node
/** The entry of the published bin (dist/bin/medallion.js, bundled by scripts/build-package.ts). */
import { runAsMain } from "./cli";
import { main } from "./medallion";

runAsMain(async (argv) => {
  const code = await main(argv);
  // runAsMain exits the process: let a long output (a plan as --json) reach a pipe first.
  await new Promise<void>((resolve) => process.stdout.write("", () => resolve()));
  return code;
});
