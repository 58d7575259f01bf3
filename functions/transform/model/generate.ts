import fc from "fast-check";
import type { ColumnSpec, TableSpec } from "../../../components/spec";
import { cpfFromBase } from "../cpf";
import {
  describeHistory,
  type History,
  type HistoryEvent,
  type RawFile,
  type RawRecord,
  type RawValue,
} from "./history";
import { sequenceColumns, tagColumn } from "./model";

/**
 * Random change histories for a spec's tables, engine-free (plain data, see history.ts) so the Spark suite
 * can run the same ones. Few keys and few timestamps so collisions are frequent: several changes to one
 * key in one file, files with the same `_ingested_at`, files landing out of order (a file older than one
 * already merged), re-deliveries of an object version, converter retries, runs that die between two steps
 * and runs that overlap. Each field is good most of the time and occasionally bad (missing, untypable,
 * breaking the column's quality rule), so records are rejected at both stages.
 */

export interface HistoryLimits {
  /** @default 4 */
  readonly maxFiles?: number;
  /** Records per file. @default 4 */
  readonly maxRecords?: number;
  /** Distinct primary-key values. @default 3 */
  readonly keys?: number;
}

const BASE = Date.UTC(2024, 2, 1);
/** A quarter of the records are drawn "suspect": each of their fields is then bad one time in three. */
const SUSPECT = { weight: 1, good: 2 };
const CLEAN = { weight: 3, good: 60 };

/** Histories of one of `tables` (names in the spec), each printed by `describeHistory` when it fails. */
export function historyArbitrary(
  tables: readonly TableSpec[],
  limits: HistoryLimits = {},
): fc.Arbitrary<History> {
  return fc
    .oneof(...tables.map((t) => tableHistory(t, limits)))
    .map((history) => Object.assign(history, { [fc.toStringMethod]: () => describeHistory(history) }));
}

/**
 * No `chain`: every part is drawn independently (file indexes and slots are taken modulo the file
 * count), so fast-check can shrink the files, the events and the records one at a time.
 */
function tableHistory(table: TableSpec, limits: HistoryLimits): fc.Arbitrary<History> {
  const maxFiles = limits.maxFiles ?? 4;
  return fc
    .record({
      drafts: fc.array(fileArbitrary(table, limits), { minLength: 1, maxLength: maxFiles }),
      extras: fc.array(
        fc.record({
          kind: fc.constantFrom("deliver" as const, "reconvert" as const),
          file: fc.nat({ max: maxFiles - 1 }),
          delay: fc.nat({ max: maxFiles }),
        }),
        { maxLength: 2 },
      ),
      runs: fc.array(
        fc.record({
          slot: fc.nat({ max: maxFiles }),
          // Most runs finish; one in three dies after some step (past its last step it simply finishes).
          fails: fc.array(
            fc.oneof(
              { weight: 2, arbitrary: fc.constant(undefined) },
              { weight: 1, arbitrary: fc.integer({ min: 0, max: 9 }) },
            ),
            { minLength: 1, maxLength: 2 },
          ),
          schedule: fc.array(fc.integer({ min: 0, max: 1 }), { maxLength: 12 }),
        }),
        { maxLength: 4 },
      ),
    })
    .map(({ drafts, extras, runs }) => assemble(table, drafts, extras, runs));
}

interface Draft {
  readonly minute: number;
  /** Files land in rank order (then by index): ranks apart from `_ingested_at` make files land late. */
  readonly rank: number;
  readonly records: readonly RawRecord[];
}

function fileArbitrary(table: TableSpec, limits: HistoryLimits): fc.Arbitrary<Draft> {
  return fc.record({
    // Three arrival minutes for up to four files: equal `_ingested_at` is common, as in one Auto Loader batch.
    minute: fc.integer({ min: 0, max: 2 }),
    rank: fc.nat({ max: 3 }),
    records: fc.array(recordArbitrary(table, limits.keys ?? 3), {
      minLength: 1,
      maxLength: limits.maxRecords ?? 4,
    }),
  });
}

function recordArbitrary(table: TableSpec, keys: number): fc.Arbitrary<RawRecord> {
  return fc.oneof(
    { weight: CLEAN.weight, arbitrary: recordOf(table, keys, CLEAN.good) },
    { weight: SUSPECT.weight, arbitrary: recordOf(table, keys, SUSPECT.good) },
  );
}

/** A record whose fields are good `good` times for each bad one. */
function recordOf(table: TableSpec, keys: number, good: number): fc.Arbitrary<RawRecord> {
  const weighted = <T, U>(ok: fc.Arbitrary<T>, bad: fc.Arbitrary<U>): fc.Arbitrary<T | U> =>
    fc.oneof({ weight: good, arbitrary: ok }, { weight: 1, arbitrary: bad });
  const fields: Record<string, fc.Arbitrary<RawValue>> = {};
  for (const column of table.columns) fields[column.name] = fieldArbitrary(table, column, keys, weighted);
  if (table.source.kind !== "cdc") return fc.record(fields);
  const operationField = table.source.operationField;
  const operation = weighted(
    fc.constantFrom("insert", "update", "update", "delete", "DELETE", "insert"),
    fc.constantFrom(null, "upsert", ""),
  );
  return fc.record({ ...fields, [operationField]: operation }).map((record) => {
    if (String(record[operationField]).toLowerCase() !== "delete") return record;
    // A CDC delete carries the key and what orders it (and the tag the runner sets), nothing else.
    const keyOnly: Record<string, RawValue> = { [operationField]: record[operationField] };
    for (const k of [...table.primaryKey, ...sequenceColumns(table)]) keyOnly[k] = record[k];
    return keyOnly;
  });
}

