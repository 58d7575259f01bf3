import type { TableSpec } from "../../../components/spec";
import type { History } from "./history";
import {
  canonical,
  cdcOperation,
  coerceField,
  firstQualityFailure,
  mask,
  silverValue,
  type Failure,
  type Typed,
} from "./judge";

/**
 * The reference model of bronze → silver: what silver and the quarantine must hold once every delivered
 * file has been converted and a run has finished, whatever the order files landed in, however often they
 * were delivered or converted, and however runs failed or overlapped. It folds each key's changes in
 * source order (the contract: `source.sequenceBy` ascending, then `_ingested_at`, the control id, the
 * record's position; for a table that is not CDC with `incremental.watermarkColumn`, that column first,
 * NULL oldest, so an older version never replaces a newer one): inserts and updates upsert, a delete
 * soft-deletes (the row keeps its last live values; a key deleted before it was ever live is a tombstone
 * row holding only its key), a later insert revives. Pure TypeScript, no engine.
 */

/** A silver row in canonical text (see judge.ts `canonical`): the spec's columns, masked, and `_is_deleted`. */
export type ModelRow = Readonly<Record<string, string | null | boolean>>;

/** One rejected record: the change's tag (see `tagColumn`), where it was caught, and why. */
export interface QuarantineEntry extends Failure {
  readonly tag: string;
  /** `convert` (the converter could not type it) or `silver` (a quality rule failed). */
  readonly stage: "convert" | "silver";
  /** A quality failure's masked columns as the quarantine holds them (clear PII never lands there). */
  readonly masked?: Readonly<Record<string, string | null>>;
}

export interface ModelCounts {
  /** Raw records delivered (each file once). */
  readonly records: number;
  /** Rows written to bronze, and records the converter quarantined (records = bronze + convertQuarantined). */
  readonly bronze: number;
  readonly convertQuarantined: number;
  /** Bronze rows a quality rule rejected, and those merged (bronze = silverQuarantined + merged). */
  readonly silverQuarantined: number;
  readonly merged: number;
}

export interface ModelResult {
  /** Silver rows by key (`keyOf`), with `_is_deleted`. */
  readonly silver: ReadonlyMap<string, ModelRow>;
  readonly quarantine: readonly QuarantineEntry[];
  readonly counts: ModelCounts;
}

export interface ModelOptions {
  /** The environment's `hash` mask (the system adapter says which). */
  readonly hash: (text: string) => string;
}

interface Change {
  readonly values: Readonly<Record<string, Typed>>;
  readonly isDelete: boolean;
  readonly order: readonly (Typed | string)[];
}

/** The column that carries each record's unique tag: the first plain string column no rule, mask or key touches. */
export function tagColumn(table: TableSpec): string {
  const touched = new Set([
    ...table.primaryKey,
    ...table.partitionBy,
    ...Object.keys(table.pii),
    ...table.quality.map((q) => q.column),
    ...(table.incremental?.watermarkColumn ? [table.incremental.watermarkColumn] : []),
  ]);
  const column = table.columns.find((c) => c.type === "string" && c.nullable && !touched.has(c.name));
  if (!column) throw new Error(`model: table ${table.name} has no free string column to tag records with`);
  return column.name;
}

/** A key's identity: its columns' canonical text, as JSON. */
export function keyOf(table: TableSpec, row: Readonly<Record<string, unknown>>): string {
  return JSON.stringify(table.primaryKey.map((k) => row[k] ?? null));
}

/** Sequence columns of a CDC source (none until the spec declares `source.sequenceBy`). */
export function sequenceColumns(table: TableSpec): readonly string[] {
  const source = table.source as { kind: string; sequenceBy?: readonly string[] };
  return source.kind === "cdc" ? (source.sequenceBy ?? []) : [];
}

