import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import type { TableSpec } from "../../../../components/spec/schema";
import { chunks, tableSpec } from "../../../test/fixtures";
import { convert, type ConvertResult } from "../convert";
import { DirectorySink } from "../sinks";

/** One line of a quarantine file, as run.ts writes it. */
export interface Quarantined {
  line: number;
  reason: string;
  raw: string;
}

/** What a conversion produced, read back: the bronze rows (data columns only, in file order) and the quarantine. */
export interface Outcome {
  result: ConvertResult;
  rows: Record<string, unknown>[];
  quarantined: Quarantined[];
}

export interface ConvertCase {
  table: TableSpec;
  input: Uint8Array;
  /** The byte readers (default) or the text reference path. */
  fromBytes?: boolean;
  /** Chunk size of the source stream (small sizes exercise chunk boundaries). @default 64 KiB */
  chunkSize?: number;
  /** The SQL select list the bronze rows are read with. @default every data column as it is */
  select?: string;
}

/** A table of nullable columns of the given types, as the spec parser would produce it. */
export function corpusTable(
  format: "csv" | "json",
  columns: readonly { name: string; type: string }[],
): TableSpec {
  return tableSpec({
    name: "corpus",
    source: { kind: "batch" },
    format,
    columns: columns.map((c) => ({ ...c, nullable: true })),
  });
}

/**
 * Converts inputs into a scratch directory and reads the bronze Parquet back with DuckDB, the engine the
 * silver layer and the local pipeline read it with. One DuckDB connection per harness (per test file).
 */
export class Harness {
  private constructor(
    readonly duck: DuckDBConnection,
    private readonly root: string,
  ) {}

  private runs = 0;

  static async open(): Promise<Harness> {
    const instance = await DuckDBInstance.create(":memory:", { threads: "1" });
    const connection = await instance.connect();
    // A TIMESTAMPTZ without an offset is read in the session's zone; bronze reads it as UTC.
    await connection.run("SET TimeZone = 'UTC'");
    return new Harness(connection, fs.mkdtempSync(path.join(os.tmpdir(), "conformance-")));
  }

  close(): void {
    this.duck.closeSync();
    fs.rmSync(this.root, { recursive: true, force: true });
  }

  /** A fresh file under the scratch directory holding `bytes` (for DuckDB's own readers). */
  file(name: string, bytes: Uint8Array): string {
    const file = path.join(this.root, `input-${++this.runs}-${name}`);
    fs.writeFileSync(file, bytes);
    return file;
  }

  /** Runs SQL and returns the rows as JSON-friendly objects (DuckDB's own rendering of each type). */
  async query(sql: string): Promise<Record<string, unknown>[]> {
    return (await this.duck.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];
  }

  async convert(c: ConvertCase): Promise<Outcome> {
    const dir = path.join(this.root, `run-${++this.runs}`);
    const result = await convert({
      table: c.table,
      source: chunks(c.input, c.chunkSize ?? 64 * 1024),
      sink: new DirectorySink(dir),
      controlId: `conformance#${this.runs}`,
      ingestedAt: new Date("2026-12-04T00:00:00Z"),
      fromBytes: c.fromBytes ?? true,
    });
    const names = c.select ?? c.table.columns.map((col) => `"${col.name}"`).join(", ");
    const rows =
      result.outputs.length === 0
        ? []
        : await this.query(
            `SELECT ${names} FROM read_parquet([${result.outputs.map(sqlString).join(", ")}],
               filename = true, file_row_number = true) ORDER BY filename, file_row_number`,
          );
    const quarantined = result.quarantine
      .sort()
      .flatMap((f) => fs.readFileSync(f, "utf8").split("\n").filter(Boolean))
      .map((l) => JSON.parse(l) as Quarantined);
    fs.rmSync(dir, { recursive: true, force: true });
    return { result, rows, quarantined };
  }
}

/** A SQL string literal. */
export function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** The count balance every conversion must keep: rows in = written + quarantined, and each is really there. */
export function balanced(o: Outcome): boolean {
  const { rowsIn, rowsWritten, rowsQuarantined } = o.result;
  return (
    rowsIn === rowsWritten + rowsQuarantined &&
    o.rows.length === rowsWritten &&
    o.quarantined.length === rowsQuarantined
  );
}
