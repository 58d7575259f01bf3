import * as fs from "node:fs/promises";
import * as path from "node:path";
import { Readable } from "node:stream";
import type { TableSpec } from "../../../components/spec";
import { convert } from "../../lib/convert/convert";
import { DirectorySink } from "../../lib/convert/sinks";
import { rawText, type RawFile } from "./history";
import { keyOf, type ModelRow, type QuarantineEntry } from "./model";

/**
 * Raw → bronze for one history, the same for every engine's adapter: the real converter (convert.ts into
 * a DirectorySink, as the Lambda/ECS task writes bronze) under `<bronzeRoot>/<table>/`, behind control
 * records (functions/lib/register.ts puts one per control id with attribute_not_exists(pk)).
 */
export class BronzeFiles {
  private readonly controlRecords = new Set<string>();

  constructor(
    private readonly table: TableSpec,
    readonly root: string,
  ) {}

  /** An object event: the first delivery of a control id is converted, a re-delivery is skipped. */
  async deliver(file: RawFile): Promise<void> {
    if (this.controlRecords.has(file.controlId)) return;
    this.controlRecords.add(file.controlId);
    await this.convertFile(file);
  }

  async convertFile(file: RawFile): Promise<void> {
    await convert({
      table: this.table,
      source: Readable.from([Buffer.from(rawText(this.table, file))]),
      sink: new DirectorySink(this.root),
      controlId: file.controlId,
      ingestedAt: new Date(file.ingestedAt),
    });
  }

  /** The table's bronze directory (Hive partitions under it). */
  get directory(): string {
    return path.join(this.root, this.table.name);
  }

  async hasBronze(): Promise<boolean> {
    return (await files(this.directory)).some((f) => f.endsWith(".parquet"));
  }

  /** The records the converter quarantined (JSON lines under `_quarantine/<table>/`), as model entries. */
  async quarantine(): Promise<QuarantineEntry[]> {
    const operationField = this.table.source.kind === "cdc" ? this.table.source.operationField : "operation";
    return (await this.quarantineLines()).map((line) => {
      const { reason, raw } = JSON.parse(line) as { reason: string; raw: string };
      const tag = /t\d+\.\d+/.exec(raw)?.[0] ?? "";
      const column = /^(\w+):/.exec(reason)?.[1] ?? "";
      const rule =
        column === "operation"
          ? "operation"
          : / required value is missing$/.test(reason)
            ? "required"
            : column
              ? "type"
              : "unreadable";
      return { tag, stage: "convert", rule, column: rule === "operation" ? operationField : column };
    });
  }

  async quarantinedCount(): Promise<number> {
    return (await this.quarantineLines()).length;
  }

  private async quarantineLines(): Promise<string[]> {
    const dir = path.join(this.root, "_quarantine", this.table.name);
    const lines: string[] = [];
    for (const file of (await files(dir)).filter((f) => f.endsWith(".jsonl")))
      lines.push(...(await fs.readFile(path.join(dir, file), "utf8")).split("\n").filter(Boolean));
    return lines;
  }
}

/**
 * Silver rows read as text (`CAST(column AS VARCHAR|STRING)`) into the model's canonical form, by key;
 * a key held twice is an error.
 */
export function silverRowsOf(
  table: TableSpec,
  rows: readonly Readonly<Record<string, unknown>>[],
): Map<string, ModelRow> {
  const silver = new Map<string, ModelRow>();
  for (const row of rows) {
    const values: Record<string, string | null | boolean> = {};
    for (const c of table.columns) {
      const text = row[c.name] as string | null;
      // Engines write 2.0 for a double 2; the model's canonical text is JavaScript's.
      values[c.name] =
        text !== null && c.type === "double" && !table.pii[c.name] ? String(Number(text)) : text;
    }
    values._is_deleted = row._is_deleted as boolean;
    const key = keyOf(table, values);
    if (silver.has(key)) throw new Error(`silver holds key ${key} twice`);
    silver.set(key, values);
  }
  return silver;
}

export async function files(dir: string): Promise<string[]> {
  try {
    return (await fs.readdir(dir, { recursive: true })).map(String);
  } catch {
    return [];
  }
}
