import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
import type { LakehouseSpec } from "../components/spec";
import {
  openLake,
  runLocalBatch,
  summarizeLake,
  timestampLiteral,
  type Arrival,
  type BatchSummary,
  type ConvertedArrival,
} from "../functions/transform/local-pipeline";

/**
 * `pipeline:local --raw <folder>`: every file under `<folder>/<table>/` is one raw object arriving, in lexical
 * order of its path. A ledger in the lake (`control.raw_files`, the local twin of the cloud's control table)
 * records each (path relative to the folder, SHA-256 of its bytes): an object version already ingested is
 * skipped, as the cloud's conditional put skips a re-delivered event, and the same path with other bytes is
 * a new version, so a new arrival.
 */

/** A failure the user can fix (bad stack, folder, table, dump target): one line, exit 1. */
export class PipelineError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PipelineError";
  }
}

/** One raw file found under the folder. */
export interface RawEntry {
  /** Path relative to the raw folder, `/`-separated: `<table>/<...>`. */
  readonly path: string;
  readonly table: string;
  readonly absolute: string;
}

/** What happened to one file of the folder in this batch. */
export interface FileOutcome {
  readonly path: string;
  readonly table: string;
  /** `ingested`: converted in this batch (`retried` when an earlier run stopped before it was converted). */
  readonly status: "ingested" | "retried" | "skipped";
  readonly sha256: string;
  readonly controlId: string;
  /** The arrival time of this object version (its rows' `_ingested_at`), from the ledger when skipped. */
  readonly ingestedAt: string;
  /** The batch that converted this version. */
  readonly batch: number;
  readonly rowsIn: number;
  readonly rowsWritten: number;
  readonly rowsQuarantined: number;
}

export interface RawBatchResult {
  readonly batch: number;
  readonly files: readonly FileOutcome[];
  /** Whether bronze → silver → gold ran: only when some converted file had not been merged yet. */
  readonly transformed: boolean;
  readonly summary: BatchSummary;
}

export interface IngestOptions {
  readonly spec: LakehouseSpec;
  readonly dir: string;
  readonly raw: string;
  /** The clock: arrival times are `now`, then 1 ms apart, and always after every earlier arrival. */
  readonly now: Date;
  /** The batch's name in the summary. @default its number */
  readonly label?: string;
}

