import * as fs from "node:fs";
import * as path from "node:path";
import { table as tableSchema, type TableSpec } from "../../components/spec/schema";

/**
 * Reads the table specs bundled next to a handler (`tables.json`, a JSON array of TableSpec objects) or
 * from `TABLES_FILE`. Each entry is re-validated with the spec's own schema so a stale or hand-edited
 * file fails at cold start, naming the entry.
 */
export function loadTables(
  file = process.env.TABLES_FILE ?? path.join(__dirname, "tables.json"),
): Map<string, TableSpec> {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (error) {
    throw new Error(`cannot read the table specs from ${file} (set TABLES_FILE): ${String(error)}`, {
      cause: error,
    });
  }
  if (!Array.isArray(raw)) throw new Error(`${file} must hold a JSON array of table specs`);
  return tablesByName(raw, file);
}

/** Validates a list of table specs and indexes them by name. */
export function tablesByName(entries: readonly unknown[], origin = "tables"): Map<string, TableSpec> {
  const tables = new Map<string, TableSpec>();
  entries.forEach((entry, i) => {
    const parsed = tableSchema.safeParse(entry);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
      throw new Error(`${origin}[${i}] is not a valid table spec: ${problems.join("; ")}`);
    }
    tables.set(parsed.data.name, parsed.data);
  });
  return tables;
}
