import type { ColumnSpec, LakehouseSpec, TableSpec } from "../../components/spec";
import { cpfFromBase } from "./cpf";

/**
 * Deterministic sample raw files for a spec, for the local pipeline: realistic values (valid CPFs, e-mails,
 * cards, values inside domains and ranges, foreign keys that join as the spec's views join), then a few
 * deliberately bad rows per table (one per quality rule, plus one that does not parse as its type), and a
 * CDC batch of updates, deletes and a re-insert.
 */

export type RawRow = Record<string, string | number | null>;

export interface RawFile {
  readonly table: string;
  readonly format: "json" | "csv";
  /** The file's text (JSON lines, or CSV with a header). */
  readonly text: string;
  /** Data rows in the file. */
  readonly rows: number;
}

export interface SampleOptions {
  /** Rows per table before the bad ones. @default 20 */
  readonly rowsPerTable?: number;
  /** PRNG seed. @default 7 */
  readonly seed?: number;
}

const WORDS: Record<string, readonly string[]> = {
  style: ["IPA", "Stout", "Lager", "Pilsner", "Sour", "Porter"],
  city: ["Austin", "Denver", "Portland", "Recife", "Curitiba"],
  country: ["US", "BR"],
  name: ["Alpha", "Beta", "Gamma", "Delta", "Epsilon", "Zeta", "Eta", "Theta"],
  username: ["ana", "bruno", "carla", "diego", "elis", "fabio", "gabi"],
  text: ["great head", "too bitter", "smooth finish", "would buy again"],
};

/** The initial batch: good rows, then the bad ones. */
export function initialBatch(spec: LakehouseSpec, options: SampleOptions = {}): RawFile[] {
  const count = options.rowsPerTable ?? 20;
  const random = mulberry32(options.seed ?? 7);
  const references = foreignKeys(spec);
  return spec.tables.map((table) => {
    const rows: RawRow[] = [];
    for (let i = 1; i <= count; i++) rows.push(goodRow(table, i, count, random, references));
    rows.push(...badRows(table, count, random, references));
    return file(table, rows);
  });
}

/**
 * A CDC batch for the tables with a `cdc` source: the first two rows updated, the next two deleted, and a
 * new one inserted; for the other tables, the first row sent again with new values (an upsert, newer by the
 * table's watermark column when it has one).
 */
export function cdcBatch(spec: LakehouseSpec, options: SampleOptions = {}): RawFile[] {
  const count = options.rowsPerTable ?? 20;
  const random = mulberry32((options.seed ?? 7) + 1);
  const references = foreignKeys(spec);
  return spec.tables.map((table) => {
    const changed = (i: number, operation?: string) => ({
      ...goodRow(table, i, count, random, references),
      ...(operation && table.source.kind === "cdc" ? { [table.source.operationField]: operation } : {}),
    });
    // A newer version of the row: its watermark value (when the table has one) is past every first-batch value,
    // since silver never lets an older version (by that column) replace a newer one.
    const watermark = table.incremental?.watermarkColumn;
    if (table.source.kind !== "cdc")
      return file(table, [{ ...changed(1), ...(watermark ? { [watermark]: "2025-01-01T00:00:00Z" } : {}) }]);
    const key = table.primaryKey[0];
    return file(table, [
      changed(1, "update"),
      changed(2, "update"),
      { [key]: 3, [table.source.operationField]: "delete" },
      { [key]: 4, [table.source.operationField]: "delete" },
      changed(count + 100, "insert"),
    ]);
  });
}

function goodRow(
  table: TableSpec,
  i: number,
  count: number,
  random: () => number,
  references: Map<string, { table: string; column: string }>,
): RawRow {
  const row: RawRow = {};
  for (const column of table.columns) {
    row[column.name] = goodValue(table, column, i, count, random, references);
  }
  if (table.source.kind === "cdc") row[table.source.operationField] = "insert";
  return row;
}

