import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import type { ColumnSpec } from "../../components/spec";
import { dialectFor } from "./dialect";

/**
 * The DuckDB dialect's casts give what Spark 3.5's try_cast gives (the answers below are what Spark 3.5.9
 * returned in `npm run test:spark`, test/spark/probes.ts, which checks them against a live Spark), so a
 * value DuckDB accepts locally is not quarantined in the cloud, or the other way round.
 */
describe("DuckDB casts agree with Spark's try_cast", () => {
  let connection: DuckDBConnection;
  beforeAll(async () => {
    connection = await (await DuckDBInstance.create(":memory:")).connect();
    await connection.run("SET TimeZone = 'UTC'");
  });
  afterAll(() => connection.closeSync());

  const cast = async (input: string, type: ColumnSpec["type"]): Promise<unknown> => {
    const duckdb = dialectFor("duckdb");
    const expr = duckdb.tryCast(duckdb.literal(input), type);
    const text = type === "timestamp" ? `strftime(${expr}, '%Y-%m-%d %H:%M:%S')` : `CAST(${expr} AS VARCHAR)`;
    return (await connection.runAndReadAll(`SELECT ${text}`)).getRows()[0][0];
  };

  it.each([
    ["1.5", "bigint", null],
    ["0x1F", "bigint", null],
    ["1_000", "bigint", null],
    ["+3", "bigint", "3"],
    ["-7", "int", "-7"],
    ["1.5", "int", null],
    ["2147483648", "int", null],
    ["1_000", "double", null],
    ["1e3", "double", "1000.0"],
    ["1_000", "decimal(12,2)", null],
    ["10.50", "decimal(12,2)", "10.50"],
  ] as const)("'1.5', '0x1F' and '1_000' are no integers: %s as %s is %s", async (input, type, expected) => {
    expect(await cast(input, type)).toBe(expected);
  });

  it.each([
    ["2024-01-01T00:00:00+02:00", "2023-12-31 22:00:00"],
    ["2024-01-01T23:30:00-03:00", "2024-01-02 02:30:00"],
    ["2024-01-01T00:00:00Z", "2024-01-01 00:00:00"],
    ["2024-01-01 00:00:00", "2024-01-01 00:00:00"],
  ])("TRY_CAST timestamp applies the offset: %s is %s UTC", async (input, expected) => {
    expect(await cast(input, "timestamp")).toBe(expected);
  });
});
