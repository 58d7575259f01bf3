import fc from "fast-check";
import { stackSpec } from "../dev-spec";
import { historyArbitrary } from "./generate";
import { describeHistory, type History } from "./history";
import { parseLakehouseSpec, type LakehouseSpec, type TableSpec } from "../../../components/spec";
import { expectedState, type ModelRow, type QuarantineEntry } from "./model";
import { runHistory } from "./run-history";
import { DuckDbSystem, hashMask } from "./system";

/**
 * Model-based tests of bronze → silver: random change histories of the dev spec's tables, played through
 * the real converter and the generated DuckDB plans, compared with the reference model after the final
 * run. MODEL_RUNS sets the number of histories (`npm run test:model` runs 1,000; `npm test` 200).
 */

const RUNS = Number(process.env.MODEL_RUNS ?? 200);
const DELETE_RUNS = Math.max(50, Math.round(RUNS / 5));
const HOUR = 60 * 60_000;
const spec = withSequencedReview(stackSpec("dev"));
/**
 * A CDC table (as declared, and ordered by `source.sequenceBy`), a watermarked API table with a `hash`
 * mask, masked CSV master data with format and domain rules, and a decimal range: every path of the gate.
 */
const TABLES = ["review", "review_sequenced", "profile", "customers", "beer"].map((name) =>
  spec.tables.find((t) => t.name === name)!,
);

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

let system: DuckDbSystem;
beforeAll(async () => {
  system = await DuckDbSystem.open();
});
afterAll(async () => {
  await system.close();
});

/**
 * What a property compares after the final run: `core` = live rows whole, deleted rows by key and
 * `_is_deleted`, the quarantine and the counts; `deleted-values` = the values a soft-deleted row keeps.
 */
type Aspect = "core" | "deleted-values";

/** Plays one history and returns every difference from the model in `aspect` (empty when the system agrees). */
async function differences(history: History, aspect: Aspect): Promise<string[]> {
  const table = spec.tables.find((t) => t.name === history.table)!;
  const expected = expectedState(table, history, { hash: hashMask });
  const lake = await system.lake(spec, table);
  try {
    await runHistory(lake, history);
    const problems: string[] = [];
    const silver = await lake.readSilver();
    const shown = (row: ModelRow | undefined) => {
      if (!row || aspect === "deleted-values" || !row._is_deleted) return JSON.stringify(row ?? null);
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
        problems.push(
          `quarantine ${entry}: model ${wanted.get(entry) ?? 0}×, system ${held.get(entry) ?? 0}×`,
        );
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
  } finally {
    await lake.dispose();
  }
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

/** Replays a reported failure: MODEL_SEED and MODEL_PATH from fast-check's "seed" and "path". */
const replay = {
  ...(process.env.MODEL_SEED ? { seed: Number(process.env.MODEL_SEED) } : {}),
  ...(process.env.MODEL_PATH ? { path: process.env.MODEL_PATH } : {}),
};

async function check(tables: readonly TableSpec[], aspect: Aspect, numRuns: number): Promise<void> {
  await fc.assert(
    fc.asyncProperty(historyArbitrary(tables), async (history) => {
      const problems = await differences(history, aspect);
      if (problems.length > 0) throw new Error(`${problems.join("\n")}\n\n${describeHistory(history)}`);
    }),
    { numRuns, ...replay },
  );
}

describe("bronze → silver against the reference model (DuckDB)", () => {
  it(
    `silver equals the model, each rejected record is quarantined once and counts balance (${RUNS} histories)`,
    async () => {
      await check(TABLES, "core", RUNS);
    },
    HOUR,
  );

  // Stronger than the documented contract (README "Order and exactly-once": a deleted row's data columns are
  // informational, NULL for a tombstone): the same changes merged in one run or in several should leave the
  // key's last live values flagged deleted. They do not yet (an insert and its delete in one batch leave a
  // tombstone), so this stays `failing` until silver carries the last live values into a delete; it turns
  // red the day it holds, and then becomes a plain test.
  it.failing(
    `a soft-deleted row keeps its key's last live values, however the changes were batched (${DELETE_RUNS} CDC histories)`,
    async () => {
      const cdc = spec.tables.filter((t) => t.name === "review" || t.name === "review_sequenced");
      await check(cdc, "deleted-values", DELETE_RUNS);
    },
    HOUR,
  );
});
