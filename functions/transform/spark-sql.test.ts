import { autoloaderPlans, buildTransformPlans, type Namespaces } from "./index";
import { stackSpec } from "./dev-spec";

const glue: Namespaces = {
  bronze: "glue_catalog.brewery_dev_bronze",
  silver: "glue_catalog.brewery_dev_silver",
  gold: "glue_catalog.brewery_dev_gold",
  quarantine: "glue_catalog.brewery_dev_quarantine",
};
const spec = stackSpec("dev");

function step(
  plans: { name: string; steps: { name: string; sql?: string }[] }[],
  plan: string,
  name: string,
) {
  const found = plans.find((p) => p.name === plan)?.steps.find((s) => s.name === name);
  if (!found?.sql) throw new Error(`no sql step ${plan}/${name}`);
  return found.sql;
}

describe("Spark SQL (Iceberg on Glue, Delta on Databricks)", () => {
  const iceberg = buildTransformPlans(spec, "spark-iceberg", glue);
  const delta = buildTransformPlans(spec, "spark-delta", {
    ...glue,
    silver: "main.silver",
    gold: "main.gold",
  });

  it("plans one bronze → silver plan per table, the flat view, and one plan per gold model", () => {
    expect(iceberg.bronzeToSilver.map((p) => p.name)).toEqual(spec.tables.map((t) => t.name));
    expect(iceberg.bronzeToSilver[0].steps.map((s) => s.name)).toEqual([
      "brewery.create_silver",
      "brewery.create_quarantine",
      "brewery.stage",
      "brewery.quarantine",
      "brewery.merge",
    ]);
    expect(iceberg.views.map((p) => p.name)).toEqual(["review_flat"]);
    expect(iceberg.silverToGold.map((p) => p.name)).toEqual(spec.gold.map((g) => g.name));
  });

  it("creates Iceberg silver tables with the spec's types, masked columns as strings", () => {
    expect(step(iceberg.bronzeToSilver, "customers", "customers.create_silver")).toBe(
      "CREATE TABLE IF NOT EXISTS glue_catalog.brewery_dev_silver.customers (customer_id BIGINT, name STRING, cpf STRING, email STRING, card_number STRING, store_location STRING, total_purchases DECIMAL(12,2), created_at TIMESTAMP, _is_deleted BOOLEAN, _created_at TIMESTAMP, _updated_at TIMESTAMP, _ingested_at TIMESTAMP) USING iceberg",
    );
    expect(step(delta.bronzeToSilver, "brewery", "brewery.create_silver")).toMatch(/\) USING delta$/);
  });

  it("upserts and soft-deletes review by operation with MERGE INTO", () => {
    expect(step(iceberg.bronzeToSilver, "review", "review.merge")).toBe(
      "MERGE INTO glue_catalog.brewery_dev_silver.review AS target USING (" +
        "SELECT review_id, beer_id, profile_id, overall, aroma, appearance, palate, taste, text, review_time, _operation, _ingested_at FROM (" +
        "SELECT review_id, beer_id, profile_id, overall, aroma, appearance, palate, taste, text, review_time, _operation, _ingested_at, " +
        "row_number() OVER (PARTITION BY review_id ORDER BY _ingested_at DESC) AS _rank " +
        "FROM glue_catalog.brewery_dev_silver._stage_review WHERE _rule IS NULL) AS ranked WHERE _rank = 1) AS source " +
        "ON target.review_id = source.review_id " +
        "WHEN MATCHED AND source._ingested_at > target._ingested_at AND source._operation IN ('delete', 'd') " +
        "THEN UPDATE SET _is_deleted = TRUE, _updated_at = current_timestamp(), _ingested_at = source._ingested_at " +
        "WHEN MATCHED AND source._ingested_at > target._ingested_at THEN UPDATE SET beer_id = source.beer_id, profile_id = source.profile_id, " +
        "overall = source.overall, aroma = source.aroma, appearance = source.appearance, palate = source.palate, taste = source.taste, " +
        "text = source.text, review_time = source.review_time, _is_deleted = FALSE, _updated_at = current_timestamp(), _ingested_at = source._ingested_at " +
        "WHEN NOT MATCHED AND NOT (source._operation IN ('delete', 'd')) THEN INSERT (review_id, beer_id, profile_id, overall, aroma, appearance, palate, taste, text, review_time, _is_deleted, _created_at, _updated_at, _ingested_at) " +
        "VALUES (source.review_id, source.beer_id, source.profile_id, source.overall, source.aroma, source.appearance, source.palate, source.taste, source.text, source.review_time, FALSE, current_timestamp(), current_timestamp(), source._ingested_at)",
    );
  });

  it("stages typed, judged and masked rows from bronze past the high-water mark", () => {
    const stage = step(iceberg.bronzeToSilver, "customers", "customers.stage");
    expect(stage).toMatch(
      /^CREATE OR REPLACE TABLE glue_catalog\.brewery_dev_silver\._stage_customers USING iceberg AS SELECT /,
    );
    expect(stage).toContain(
      "CASE WHEN cpf IS NULL THEN NULL ELSE concat('********', right(regexp_replace(CAST(cpf AS STRING), '[^0-9]', ''), 3)) END AS cpf",
    );
    expect(stage).toContain(
      "concat('************', right(regexp_replace(CAST(card_number AS STRING), '[^0-9]', ''), 4))",
    );
    expect(stage).toContain("concat('***@', split_part(CAST(email AS STRING), '@', 2))");
    expect(stage).toContain(
      "WHEN store_location IS NOT NULL AND NOT COALESCE(CAST(store_location AS STRING) IN ('SP', 'RJ', 'MG', 'RS', 'PR'), FALSE) THEN 'domain'",
    );
    expect(stage).toContain(
      "try_cast(NULLIF(TRIM(CAST(total_purchases AS STRING)), '') AS DECIMAL(12,2)) AS total_purchases",
    );
    expect(stage).toContain(
      "FROM glue_catalog.brewery_dev_bronze.customers WHERE CAST(_ingested_at AS TIMESTAMP) > (SELECT COALESCE(max(mark)",
    );
    expect(step(iceberg.bronzeToSilver, "profile", "profile.stage")).toContain(
      "sha2(CAST(username AS STRING), 256) AS username",
    );
  });

  it("reads bronze Parquet by path when given a bronze root", () => {
    const byPath = buildTransformPlans(spec, "spark-iceberg", glue, {
      bronzeRoot: "s3://brewery-dev-bronze/",
    });
    expect(step(byPath.bronzeToSilver, "beer", "beer.stage")).toContain(
      "FROM parquet.`s3://brewery-dev-bronze/beer/` WHERE",
    );
  });

  it("materialises the flat view and partitions gold by review year and month", () => {
    expect(step(iceberg.views, "review_flat", "review_flat.build")).toMatch(
      /^CREATE OR REPLACE TABLE glue_catalog\.brewery_dev_silver\.review_flat USING iceberg AS SELECT review\.review_id AS review_id, .* LEFT JOIN \(SELECT \* FROM glue_catalog\.brewery_dev_silver\.brewery WHERE NOT _is_deleted\) AS brewery ON beer\.brewery_id = brewery\.brewery_id .* WHERE NOT review\._is_deleted$/,
    );
    expect(step(iceberg.silverToGold, "top_beers_by_rating", "top_beers_by_rating.build")).toBe(
      "CREATE OR REPLACE TABLE glue_catalog.brewery_dev_gold.top_beers_by_rating USING iceberg PARTITIONED BY (review_year, review_month) " +
        "AS SELECT beer_id, beer_name, beer_style, brewery_name, year(review_time) AS review_year, month(review_time) AS review_month, " +
        "avg(overall) AS avg_rating, count(*) AS review_count FROM glue_catalog.brewery_dev_silver.review_flat " +
        "GROUP BY beer_id, beer_name, beer_style, brewery_name, year(review_time), month(review_time) " +
        "ORDER BY avg_rating DESC, beer_id ASC, beer_name ASC, beer_style ASC, brewery_name ASC, review_year ASC, review_month ASC",
    );
    expect(step(delta.silverToGold, "customers_per_store", "customers_per_store.build")).toBe(
      "CREATE OR REPLACE TABLE main.gold.customers_per_store USING delta AS SELECT store_location, count(DISTINCT customer_id) AS customer_count " +
        "FROM main.silver.customers WHERE NOT _is_deleted GROUP BY store_location ORDER BY customer_count DESC, store_location ASC",
    );
  });

  it("plans one Auto Loader step per table for Databricks bronze", () => {
    const plans = autoloaderPlans(
      spec,
      "abfss://raw@acct.dfs.core.windows.net/",
      "abfss://bronze@acct.dfs.core.windows.net/_checkpoints",
      {
        ...glue,
        bronze: "main.bronze",
      },
    );
    expect(plans).toHaveLength(spec.tables.length);
    expect(plans[0]).toEqual({
      name: "brewery",
      stage: "bronze",
      steps: [
        {
          name: "brewery.autoload",
          kind: "autoloader",
          source: "abfss://raw@acct.dfs.core.windows.net/brewery/",
          format: "csv",
          target: "main.bronze.brewery",
          checkpoint: "abfss://bronze@acct.dfs.core.windows.net/_checkpoints/brewery",
        },
      ],
    });
  });
});
