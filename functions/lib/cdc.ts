import type { TableSpec } from "../../components/spec/schema";

/** CDC operations the bronze layer understands; DMS also sends `load` for the full-load phase (= insert). */
export type Operation = "insert" | "update" | "delete";

export type CdcResult =
  { ok: true; table: string; row: Record<string, unknown> } | { ok: false; reason: string };

const OPERATIONS: Record<string, Operation> = {
  insert: "insert",
  load: "insert",
  i: "insert",
  update: "update",
  u: "update",
  delete: "delete",
  d: "delete",
};

/**
 * Validates one CDC record (a JSON object) and turns it into the row written to raw: the table's columns
 * plus `operation` and `_ingested_at`. Accepts DMS records (`{ data, metadata: { operation, "table-name" } }`)
 * and flat ones (`{ table_name, operation, ...columns }`). Only tables with `source.kind: cdc` are accepted.
 */
export function transformCdcRecord(
  text: string,
  cdcTables: ReadonlyMap<string, TableSpec>,
  ingestedAt: string,
): CdcResult {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return { ok: false, reason: `not valid JSON: ${(error as Error).message}` };
  }
  if (!isObject(parsed)) return { ok: false, reason: "not a JSON object" };

  const metadata = isObject(parsed.metadata) ? parsed.metadata : undefined;
  const tableName = metadata?.["table-name"] ?? parsed.table_name;
  if (typeof tableName !== "string" || tableName === "") {
    return { ok: false, reason: "no table_name (or metadata.table-name)" };
  }
  const table = cdcTables.get(tableName);
  if (!table || table.source.kind !== "cdc") return { ok: false, reason: `unknown CDC table "${tableName}"` };

  const operationField = table.source.operationField;
  const rawOperation = metadata?.operation ?? parsed[operationField] ?? parsed.operation;
  const operation = typeof rawOperation === "string" ? operationOf(rawOperation) : undefined;
  if (!operation) {
    return {
      ok: false,
      reason: `operation must be insert, update or delete (got ${JSON.stringify(rawOperation)})`,
    };
  }

  const source = isObject(parsed.data) ? parsed.data : withoutEnvelope(parsed);
  return {
    ok: true,
    table: tableName,
    row: { ...source, [operationField]: operation, _ingested_at: ingestedAt },
  };
}

/** The operation a record's value names; own keys only, so `constructor` or `__proto__` name nothing. */
function operationOf(value: string): Operation | undefined {
  const key = value.toLowerCase();
  return Object.hasOwn(OPERATIONS, key) ? OPERATIONS[key] : undefined;
}

/** CDC tables by name, the only ones the transformer accepts. */
export function cdcTables(tables: ReadonlyMap<string, TableSpec>): Map<string, TableSpec> {
  return new Map([...tables].filter(([, t]) => t.source.kind === "cdc"));
}

function withoutEnvelope(record: Record<string, unknown>): Record<string, unknown> {
  const { metadata: _metadata, table_name: _table, ...row } = record;
  return row;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
