import type { History, RawFile, RunSpec } from "./history";
import type { ModelRow, QuarantineEntry } from "./model";

/**
 * Plays a history against a system under test through the `LakeUnderTest` adapter (system.ts for the
 * converter + DuckDB plans; a Spark adapter can implement the same interface), then one clean run.
 */

/** One table's lake as the model sees it: every call into the system under test goes through here. */
export interface LakeUnderTest {
  /** An object event: the first delivery of a control id is converted, a re-delivery is skipped. */
  deliver(file: RawFile): Promise<void>;
  /** The converter on one file (a retry converts the same file to the same keys). */
  convertFile(file: RawFile): Promise<void>;
  /** A bronze → silver run, taken one step at a time; it stops for good after `failAfterStep` steps. */
  silverRun(run: RunSpec): SilverRun;
  /** Silver rows by key (model.ts `keyOf`), values in canonical text (judge.ts `canonical`). */
  readSilver(): Promise<Map<string, ModelRow>>;
  /** Every rejected record, at either stage (converter or quality rule). */
  readQuarantine(): Promise<QuarantineEntry[]>;
  /** Rows in bronze, records the converter quarantined, rows the quality rules quarantined. */
  counts(): Promise<{ bronze: number; convertQuarantined: number; silverQuarantined: number }>;
  dispose(): Promise<void>;
}

export interface SilverRun {
  /** True once the run finished all its steps or died. */
  readonly done: boolean;
  /** Runs the next step (or, for a run due to die, ends it). */
  step(): Promise<void>;
}

/** Plays every event in order, then a final run that neither fails nor overlaps. */
export async function runHistory(lake: LakeUnderTest, history: History): Promise<void> {
  for (const event of history.events) {
    if (event.kind === "deliver") await lake.deliver(history.files[event.file]!);
    else if (event.kind === "reconvert") await lake.convertFile(history.files[event.file]!);
    else
      await interleave(
        event.runs.map((run) => lake.silverRun(run)),
        event.schedule,
      );
  }
  await interleave([lake.silverRun({ runId: "final" })], []);
}

/** Steps the runs in the order `schedule` names them; past its end (or on a finished run), the first unfinished one. */
async function interleave(runs: readonly SilverRun[], schedule: readonly number[]): Promise<void> {
  let next = 0;
  while (runs.some((run) => !run.done)) {
    const named = runs[schedule[next++] ?? -1];
    await (named && !named.done ? named : runs.find((run) => !run.done)!).step();
  }
}