type Weighted = <T, U>(good: fc.Arbitrary<T>, bad: fc.Arbitrary<U>) => fc.Arbitrary<T | U>;

function fieldArbitrary(
  table: TableSpec,
  column: ColumnSpec,
  keys: number,
  weighted: Weighted,
): fc.Arbitrary<RawValue> {
  if (table.primaryKey.includes(column.name)) {
    return weighted(fc.integer({ min: 1, max: keys }), fc.constantFrom(null, "k1", ""));
  }
  const missing = fc.constant(null);
  const rule = table.quality.find((q) => q.column === column.name && q.rule !== "required");
  const required = table.quality.some((q) => q.column === column.name && q.rule === "required");
  if (rule?.rule === "format" && rule.format === "cpf") {
    // Two valid CPFs that share their last three digits (what the cpf mask keeps), and a wrong check digit.
    return weighted(
      fc.constantFrom(cpfFromBase("111444777"), cpfFromBase("529982247")),
      fc.constantFrom("111.444.777-00", null),
    );
  }
  if (rule?.rule === "format")
    return weighted(fc.constantFrom("ana@x.com", "bo@y.org"), fc.constantFrom("nope", "a@b"));
  if (rule?.rule === "domain")
    return weighted(fc.constantFrom(...rule.values.slice(0, 2), null), fc.constant("XX"));
  if (rule?.rule === "range") {
    const inside = [rule.min, rule.max].filter((v): v is number => v !== undefined);
    const outside = [
      ...(rule.min !== undefined ? [rule.min - 1] : []),
      ...(rule.max !== undefined ? [rule.max + 0.5] : []),
    ];
    return weighted(
      fc.constantFrom(...inside, inside.reduce((s, v) => s + v, 0) / inside.length),
      fc.constantFrom(...outside),
    );
  }
  const good = goodValue(column.type);
  const bad = column.type === "string" ? missing : fc.constantFrom(...badValues(column.type));
  return weighted(
    required || column.type !== "string" ? good : fc.oneof(good, fc.constantFrom(" ", null)),
    required ? missing : bad,
  );
}

function goodValue(type: ColumnSpec["type"]): fc.Arbitrary<RawValue> {
  switch (type) {
    case "string":
      return fc.constantFrom("a", "b", "Ana Souza", "4111-1111-1111-1234");
    case "int":
    case "bigint":
      return fc.integer({ min: 1, max: 4 });
    case "double":
      return fc.constantFrom(1.5, 2, 3.25);
    case "boolean":
      return fc.boolean();
    case "date":
      return fc.constantFrom("2024-01-01", "2024-02-29");
    case "timestamp":
      // Few distinct times: versions with equal watermarks, and older versions arriving later.
      return fc.integer({ min: 1, max: 3 }).map((d) => `2024-01-0${d}T00:00:00Z`);
    default:
      return fc.constantFrom("1.50", "12", "0.05", 7);
  }
}

function badValues(type: ColumnSpec["type"]): RawValue[] {
  if (type === "timestamp") return ["someday", "2024-13-01T00:00:00Z"];
  if (type.startsWith("decimal")) return ["1.234", "abc"];
  return ["abc"];
}

function assemble(
  table: TableSpec,
  drafts: readonly Draft[],
  extras: readonly { kind: "deliver" | "reconvert"; file: number; delay: number }[],
  runs: readonly { slot: number; fails: readonly (number | undefined)[]; schedule: readonly number[] }[],
): History {
  const n = drafts.length;
  const order = [...drafts.keys()].sort((a, b) => drafts[a]!.rank - drafts[b]!.rank || a - b);
  const tag = tagColumn(table);
  const extension = table.format;
  const files: RawFile[] = drafts.map((draft, f) => ({
    name: `f${f}.${extension}`,
    controlId: `file://raw/${table.name}/f${f}.${extension}`,
    ingestedAt: new Date(BASE + draft.minute * 60_000).toISOString(),
    // Each record's tag names it in the quarantine and in counterexamples.
    records: draft.records.map((record, r) => ({ ...record, [tag]: `t${f}.${r + 1}` })),
  }));
  const landedAt = new Map(order.map((file, position) => [file, position + 1]));
  const events: HistoryEvent[] = [];
  let runCount = 0;
  for (let slot = 0; slot <= order.length; slot++) {
    if (slot > 0) events.push({ kind: "deliver", file: order[slot - 1]! });
    for (const extra of extras) {
      const file = extra.file % n;
      if (Math.min(n, landedAt.get(file)! + extra.delay) === slot) events.push({ kind: extra.kind, file });
    }
    for (const run of runs.filter((r) => Math.min(r.slot, n) === slot)) {
      const specs = run.fails.map((failAfterStep) => ({
        runId: `run${++runCount}`,
        ...(failAfterStep === undefined ? {} : { failAfterStep }),
      }));
      events.push({ kind: "silver", runs: specs, schedule: specs.length > 1 ? run.schedule : [] });
    }
  }
  return { table: table.name, files, events };
}
