import fc from "fast-check";
import { parseLakehouseSpec, type LakehouseSpec, type TableSpec } from "../../../components/spec";
import { stackSpec } from "../dev-spec";
import { historyArbitrary } from "./generate";
import type { History } from "./history";
import { expectedState, type ModelRow, type QuarantineEntry } from "./model";
import { runHistory, type LakeUnderTest } from "./run-history";

/**
 * What the model suites share, whatever engine runs the plans (model.test.ts on DuckDB, test/spark/model.ts
 * on Spark with Iceberg and Delta): the spec and tables the histories are drawn for, the one generator,
 * and the comparison of a system's final state with the reference model.
 */

/** The dev spec plus `review_sequenced`: its review table with `sequenceBy: [review_time]` (a DMS commit time). */
function withSequencedReview(dev: LakehouseSpec): LakehouseSpec {
  const review = dev.tables.find((t) => t.name === "review")!;
  if (review.source.kind !== "cdc") throw new Error("model: the dev spec's review table is no longer CDC");
  const sequenced = {
    ...review,
    name: "review_sequenced",
    source: { ...review.source, sequenceBy: ["review_time"] },
  };
  return parseLakehouseSpec({ ...dev, tables: [...dev.tables, sequenced] });
}

export const MODEL_SPEC = withSequencedReview(stackSpec("dev"));

/**
 * A CDC table (as declared, and ordered by `source.sequenceBy`), a watermarked API table with a `hash`
 * mask, masked CSV master data with format and domain rules, and a decimal range: every path of the gate.
 */
export const MODEL_TABLES: readonly TableSpec[] = [
  "review",
  "review_sequenced",
  "profile",
  "customers",
  "beer",
].map((name) => MODEL_SPEC.tables.find((t) => t.name === name)!);

/** The CDC tables, whose deletes the `deleted-values` aspect is about. */
export const CDC_TABLES = MODEL_TABLES.filter((t) => t.source.kind === "cdc");

/** The one generator of histories, for every engine. */
export function modelHistories(tables: readonly TableSpec[] = MODEL_TABLES): fc.Arbitrary<History> {
  return historyArbitrary(tables);
}

/**
 * The first `count` histories a property over `modelHistories(tables)` sees with `seed`: the DuckDB suite
 * run with MODEL_SEED=<seed> plays exactly these (fast-check draws a property's values as `sample` does).
 */
export function sampleHistories(seed: number, count: number, tables = MODEL_TABLES): History[] {
  return fc.sample(modelHistories(tables), { seed, numRuns: count });
}

/**
 * What a property compares after the final run: `core` = live rows whole, deleted rows by key and
 * `_is_deleted`, the quarantine and the counts; `deleted-values` = the values a soft-deleted row keeps;
 * `all` = both from one play (the Spark suite, where each history is costly).
 */
export type Aspect = "core" | "deleted-values" | "all";

/**
 * Plays one history on a fresh lake and returns every difference from the model in `aspect` (empty when
 * the system agrees). `hash` is the system's `hash` mask (HMAC under the key its runs use).
 */
export async function modelDifferences(
  lake: LakeUnderTest,
  table: TableSpec,
  history: History,
  aspect: Aspect,
  hash: (text: string) => string,
): Promise<string[]> {
  const expected = expectedState(table, history, { hash });
  await runHistory(lake, history);
  const problems: string[] = [];
  const silver = await lake.readSilver();
  const shown = (row: ModelRow | undefined) => {
    if (!row || aspect !== "core" || !row._is_deleted) return JSON.stringify(row ?? null);
    return JSON.stringify({
      ...Object.fromEntries(table.primaryKey.map((k) => [k, row[k]])),
      _is_deleted: true,
    });
  };
  for (const key of new Set([...expected.silver.keys(), ...silver.keys()])) {
    const [want, got] = [expected.silver.get(key), silver.get(key)];
    if (aspect === "deleted-values" && !(want?._is_deleted && got?._is_deleted)) continue;
    if (shown(want) !== shown(got))
      problems.push(`silver key ${key}: model ${shown(want)}, system ${shown(got)}`);
  }
  if (aspect === "deleted-values") return problems;
  const quarantine = await lake.readQuarantine();
  const wanted = tally(expected.quarantine);
  const held = tally(quarantine);
  for (const entry of new Set([...wanted.keys(), ...held.keys()])) {
    if (wanted.get(entry) !== held.get(entry))
      problems.push(`quarantine ${entry}: model ${wanted.get(entry) ?? 0}×, system ${held.get(entry) ?? 0}×`);
  }
  const counts = await lake.counts();
  const model = expected.counts;
  if (counts.bronze + counts.convertQuarantined !== model.records)
    problems.push(
      `records ${model.records} ≠ bronze ${counts.bronze} + converter quarantine ${counts.convertQuarantined}`,
    );
  if (
    counts.bronze !== model.silverQuarantined + model.merged ||
    counts.silverQuarantined !== model.silverQuarantined
  )
    problems.push(
      `bronze ${counts.bronze} ≠ quality quarantine ${counts.silverQuarantined} (model ${model.silverQuarantined}) + merged (model ${model.merged})`,
    );
  return problems;
}

/** Quarantine entries by record tag, rule, column and, for a quality failure, its masked values. */
function tally(entries: readonly QuarantineEntry[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const e of entries) {
    const masked = e.masked && Object.keys(e.masked).length > 0 ? ` ${JSON.stringify(e.masked)}` : "";
    const id = `${e.tag} ${e.rule}(${e.column})${masked}`;
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}
