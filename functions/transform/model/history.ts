import type { TableSpec } from "../../../components/spec";

/**
 * A change history: what arrives in raw and what the pipeline does with it, as plain data, so the same
 * history can be run on any engine (DuckDB here, Spark later) and folded by the reference model.
 * Nothing in here knows SQL, Parquet or a file system.
 */

/** A field value as it appears in a raw record (JSON value or CSV text); `undefined` means the field is absent. */
export type RawValue = string | number | boolean | null | undefined;

/** One raw record: field name → value. */
export type RawRecord = Readonly<Record<string, RawValue>>;

/** One raw object version, landing in `<table>/` once (re-deliveries of it are the same object version). */
export interface RawFile {
  /** Name under the table's raw prefix, e.g. `f2.json`. */
  readonly name: string;
  /** The control record id (`file://raw/<table>/<name>` locally); bronze `_source_file`. */
  readonly controlId: string;
  /** When the object arrived (control record createdAt): every row's `_ingested_at`. ISO 8601, whole seconds. */
  readonly ingestedAt: string;
  readonly records: readonly RawRecord[];
}

/** One bronze → silver run; `failAfterStep` = n stops it (the job dies) after its first n steps. */
export interface RunSpec {
  readonly runId: string;
  readonly failAfterStep?: number;
}

export type HistoryEvent =
  /** The object's event reaches the pipeline: the first time it is converted, afterwards the control record skips it. */
  | { readonly kind: "deliver"; readonly file: number }
  /** The converter runs again on an already delivered file (a Lambda/ECS retry): same control id, same keys. */
  | { readonly kind: "reconvert"; readonly file: number }
  /** One or more bronze → silver runs; `schedule` lists which run takes its next step, so runs overlap. */
  | { readonly kind: "silver"; readonly runs: readonly RunSpec[]; readonly schedule: readonly number[] };

/** One table's history: its files and what happens, in order. The runner ends every history with a clean run. */
export interface History {
  readonly table: string;
  readonly files: readonly RawFile[];
  readonly events: readonly HistoryEvent[];
}

/** A readable account of a history, for shrunk counterexamples: one line per file record and per event. */
export function describeHistory(history: History): string {
  const lines = [`table ${history.table}`];
  history.files.forEach((file, i) => {
    lines.push(`  file #${i} ${file.name} _ingested_at=${file.ingestedAt}`);
    file.records.forEach((record, r) => lines.push(`    row ${r + 1}: ${recordText(record)}`));
  });
  lines.push("  events:");
  for (const event of history.events) {
    if (event.kind === "silver") {
      const runs = event.runs.map(
        (r) => `${r.runId}${r.failAfterStep === undefined ? "" : ` (dies after step ${r.failAfterStep})`}`,
      );
      const overlap = event.runs.length > 1 ? ` interleaved ${event.schedule.join("")}` : "";
      lines.push(`    silver ${runs.join(" + ")}${overlap}`);
    } else lines.push(`    ${event.kind} #${event.file} ${history.files[event.file]?.name ?? "?"}`);
  }
  lines.push("    silver final (the runner's clean run)");
  return lines.join("\n");
}

function recordText(record: RawRecord): string {
  return Object.entries(record)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(" ");
}

/** A raw file's bytes as the source writes them: JSON lines, or CSV with a header (NULL as an empty field). */
export function rawText(table: TableSpec, file: RawFile): string {
  if (table.format === "json") return file.records.map((r) => JSON.stringify(r)).join("\n") + "\n";
  const fields = [
    ...table.columns.map((c) => c.name),
    ...(table.source.kind === "cdc" ? [table.source.operationField] : []),
  ];
  const cell = (v: RawValue) => {
    const text = v === null || v === undefined ? "" : String(v);
    return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  return (
    [fields.join(","), ...file.records.map((r) => fields.map((f) => cell(r[f])).join(","))].join("\n") + "\n"
  );
}
