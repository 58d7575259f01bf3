import type { BatchSummary } from "../functions/transform/local-pipeline";
import { DATA_METRICS } from "../functions/lib/telemetry";
import type { RawBatchResult } from "./pipeline-local-raw";

/**
 * One table's figures after a batch, named as the cloud's data metrics (functions/lib/telemetry.ts) that the
 * CloudWatch dashboard charts: bronze rows in, written and quarantined by the converter in this batch;
 * silver rows the MERGE wrote (inserted or updated) and soft-deleted in this batch, and the rows its quality
 * gate holds in quarantine (all batches, as the local quarantine keeps them).
 */
export interface TableFigures {
  readonly table: string;
  readonly bronze: {
    readonly RowsIn: number;
    readonly RowsWritten: number;
    readonly RowsQuarantined: number;
  };
  readonly silver: {
    readonly RowsWritten: number;
    readonly RowsDeleted: number;
    readonly RowsQuarantined: number;
  };
  /** Silver after the batch: live rows. */
  readonly silverRows: number;
}

/** The per-table figures of one batch, from its file outcomes and summary. */
export function tableFigures(result: RawBatchResult): TableFigures[] {
  const { summary } = result;
  return Object.entries(summary.tables).map(([table, t]) => {
    const files = result.files.filter((f) => f.table === table && f.status !== "skipped");
    const sum = (key: "rowsIn" | "rowsWritten" | "rowsQuarantined") => files.reduce((n, f) => n + f[key], 0);
    const quarantined = Object.entries(summary.quarantinedByRule)
      .filter(([rule]) => rule.startsWith(`${table}.`))
      .reduce((n, [, count]) => n + count, 0);
    return {
      table,
      bronze: {
        [DATA_METRICS.rowsIn]: sum("rowsIn"),
        [DATA_METRICS.rowsWritten]: sum("rowsWritten"),
        [DATA_METRICS.rowsQuarantined]: sum("rowsQuarantined"),
      } as TableFigures["bronze"],
      silver: {
        [DATA_METRICS.rowsWritten]: t.merged.inserted + t.merged.updated,
        [DATA_METRICS.rowsDeleted]: t.merged.deleted,
        [DATA_METRICS.rowsQuarantined]: quarantined,
      } as TableFigures["silver"],
      silverRows: t.silver,
    };
  });
}

/** The figures as the text block that ends a batch's output, one aligned row per table. */
export function formatFigures(figures: readonly TableFigures[]): string {
  const header = [
    "table",
    "bronze RowsIn",
    "RowsWritten",
    "RowsQuarantined",
    "silver RowsWritten",
    "RowsDeleted",
    "RowsQuarantined (all batches)",
  ];
  const rows = figures.map((f) => [
    f.table,
    ...[
      f.bronze.RowsIn,
      f.bronze.RowsWritten,
      f.bronze.RowsQuarantined,
      f.silver.RowsWritten,
      f.silver.RowsDeleted,
      f.silver.RowsQuarantined,
    ].map(String),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: readonly string[]) =>
    `  ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ")}`;
  return [
    "per-table figures (the dashboard's data metrics, this batch):",
    line(header),
    ...rows.map(line),
  ].join("\n");
}

export interface ReportBatch {
  readonly result: RawBatchResult;
  readonly figures: readonly TableFigures[];
}

/**
 * A self-contained HTML report of the batches (no script, no stylesheet or font from anywhere else): per
 * batch, a bar chart of rows per layer for each table (raw, bronze, quarantined by the converter, silver),
 * the figures table, and a bar chart of quarantine reasons (converter reasons and quality-gate rules).
 */
export function htmlReport(stack: string, dir: string, batches: readonly ReportBatch[]): string {
  const sections = batches.map(({ result, figures }) => {
    const s: BatchSummary = result.summary;
    const layers = Object.entries(s.tables).flatMap(([table, t]) => [
      { label: `${table} raw`, value: t.raw, kind: "raw" },
      { label: `${table} bronze`, value: t.bronze, kind: "bronze" },
      { label: `${table} quarantined`, value: t.bronzeQuarantined, kind: "quarantine" },
      { label: `${table} silver`, value: t.silver, kind: "silver" },
    ]);
    const reasons = [
      ...Object.entries(s.bronzeQuarantinedByReason).map(([r, v]) => ({
        label: `convert ${r}`,
        value: v,
        kind: "quarantine",
      })),
      ...Object.entries(s.quarantinedByRule).map(([r, v]) => ({
        label: `quality ${r}`,
        value: v,
        kind: "quarantine",
      })),
    ];
    const rows = figures
      .map(
        (f) =>
          `<tr><td>${esc(f.table)}</td><td>${f.bronze.RowsIn}</td><td>${f.bronze.RowsWritten}</td><td>${f.bronze.RowsQuarantined}</td><td>${f.silver.RowsWritten}</td><td>${f.silver.RowsDeleted}</td><td>${f.silver.RowsQuarantined}</td><td>${f.silverRows}</td></tr>`,
      )
      .join("\n");
    return `<section>
<h2>Batch ${esc(s.batch)}</h2>
<h3>Rows per layer</h3>
${barChart(layers)}
<h3>Per-table figures</h3>
<table><thead><tr><th>table</th><th>bronze RowsIn</th><th>bronze RowsWritten</th><th>bronze RowsQuarantined</th><th>silver RowsWritten</th><th>silver RowsDeleted</th><th>silver RowsQuarantined (all batches)</th><th>silver rows</th></tr></thead>
<tbody>
${rows}
</tbody></table>
<h3>Quarantine reasons</h3>
${reasons.length > 0 ? barChart(reasons) : "<p>No row quarantined.</p>"}
</section>`;
  });
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Lakehouse report: ${esc(stack)}</title>
<style>body{font:14px system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 8px;text-align:right}td:first-child{text-align:left}.raw{fill:#8da0cb}.bronze{fill:#cd7f32}.quarantine{fill:#d9534f}.silver{fill:#9e9e9e}text{font:12px system-ui,sans-serif}</style>
</head><body>
<h1>Lakehouse report: stack ${esc(stack)}</h1>
<p>Lake ${esc(dir)}</p>
${sections.join("\n")}
</body></html>
`;
}

/** A horizontal bar chart as inline SVG. */
function barChart(bars: readonly { label: string; value: number; kind: string }[]): string {
  const labelWidth = 8 * Math.max(10, ...bars.map((b) => b.label.length));
  const barWidth = 400;
  const max = Math.max(1, ...bars.map((b) => b.value));
  const height = 20 * bars.length + 10;
  const rows = bars.map((b, i) => {
    const y = 20 * i + 5;
    const w = Math.round((b.value / max) * barWidth);
    return `<text x="${labelWidth - 6}" y="${y + 13}" text-anchor="end">${esc(b.label)}</text><rect class="${b.kind}" x="${labelWidth}" y="${y}" width="${w}" height="16"><title>${esc(b.label)}: ${b.value}</title></rect><text x="${labelWidth + w + 4}" y="${y + 13}">${b.value}</text>`;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" role="img" width="${labelWidth + barWidth + 60}" height="${height}">${rows.join("")}</svg>`;
}

function esc(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!,
  );
}
