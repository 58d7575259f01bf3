import type { FuzzColumn, FuzzType } from "./fuzz-files";
import { sqlString, type Harness } from "./harness";

/** The DuckDB type a column is declared as (timestamp: TIMESTAMPTZ, so zone offsets are applied as bronze does). */
export function duckType(type: FuzzType): string {
  const types: Record<string, string> = {
    string: "VARCHAR",
    int: "INTEGER",
    bigint: "BIGINT",
    double: "DOUBLE",
    boolean: "BOOLEAN",
    date: "DATE",
    timestamp: "TIMESTAMPTZ",
  };
  return types[type] ?? type.toUpperCase();
}

/** The select list both sides are compared with: each value as DuckDB renders it (timestamps as epoch µs). */
export function comparable(columns: readonly FuzzColumn[], value = (c: FuzzColumn) => `"${c.name}"`): string {
  return columns
    .map((c) => {
      const v = value(c);
      if (c.type === "string" || c.type === "double" || c.type === "boolean") return `${v} AS "${c.name}"`;
      if (c.type === "timestamp") return `CAST(epoch_us(${v}) AS VARCHAR) AS "${c.name}"`;
      return `CAST(${v} AS VARCHAR) AS "${c.name}"`;
    })
    .join(", ");
}

/** What DuckDB makes of a file: the rows it reads, in order, and the records it refuses (1-based, in order). */
export interface Reference {
  rows: Record<string, unknown>[];
  refused: number[];
}

let scans = 0;

/**
 * DuckDB's read_csv of the file with the columns declared (no sniffing: header, delimiter, quote and escape
 * given), strict_mode (RFC 4180 quoting), empty fields of string columns read as "" (force_not_null, as the
 * converter keeps them), and refused records kept in a rejects table instead of failing the read (store_rejects,
 * which implies ignore_errors): DuckDB's per-record counterpart of the quarantine. Its `line` is the record's
 * number counting the header as 1 (not the physical line), so records are compared by position.
 * https://duckdb.org/docs/stable/data/csv/reading_faulty_csv_files
 */
export async function duckCsv(
  h: Harness,
  file: string,
  columns: readonly FuzzColumn[],
  {
    timestampsAsText = true,
    position = (n: number) => n,
  }: {
    timestampsAsText?: boolean;
    /** A record's position from DuckDB's number for it (its `line` less the header's). */
    position?: (n: number) => number;
  } = {},
): Promise<Reference> {
  const scan = ++scans;
  // A TIMESTAMPTZ that does not cast is read as NULL, not rejected, even with store_rejects (differences.ts):
  // timestamps are read as text and cast after, a record whose text does not cast is refused.
  const declared = columns
    .map(
      (c) =>
        `${sqlString(c.name)}: ${sqlString(c.type === "timestamp" && timestampsAsText ? "VARCHAR" : duckType(c.type))}`,
    )
    .join(", ");
  const strings = columns.filter((c) => c.type === "string").map((c) => sqlString(c.name));
  const timestamps = timestampsAsText ? columns.filter((c) => c.type === "timestamp") : [];
  const checks = timestamps.map(
    (c) => `("${c.name}" IS NULL OR TRY_CAST("${c.name}" AS TIMESTAMPTZ) IS NOT NULL)`,
  );
  const read = await h.query(
    `SELECT ${checks.length > 0 ? checks.join(" AND ") : "true"} AS ok,
            ${comparable(columns, (c) => (c.type === "timestamp" && timestampsAsText ? `TRY_CAST("${c.name}" AS TIMESTAMPTZ)` : `"${c.name}"`))}
     FROM read_csv(${sqlString(file)}, columns = {${declared}}, header = true,
       auto_detect = false, delim = ',', quote = '"', escape = '"', strict_mode = true, parallel = false,
       ${strings.length > 0 ? `force_not_null = [${strings.join(", ")}],` : ""}
       store_rejects = true, rejects_table = 'rejects_${scan}', rejects_scan = 'scans_${scan}')`,
  );
  const rejected = (await h.query(`SELECT DISTINCT line FROM rejects_${scan}`)).map((r) =>
    position(Number(r.line) - 1),
  );
  await h.query(`DROP TABLE rejects_${scan}; DROP TABLE scans_${scan}`);
  // The rows read are the records not rejected, in order: number them to place the timestamp refusals.
  const refused = new Set(rejected);
  const rows: Record<string, unknown>[] = [];
  let at = 0;
  for (const { ok, ...row } of read) {
    while (refused.has(++at));
    if (ok === true) rows.push(row);
    else refused.add(at);
  }
  return { rows, refused: [...refused].sort((a, b) => a - b) };
}

/**
 * DuckDB's reading of a JSON-lines file by the same contract: read_json_objects parses each line (NULL when it
 * is not JSON, with ignore_errors), a line that is not an object is refused, and each declared column is
 * json_extract_string of its key cast with TRY_CAST to the declared type; a present, non-null value that does
 * not cast refuses the record. (read_json with `columns` would not do: it turns a value that does not cast
 * into NULL and keeps the row.) https://duckdb.org/docs/stable/data/json/loading_json
 */
export async function duckJson(h: Harness, file: string, columns: readonly FuzzColumn[]): Promise<Reference> {
  const extracted = columns
    .map(
      (c, i) =>
        `json_extract(json, ${sqlString(`$."${c.name}"`)}) AS j${i},
         TRY_CAST(json_extract_string(json, ${sqlString(`$."${c.name}"`)}) AS ${duckType(c.type)}) AS v${i}`,
    )
    .join(", ");
  const ok = columns.map((_, i) => `(j${i} IS NULL OR json_type(j${i}) = 'NULL' OR v${i} IS NOT NULL)`);
  const all = await h.query(
    `WITH src AS (SELECT row_number() OVER () AS n, json
                  FROM read_json_objects(${sqlString(file)}, format = 'newline_delimited', ignore_errors = true)),
          v AS (SELECT n, json, ${extracted} FROM src)
     SELECT n, coalesce(json_type(json) = 'OBJECT' AND ${ok.join(" AND ")}, false) AS ok,
            ${comparable(columns, (c) => `v${columns.indexOf(c)}`)}
     FROM v ORDER BY n`,
  );
  return {
    rows: all.filter((r) => r.ok === true).map(({ n: _n, ok: _ok, ...row }) => row),
    refused: all.filter((r) => r.ok !== true).map((r) => Number(r.n)),
  };
}

/** read_json with the columns declared (and ignore_errors): what it returns; it refuses no record. */
export async function duckJsonDeclared(
  h: Harness,
  file: string,
  columns: readonly FuzzColumn[],
): Promise<Reference> {
  const declared = columns.map((c) => `${sqlString(c.name)}: ${sqlString(duckType(c.type))}`).join(", ");
  const rows = await h.query(
    `SELECT ${comparable(columns)} FROM read_json(${sqlString(file)}, format = 'newline_delimited',
       columns = {${declared}}, ignore_errors = true)`,
  );
  return { rows, refused: [] };
}