function goodValue(
  table: TableSpec,
  column: ColumnSpec,
  i: number,
  count: number,
  random: () => number,
  references: Map<string, { table: string; column: string }>,
): string | number | null {
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)];
  if (table.primaryKey.includes(column.name)) return i;
  if (references.has(`${table.name}.${column.name}`)) return 1 + Math.floor(random() * count);
  const rules = table.quality.filter((q) => q.column === column.name);
  const domain = rules.find((q) => q.rule === "domain");
  if (domain && domain.rule === "domain") return pick(domain.values);
  const format = rules.find((q) => q.rule === "format");
  const mask = table.pii[column.name];
  if ((format?.rule === "format" && format.format === "cpf") || mask === "cpf")
    return cpfFromBase(String(100_000_000 + Math.floor(random() * 899_999_999)));
  if ((format?.rule === "format" && format.format === "email") || mask === "email")
    return `${pick(WORDS.username)}.${i}@example.com`;
  if (mask === "card") return `4111 1111 1111 ${String(1000 + i).slice(-4)}`;
  const range = rules.find((q) => q.rule === "range");
  const [min, max] = range?.rule === "range" ? [range.min ?? 0, range.max ?? 100] : [0, 100];
  switch (column.type) {
    case "int":
    case "bigint":
      return Math.round(min + random() * (max - min));
    case "double":
      return Math.round((min + random() * (max - min)) * 2) / 2; // halves: averages stay readable
    case "boolean":
      return random() < 0.5 ? "true" : "false";
    case "date":
      return `2024-0${1 + Math.floor(random() * 6)}-1${Math.floor(random() * 9)}`;
    case "timestamp":
      return `2024-0${1 + Math.floor(random() * 6)}-1${Math.floor(random() * 9)}T${10 + Math.floor(random() * 9)}:00:00Z`;
    case "string":
      return WORDS[column.name]
        ? `${pick(WORDS[column.name])}${column.name === "name" ? ` ${i}` : ""}`
        : `${column.name} ${i}`;
    default:
      return (min + random() * Math.min(max - min, 1000)).toFixed(2); // decimal(p,s)
  }
}

/** One row per quality rule breaking it, and one whose first numeric column does not parse. */
function badRows(
  table: TableSpec,
  count: number,
  random: () => number,
  references: Map<string, { table: string; column: string }>,
): RawRow[] {
  let next = count + 1;
  const base = () => goodRow(table, next++, count, random, references);
  const rows: RawRow[] = table.quality.map((rule) => {
    const row = base();
    switch (rule.rule) {
      case "required":
        row[rule.column] = null;
        break;
      case "format":
        row[rule.column] = rule.format === "cpf" ? "529.982.247-26" : "not-an-email";
        break;
      case "regex":
        row[rule.column] = "!!!";
        break;
      case "domain":
        row[rule.column] = "XX";
        break;
      case "range":
        row[rule.column] = rule.max !== undefined ? rule.max + 1 : (rule.min ?? 0) - 1;
        break;
    }
    return row;
  });
  const numeric = table.columns.find((c) => c.type !== "string" && !table.primaryKey.includes(c.name));
  if (numeric) rows.push({ ...base(), [numeric.name]: "not-a-number" });
  return rows;
}

/** `table.column` → the table and column it references, from the spec's view joins. */
function foreignKeys(spec: LakehouseSpec): Map<string, { table: string; column: string }> {
  const references = new Map<string, { table: string; column: string }>();
  for (const view of spec.views) {
    for (const join of view.joins) {
      const left = join.via ?? view.from;
      references.set(`${left}.${join.leftColumn}`, {
        table: join.table,
        column: join.rightColumn ?? join.leftColumn,
      });
    }
  }
  return references;
}

function file(table: TableSpec, rows: RawRow[]): RawFile {
  const columns = [
    ...table.columns.map((c) => c.name),
    ...(table.source.kind === "cdc" ? [table.source.operationField] : []),
  ];
  const text =
    table.format === "csv"
      ? [columns.join(","), ...rows.map((r) => columns.map((c) => csvCell(r[c])).join(","))].join("\n") + "\n"
      : rows.map((r) => JSON.stringify(r)).join("\n") + "\n";
  return { table: table.name, format: table.format, text, rows: rows.length };
}

function csvCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return "";
  const text = String(value);
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A small seeded PRNG, so sample data is the same on every machine. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
