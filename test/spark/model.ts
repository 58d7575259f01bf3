import * as path from "node:path";
import { LOCAL_HASH_KEY } from "../../functions/transform/duckdb-runner";
import { describeHistory, type History } from "../../functions/transform/model/history";
import { MODEL_SPEC, modelDifferences, sampleHistories } from "../../functions/transform/model/suite";
import { DuckDbSystem, hashMask, hashMaskWith } from "../../functions/transform/model/system";
import { SparkModelSystem } from "./model-system";
import type { SparkProcess } from "./spark-process";

/**
 * The model-based histories of functions/transform/model (one generator, suite.ts) on real Spark, Iceberg
 * and Delta: each history is played through the real converter and the generated Spark plans, every step
 * run by the real spark_runner.py, then compared with the reference model (silver rows whole, deleted
 * rows' values included, the quarantine and the counts).
 * Each history is also played on DuckDB, so a failure says whether Spark alone diverges.
 * MODEL_SPARK_RUNS histories in all (default 20): half from the fixed seed, half from a random seed that is
 * printed (MODEL_SPARK_SEED replays it; `MODEL_SEED=<seed>` plays the same histories in the DuckDB suite).
 */

const FIXED_SEED = 1212;

export interface ModelFormat {
  readonly spark: SparkProcess;
  readonly engine: "spark-iceberg" | "spark-delta";
  readonly catalog: string;
}

export function modelHistoriesToRun(): { seed: number; index: number; history: History }[] {
  const total = Number(process.env.MODEL_SPARK_RUNS ?? 20);
  const seed = Number(process.env.MODEL_SPARK_SEED ?? Math.floor(Math.random() * 2 ** 31));
  console.log(
    `model histories on Spark: ${total} (seed ${FIXED_SEED} and random seed ${seed}: MODEL_SPARK_SEED=${seed} replays)`,
  );
  const fixed = Math.ceil(total / 2);
  return [
    ...sampleHistories(FIXED_SEED, fixed).map((history, index) => ({ seed: FIXED_SEED, index, history })),
    ...sampleHistories(seed, total - fixed).map((history, index) => ({ seed, index, history })),
  ];
}

/** Runs every history on DuckDB once and on each format; reports one check per history and engine. */
export async function modelOnSpark(
  formats: ReadonlyMap<string, ModelFormat>,
  dir: string,
  check: (name: string, problems: string[]) => void,
): Promise<void> {
  const histories = modelHistoriesToRun();
  const duckdb = await DuckDbSystem.open();
  const started = Date.now();
  try {
    for (const { seed, index, history } of histories) {
      const table = MODEL_SPEC.tables.find((t) => t.name === history.table)!;
      const lake = await duckdb.lake(MODEL_SPEC, table);
      try {
        const problems = await modelDifferences(lake, table, history, "all", hashMask);
        check(`model duckdb: seed ${seed} history ${index} (${table.name})`, shown(problems, history));
      } finally {
        await lake.dispose();
      }
    }
  } finally {
    await duckdb.close();
  }
  // The formats run side by side, each in its own JVM.
  await Promise.all(
    [...formats].map(async ([format, { spark, engine, catalog }]) => {
      const system = new SparkModelSystem(spark, engine, catalog, path.join(dir, `model-${format}`));
      const hash = hashMaskWith(LOCAL_HASH_KEY); // conformance.ts gives Spark this key (MEDALLION_HASH_KEY)
      for (const { seed, index, history } of histories) {
        const table = MODEL_SPEC.tables.find((t) => t.name === history.table)!;
        let problems: string[];
        try {
          problems = await modelDifferences(
            await system.lake(MODEL_SPEC, table),
            table,
            history,
            "all",
            hash,
          );
        } catch (error) {
          problems = [`failed: ${(error as Error).message}`];
        }
        check(`model ${format}: seed ${seed} history ${index} (${table.name})`, shown(problems, history));
      }
      console.log(
        `model ${format}: ${histories.length} histories in ${Math.round((Date.now() - started) / 1000)} s`,
      );
    }),
  );
}

function shown(problems: string[], history: History): string[] {
  return problems.length === 0 ? [] : [...problems, "", ...describeHistory(history).split("\n")];
}