/** Lists the folder's files by table, in lexical order; an unknown table folder or a loose file is an error. */
export function scanRaw(raw: string, spec: LakehouseSpec): RawEntry[] {
  if (!fs.existsSync(raw) || !fs.statSync(raw).isDirectory()) throw new PipelineError(`no raw folder ${raw}`);
  const tables = new Set(spec.tables.map((t) => t.name));
  const entries: RawEntry[] = [];
  for (const top of fs.readdirSync(raw, { withFileTypes: true })) {
    const at = path.join(raw, top.name);
    if (!fs.statSync(at).isDirectory())
      throw new PipelineError(`${at} is not under a table folder: put it in ${raw}/<table>/`);
    if (!tables.has(top.name))
      throw new PipelineError(
        `unknown table folder "${top.name}" in ${raw}: the spec's tables are ${[...tables].join(", ")}`,
      );
    for (const name of fs.readdirSync(at, { recursive: true, encoding: "utf8" })) {
      const absolute = path.join(at, name);
      if (!fs.statSync(absolute).isFile()) continue;
      entries.push({ path: [top.name, ...name.split(path.sep)].join("/"), table: top.name, absolute });
    }
  }
  // Code-unit order, not the locale's: the same order on every machine.
  return entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** The ledger row of one object version. */
interface LedgerRow {
  readonly path: string;
  readonly sha256: string;
  readonly controlId: string;
  readonly ingestedAt: Date;
  readonly batch: number;
  readonly status: "RECEIVED" | "CONVERTED" | "MERGED";
  readonly rowsIn: number;
  readonly rowsWritten: number;
  readonly rowsQuarantined: number;
}

const LEDGER = "control.raw_files";

export async function createLedger(connection: DuckDBConnection): Promise<void> {
  await connection.run("CREATE SCHEMA IF NOT EXISTS control");
  await connection.run(
    `CREATE TABLE IF NOT EXISTS ${LEDGER} (path VARCHAR NOT NULL, sha256 VARCHAR NOT NULL, table_name VARCHAR NOT NULL, ` +
      `control_id VARCHAR NOT NULL, ingested_at TIMESTAMP NOT NULL, batch INTEGER NOT NULL, status VARCHAR NOT NULL, ` +
      `rows_in BIGINT, rows_written BIGINT, rows_quarantined BIGINT, PRIMARY KEY (path, sha256))`,
  );
}

/** Every object version in the ledger, in arrival order (an empty list for a lake without one). */
export async function readLedger(connection: DuckDBConnection): Promise<LedgerRow[]> {
  const exists = await connection.runAndReadAll(
    "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'control' AND table_name = 'raw_files'",
  );
  if (Number(exists.getRows()[0][0]) === 0) return [];
  const reader = await connection.runAndReadAll(
    `SELECT path, sha256, control_id, epoch_ms(ingested_at), batch, status, rows_in, rows_written, rows_quarantined ` +
      `FROM ${LEDGER} ORDER BY ingested_at`,
  );
  return reader.getRows().map(([p, sha, id, at, batch, status, rowsIn, written, quarantined]) => ({
    path: String(p),
    sha256: String(sha),
    controlId: String(id),
    ingestedAt: new Date(Number(at)),
    batch: Number(batch),
    status: String(status) as LedgerRow["status"],
    rowsIn: Number(rowsIn ?? 0),
    rowsWritten: Number(written ?? 0),
    rowsQuarantined: Number(quarantined ?? 0),
  }));
}

const text = (value: string) => `'${value.replace(/'/g, "''")}'`;

/**
 * Ingests one raw folder as one batch: records each new object version as RECEIVED (its control id and
 * arrival time fixed from then on, as the cloud's control record), converts it, marks it CONVERTED, then runs
 * bronze → silver → gold and marks the batch's files MERGED. A run stopped half way is finished by the next:
 * a RECEIVED version is converted again under the same id and time (its bronze files overwritten, not
 * doubled) and CONVERTED ones not yet MERGED make the transformations run. The folder is validated before
 * anything is written.
 */
export async function ingestRaw(options: IngestOptions): Promise<RawBatchResult> {
  const { spec, dir } = options;
  const raw = path.resolve(options.raw);
  const entries: (RawEntry & { sha256: string })[] = [];
  for (const entry of scanRaw(raw, spec)) entries.push({ ...entry, sha256: await sha256Of(entry.absolute) });
  fs.mkdirSync(dir, { recursive: true });
  const lake = await openLake(dir);
  try {
    const { connection } = lake;
    await createLedger(connection);
    const ledger = await readLedger(connection);
    const known = new Map(ledger.map((row) => [`${row.path}\n${row.sha256}`, row]));
    const batch = Math.max(0, ...ledger.map((row) => row.batch)) + 1;
    const last = Math.max(-Infinity, ...ledger.map((row) => row.ingestedAt.getTime()));
    let next = Math.max(options.now.getTime(), last + 1);

    const outcomes: FileOutcome[] = [];
    const arrivals: Arrival[] = [];
    const pending = new Map<string, { entry: (typeof entries)[number]; retried: boolean; batch: number }>();
    for (const entry of entries) {
      const row = known.get(`${entry.path}\n${entry.sha256}`);
      if (row && row.status !== "RECEIVED") {
        outcomes.push(outcome(entry, "skipped", row));
        continue;
      }
      const open = () => fs.createReadStream(entry.absolute);
      const arrival: Arrival = row
        ? { table: entry.table, open, controlId: row.controlId, ingestedAt: row.ingestedAt }
        : {
            table: entry.table,
            open,
            controlId: `file://${entry.absolute}#${entry.sha256}`,
            ingestedAt: new Date(next++),
          };
      if (!row) {
        await connection.run(
          `INSERT INTO ${LEDGER} VALUES (${[entry.path, entry.sha256, entry.table, arrival.controlId].map(text).join(", ")}, ` +
            `${timestampLiteral(arrival.ingestedAt)}, ${batch}, 'RECEIVED', NULL, NULL, NULL)`,
        );
      }
      arrivals.push(arrival);
      pending.set(arrival.controlId, { entry, retried: Boolean(row), batch: row?.batch ?? batch });
      outcomes.push(
        outcome(entry, "ingested", { controlId: arrival.controlId, ingestedAt: arrival.ingestedAt }),
      );
    }

    const converted: ConvertedArrival[] = [];
    const onConverted = async (result: ConvertedArrival) => {
      converted.push(result);
      const { entry, retried, batch: of } = pending.get(result.arrival.controlId)!;
      await connection.run(
        `UPDATE ${LEDGER} SET status = 'CONVERTED', rows_in = ${result.rowsIn}, rows_written = ${result.rowsWritten}, ` +
          `rows_quarantined = ${result.rowsQuarantined} WHERE path = ${text(entry.path)} AND sha256 = ${text(entry.sha256)}`,
      );
      const index = outcomes.findIndex((o) => o.controlId === result.arrival.controlId);
      outcomes[index] = {
        ...outcomes[index]!,
        status: retried ? "retried" : "ingested",
        batch: of,
        rowsIn: result.rowsIn,
        rowsWritten: result.rowsWritten,
        rowsQuarantined: result.rowsQuarantined,
      };
    };
    const label = options.label ?? String(batch);
    const unmerged = ledger.some((row) => row.status === "CONVERTED");
    let summary: BatchSummary;
    if (arrivals.length > 0 || unmerged) {
      summary = await runLocalBatch({ spec, dir, batch: label, arrivals, connection, onConverted });
      await connection.run(`UPDATE ${LEDGER} SET status = 'MERGED' WHERE status = 'CONVERTED'`);
    } else {
      // Nothing new: the lake is left exactly as it was (no silver run, no quarantine append).
      summary = await summarizeLake(connection, { spec, batch: label }, converted);
    }
    return { batch, files: outcomes, transformed: arrivals.length > 0 || unmerged, summary };
  } finally {
    lake.close();
  }
}

/** The SHA-256 of a file's bytes, streamed. */
async function sha256Of(file: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

function outcome(
  entry: RawEntry & { sha256: string },
  status: FileOutcome["status"],
  row: Pick<LedgerRow, "controlId" | "ingestedAt"> & Partial<LedgerRow>,
): FileOutcome {
  return {
    path: entry.path,
    table: entry.table,
    status,
    sha256: entry.sha256,
    controlId: row.controlId,
    ingestedAt: row.ingestedAt.toISOString(),
    batch: row.batch ?? 0,
    rowsIn: row.rowsIn ?? 0,
    rowsWritten: row.rowsWritten ?? 0,
    rowsQuarantined: row.rowsQuarantined ?? 0,
  };
}
