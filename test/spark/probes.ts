import type { DuckDBConnection } from "@duckdb/node-api";
import type { ColumnSpec } from "../../components/spec";
import { dialectFor, type Engine } from "../../functions/transform/dialect";
import { differences, duckdbRelation } from "./relations";
import type { SparkProcess } from "./spark-process";

/**
 * The parity differences between DuckDB and Spark found so far, each a named check: one generated
 * expression evaluated on both engines over the same inputs. Each fix lives in functions/transform/dialect.ts
 * (or gold.ts), so the generated plans agree; these checks fail again if a dialect drifts.
 */

interface Probe {
  readonly name: string;
  /** A query per dialect over literal inputs; both answers must match row for row, type for type. */
  readonly query: (engine: Engine) => string;
}

/** `SELECT <expr over each input> AS v FROM (VALUES ...)`, the input kept beside its result. */
function castProbe(name: string, type: ColumnSpec["type"], inputs: readonly string[]): Probe {
  return {
    name,
    query: (engine) => {
      const dialect = dialectFor(engine);
      const rows = inputs.map((input) => `SELECT ${dialect.literal(input)} AS raw`).join(" UNION ALL ");
      return `SELECT raw, ${dialect.tryCast("raw", type)} AS v FROM (${rows}) AS inputs`;
    },
  };
}

const PROBES: Probe[] = [
  // DuckDB's TRY_CAST to TIMESTAMP dropped the offset; Spark converts it to the session zone (UTC).
  castProbe("TRY_CAST timestamp with an offset is converted to UTC", "timestamp", [
    "2024-01-01T00:00:00+02:00",
    "2024-01-01T00:00:00Z",
    "2024-01-01 00:00:00",
    "2024-01-01T23:30:00-03:00",
    "2024-01-01",
  ]),
  // DuckDB rounded '1.5' to 2 and read '0x1F' and '1_000'; Spark's try_cast gives NULL (quarantined).
  castProbe("'1.5', '0x1F' and '1_000' are no bigint", "bigint", ["1.5", "0x1F", "1_000", "42", "-7", "+3"]),
  castProbe("'1.5', '0x1F' and '1_000' are no int", "int", ["1.5", "0x1F", "1_000", "42", "2147483648"]),
  // DuckDB read '1_000' as a number (digit separators); Spark does not.
  castProbe("decimal casts agree, '1_000' is no decimal", "decimal(12,2)", [
    "10.50",
    "1.005",
    "abc",
    "1e2",
    "-0.01",
    "1_000",
    "0x1F",
  ]),
  castProbe("double casts agree, '1_000' is no double", "double", [
    "1.5",
    "1e3",
    "abc",
    "-0",
    "1_000",
    "0x1F",
    "NaN",
  ]),
  castProbe("boolean casts agree", "boolean", ["true", "FALSE", "1", "0", "yes", "t"]),
  castProbe("date casts agree", "date", ["2024-02-29", "2023-02-29", "2024-01-01T10:00:00Z", "20240101"]),
];

/** Runs every probe on DuckDB and on one Spark session; returns each probe's differences. */
export async function parityProbes(
  duckdb: DuckDBConnection,
  spark: SparkProcess,
  engine: Engine,
): Promise<{ name: string; problems: string[] }[]> {
  const reply = await spark.send({ sql: PROBES.map((p) => p.query(engine)) });
  const out: { name: string; problems: string[] }[] = [];
  for (const [i, probe] of PROBES.entries()) {
    const expected = await duckdbRelation(duckdb, probe.query("duckdb"));
    const actual = reply.ok ? (reply.results?.[i] ?? null) : null;
    out.push({
      name: probe.name,
      problems: reply.ok ? differences(expected, actual) : [reply.error ?? "no reply"],
    });
  }
  return out;
}
