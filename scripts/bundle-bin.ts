import * as fs from "node:fs";
import * as path from "node:path";
import { build } from "esbuild";

const ROOT = path.resolve(__dirname, "..");

/**
 * The `medallion` bin as published: one CommonJS file with the CLI's own code, for plain `node`. Left
 * outside: the @pulumi packages (the consumer's program and the harness must share one @pulumi/pulumi,
 * the one the mocks are set on), what loads a TypeScript program (the project's own tsx or typescript),
 * and what only some commands need and the package does not depend on: DuckDB, parquet-wasm and
 * apache-arrow (medallion pipeline), and the IAM simulator @cloud-copilot/iam-simulate (AGPL-3.0: never
 * bundled into this Apache-2.0 package; the policy command says when it is missing).
 */
export async function bundleBin(outfile: string): Promise<void> {
  await build({
    entryPoints: [path.join(ROOT, "infra", "medallion-bin.ts")],
    outfile,
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    external: [
      "@pulumi/*",
      "typescript",
      "tsx",
      "tsx/*",
      "@duckdb/node-api",
      "parquet-wasm",
      "apache-arrow",
      "@cloud-copilot/*",
    ],
    // Every bundled tool module ends in `if (require.main === module) runAsMain(main)`; inside one bundle
    // that would hold for all of them. The bin's entry runs the dispatcher itself.
    define: { "require.main": "undefined" },
    legalComments: "none",
    logLevel: "warning",
  });
  fs.chmodSync(outfile, 0o755);
}
