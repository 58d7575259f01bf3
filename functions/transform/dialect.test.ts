import { dialectFor, type Engine } from "./dialect";

describe("dialects", () => {
  const iceberg = dialectFor("spark-iceberg");
  const delta = dialectFor("spark-delta");
  const duckdb = dialectFor("duckdb");

  it("escapes string literals the way each parser reads them", () => {
    expect(duckdb.literal("it's \\d")).toBe("'it''s \\d'");
    expect(iceberg.literal("it's \\d")).toBe("'it\\'s \\\\d'");
  });

  it("maps spec types to engine types", () => {
    expect(
      ["string", "int", "bigint", "double", "boolean", "date", "timestamp", "decimal(12,2)"].map(
        iceberg.type,
      ),
    ).toEqual(["STRING", "INT", "BIGINT", "DOUBLE", "BOOLEAN", "DATE", "TIMESTAMP", "DECIMAL(12,2)"]);
    expect(duckdb.type("string")).toBe("VARCHAR");
    expect(duckdb.type("int")).toBe("INTEGER");
  });

  it("spells the engine functions that differ", () => {
    expect(iceberg.tryCast("x", "bigint")).toBe("try_cast(x AS BIGINT)");
    expect(duckdb.tryCast("x", "boolean")).toBe("TRY_CAST(x AS BOOLEAN)");
    expect(iceberg.sha256("x")).toBe("sha2(CAST(x AS STRING), 256)");
    expect(duckdb.sha256("x")).toBe("sha256(CAST(x AS VARCHAR))");
    expect(iceberg.matches("x", "^a$")).toBe("(x RLIKE '^a$')");
    expect(duckdb.matches("x", "^a$")).toBe("regexp_matches(x, '^a$')");
    expect(iceberg.removeAll("x", "[^0-9]")).toBe("regexp_replace(x, '[^0-9]', '')");
    expect(duckdb.removeAll("x", "[^0-9]")).toBe("regexp_replace(x, '[^0-9]', '', 'g')");
    expect(iceberg.year("t")).toBe("year(t)");
    expect(duckdb.month("t")).toBe("CAST(month(t) AS INTEGER)");
    expect(iceberg.now).toBe("current_timestamp()");
  });

  it("names the table format and partitioning", () => {
    expect(iceberg.tableSuffix(["y", "m"])).toBe("USING iceberg PARTITIONED BY (y, m)");
    expect(delta.tableSuffix([])).toBe("USING delta");
    expect(duckdb.tableSuffix(["y"])).toBe("");
  });

  it("reads bronze Parquet directories", () => {
    expect(iceberg.readParquet("s3://b/review")).toBe("parquet.`s3://b/review/`");
    expect(duckdb.readParquet("/tmp/bronze/review/")).toBe(
      "read_parquet('/tmp/bronze/review/**/*.parquet', hive_partitioning = true, union_by_name = true)",
    );
  });

  it("fails if the engine is unknown", () => {
    expect(() => dialectFor("presto" as Engine)).toThrow(
      'transform: unknown engine "presto" (expected spark-iceberg, spark-delta or duckdb)',
    );
  });
});