export function expectedState(table: TableSpec, history: History, options: ModelOptions): ModelResult {
  const tag = tagColumn(table);
  const operationField = table.source.kind === "cdc" ? table.source.operationField : undefined;
  const delivered = new Set(history.events.filter((e) => e.kind === "deliver").map((e) => e.file));
  const quarantine: QuarantineEntry[] = [];
  const changes: Change[] = [];
  let records = 0;
  let bronze = 0;
  const watermark = operationField === undefined ? table.incremental?.watermarkColumn : undefined;
  for (const index of [...delivered].sort((a, b) => a - b)) {
    const file = history.files[index]!;
    file.records.forEach((record, position) => {
      records++;
      const tagOf = String(record[tag] ?? "");
      const typed: Record<string, Typed> = {};
      let failure: Failure | undefined;
      for (const column of table.columns) {
        const coerced = coerceField(column, record[column.name]);
        if (!coerced.ok) {
          failure ??= coerced.failure;
          continue;
        }
        typed[column.name] = coerced.value;
      }
      const operation = operationField ? cdcOperation(record, operationField) : "upsert";
      if (!failure && operation === undefined) failure = { rule: "operation", column: operationField! };
      if (failure) {
        quarantine.push({ tag: tagOf, stage: "convert", ...failure });
        return;
      }
      bronze++;
      const values: Record<string, Typed> = {};
      for (const column of table.columns) values[column.name] = silverValue(column.type, typed[column.name]!);
      const isDelete = operation === "delete";
      const rejected = firstQualityFailure(table, values, isDelete, sequenceColumns(table));
      if (rejected) {
        const row = maskedRow(table, values, options);
        const masked = Object.fromEntries(Object.keys(table.pii).map((c) => [c, row[c] ?? null]));
        quarantine.push({ tag: tagOf, stage: "silver", ...rejected, masked });
        return;
      }
      const order = [
        ...sequenceColumns(table).map((c) => values[c]!),
        ...(watermark ? [values[watermark]!] : []),
        BigInt(Date.parse(file.ingestedAt)),
        file.controlId,
        BigInt(position + 1),
      ];
      changes.push({ values, isDelete, order });
    });
  }

  const silver = new Map<string, ModelRow>();
  for (const change of [...changes].sort((a, b) => compareOrder(a.order, b.order))) {
    const row = maskedRow(table, change.values, options);
    const key = keyOf(table, row);
    const current = silver.get(key);
    if (!change.isDelete) silver.set(key, { ...row, _is_deleted: false });
    else {
      // A delete keeps the key's last live values (a key never live: a tombstone, its key and order only);
      // the delete's own sequence values become the row's place in the order.
      const kept = current ?? tombstone(table, row);
      const order = Object.fromEntries(sequenceColumns(table).map((c) => [c, row[c] ?? null]));
      silver.set(key, { ...kept, ...order, _is_deleted: true });
    }
  }
  const silverQuarantined = quarantine.filter((q) => q.stage === "silver").length;
  return {
    silver,
    quarantine,
    counts: {
      records,
      bronze,
      convertQuarantined: records - bronze,
      silverQuarantined,
      merged: bronze - silverQuarantined,
    },
  };
}

function maskedRow(
  table: TableSpec,
  values: Readonly<Record<string, Typed>>,
  options: ModelOptions,
): Record<string, string | null> {
  const row: Record<string, string | null> = {};
  for (const column of table.columns) {
    const rule = table.pii[column.name];
    const value = values[column.name] ?? null;
    row[column.name] = rule ? mask(rule, column.type, value, options.hash) : canonical(column.type, value);
  }
  return row;
}

/** A deleted row for a key that was never live: its key (and sequence) columns, every other value NULL. */
function tombstone(
  table: TableSpec,
  row: Readonly<Record<string, string | null>>,
): Record<string, string | null> {
  const kept = new Set([...table.primaryKey, ...sequenceColumns(table)]);
  return Object.fromEntries(
    table.columns.map((c) => [c.name, kept.has(c.name) ? (row[c.name] ?? null) : null]),
  );
}

/** Ascending, NULL first; values of one position share a type. */
function compareOrder(a: readonly (Typed | string)[], b: readonly (Typed | string)[]): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? null;
    const y = b[i] ?? null;
    if (x === y) continue;
    if (x === null) return -1;
    if (y === null) return 1;
    if (x < y) return -1;
    if (x > y) return 1;
  }
  return 0;
}
