import type { TableSpec } from "../../components/spec/schema";
import { transformCdcRecord } from "./cdc";

/** One CDC record as a delivery service hands it over: its id in that service and its UTF-8 text. */
export interface CdcInputRecord {
  readonly id: string;
  readonly text: string;
}

/** What became of one record, in input order. */
export type CdcOutcome =
  | { readonly id: string; readonly ok: true; readonly table: string; readonly row: Record<string, unknown> }
  | { readonly id: string; readonly ok: false; readonly reason: string };

/**
 * The port both CDC paths share: a delivery service (Firehose on AWS, Event Hubs on Azure) hands a batch of
 * records in, gets one outcome per record back, and does what its service does with each (Firehose: `Ok` with
 * a `table_name` partition key or `ProcessingFailed`; Event Hubs: rows to `raw/<table>/`, failures under
 * `raw/_errors/`). The validation, the `operation` normalisation and `_ingested_at` live only here and in
 * `transformCdcRecord`, so the two clouds cannot drift.
 */
export function transformCdcBatch(
  records: readonly CdcInputRecord[],
  cdcTables: ReadonlyMap<string, TableSpec>,
  now: Date = new Date(),
): CdcOutcome[] {
  const ingestedAt = now.toISOString();
  return records.map((record) => {
    const outcome = transformCdcRecord(record.text, cdcTables, ingestedAt);
    return outcome.ok
      ? { id: record.id, ok: true, table: outcome.table, row: outcome.row }
      : { id: record.id, ok: false, reason: outcome.reason };
  });
}

/** Good rows grouped by table (insertion order kept), for sinks that write one object per table. */
export function rowsByTable(outcomes: readonly CdcOutcome[]): Map<string, Record<string, unknown>[]> {
  const byTable = new Map<string, Record<string, unknown>[]>();
  for (const outcome of outcomes) {
    if (!outcome.ok) continue;
    const rows = byTable.get(outcome.table) ?? [];
    rows.push(outcome.row);
    byTable.set(outcome.table, rows);
  }
  return byTable;
}
