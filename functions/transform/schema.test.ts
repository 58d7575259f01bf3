import { stackSpec } from "./dev-spec";
import { goldColumns, measureType, quarantineColumns, relationColumns, silverColumns } from "./schema";

describe("table shapes", () => {
  const spec = stackSpec("dev");
  const table = (name: string) => spec.tables.find((t) => t.name === name)!;
  const model = (name: string) => spec.gold.find((g) => g.name === name)!;

  it("types masked columns as strings in silver and keeps keys required", () => {
    const profile = silverColumns(table("profile"));
    expect(profile.map((c) => [c.name, c.type, c.nullable])).toEqual([
      ["profile_id", "bigint", false],
      ["username", "string", true],
      ["state", "string", true],
      ["updated_at", "timestamp", true],
      ["_is_deleted", "boolean", false],
      ["_created_at", "timestamp", false],
      ["_updated_at", "timestamp", false],
      ["_ingested_at", "timestamp", false],
      ["_source_file", "string", false],
      ["_source_row", "bigint", false],
    ]);
    expect(
      quarantineColumns(table("brewery"))
        .map((c) => c.name)
        .slice(-7),
    ).toEqual([
      "_operation",
      "_rule",
      "_column",
      "_ingested_at",
      "_source_file",
      "_source_row",
      "_quarantined_at",
    ]);
  });

  it("exposes a view's joined columns as <table>_<column>", () => {
    const flat = relationColumns(spec, "review_flat");
    expect(flat.get("beer_style")).toBe("string");
    expect(flat.get("brewery_brewery_id")).toBe("bigint");
    expect(flat.get("profile_username")).toBe("string");
    expect(flat.size).toBe(10 + 5 + 5 + 4);
  });

  it("types gold columns as the SQL computes them", () => {
    expect(goldColumns(spec, model("top_styles_by_popularity")).map((c) => [c.name, c.type])).toEqual([
      ["beer_style", "string"],
      ["review_count", "bigint"],
      ["beer_count", "bigint"],
      // Partition columns last: Spark's CatalogTable asserts it (Delta's CREATE OR REPLACE failed).
      ["review_year", "int"],
      ["review_month", "int"],
    ]);
    expect(goldColumns(spec, model("total_purchases_by_store")).map((c) => [c.name, c.type])).toEqual([
      ["store_location", "string"],
      ["total_purchases", "decimal(22,2)"],
      ["customer_count", "bigint"],
    ]);
    expect(measureType("avg", "decimal(4,2)")).toBe("double");
    expect(measureType("sum", "decimal(36,2)")).toBe("decimal(38,2)");
    expect(measureType("sum", "int")).toBe("bigint");
    expect(measureType("max", "timestamp")).toBe("timestamp");
  });

  it("fails if a relation is not a table or view of the spec", () => {
    expect(() => relationColumns(spec, "nope")).toThrow(
      'transform: "nope" is not a table or view of the spec',
    );
  });
});
