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
      "brewery.create_ledger",
      "brewery.stage",
      "brewery.quarantine",
      "brewery.merge",
      "brewery.ledger",
      "brewery.drop_stage",
    ]);
    expect(iceberg.views.map((p) => p.name)).toEqual(["review_flat"]);
    expect(iceberg.silverToGold.map((p) => p.name)).toEqual(spec.gold.map((g) => g.name));
  });

  it("creates Iceberg silver tables with the spec's types, masked columns as strings, and the source order", () => {
    expect(step(iceberg.bronzeToSilver, "customers", "customers.create_silver")).toBe(
      "CREATE TABLE IF NOT EXISTS glue_catalog.brewery_dev_silver.customers (customer_id BIGINT, name STRING, cpf STRING, email STRING, card_number STRING, store_location STRING, total_purchases DECIMAL(12,2), created_at TIMESTAMP, _is_deleted BOOLEAN, _created_at TIMESTAMP, _updated_at TIMESTAMP, _ingested_at TIMESTAMP, _source_file STRING, _source_row BIGINT) USING iceberg",
    );
    expect(step(delta.bronzeToSilver, "brewery", "brewery.create_silver")).toMatch(/\) USING delta$/);
    expect(step(iceberg.bronzeToSilver, "review", "review.create_ledger")).toBe(
      "CREATE TABLE IF NOT EXISTS glue_catalog.brewery_dev_silver._consumed_review (_source_file STRING, _source_row BIGINT, _consumed_at TIMESTAMP) USING iceberg",
    );
  });

  it("upserts and soft-deletes review by operation with MERGE INTO, newest in source order, strictly newer only", () => {
    const merge = step(iceberg.bronzeToSilver, "review", "review.merge");
    const newer =
      "(source._ingested_at > target._ingested_at OR (source._ingested_at = target._ingested_at AND " +
      "(source._source_file > target._source_file OR (source._source_file = target._source_file AND (source._source_row > target._source_row)))))";
    expect(merge).toMatch(/^MERGE INTO glue_catalog\.brewery_dev_silver\.review AS target USING \(/);
    expect(merge).toContain(
      "row_number() OVER (PARTITION BY review_id ORDER BY _ingested_at DESC, _source_file DESC, _source_row DESC) AS _rank " +
        "FROM _stage_review WHERE _rule IS NULL",
    );
    // Beside each key's newest change, the batch's newest live one: the values a delete keeps.
    expect(merge).toContain(
      "LEFT JOIN (SELECT _l_review_id, _l_beer_id, _l_profile_id, _l_overall, _l_aroma, _l_appearance, _l_palate, _l_taste, _l_text, _l_review_time, _l_ingested_at, _l_source_file, _l_source_row FROM (" +
        "SELECT review_id AS _l_review_id, beer_id AS _l_beer_id, profile_id AS _l_profile_id, overall AS _l_overall, aroma AS _l_aroma, appearance AS _l_appearance, palate AS _l_palate, taste AS _l_taste, text AS _l_text, review_time AS _l_review_time, " +
        "_ingested_at AS _l_ingested_at, _source_file AS _l_source_file, _source_row AS _l_source_row, " +
        "row_number() OVER (PARTITION BY review_id ORDER BY _ingested_at DESC, _source_file DESC, _source_row DESC) AS _rank " +
        "FROM _stage_review WHERE _rule IS NULL AND NOT _operation IN ('delete', 'd')) AS ranked WHERE _rank = 1) AS lastLive ON newest.review_id = lastLive._l_review_id",
    );
    const liveIsNewer =
      "(source._l_review_id IS NOT NULL AND (target._live_ingested_at IS NULL OR (source._l_ingested_at > target._live_ingested_at OR (source._l_ingested_at = target._live_ingested_at AND " +
      "(source._l_source_file > target._live_source_file OR (source._l_source_file = target._live_source_file AND (source._l_source_row > target._live_source_row)))))))";
    expect(merge).toContain(
      `WHEN MATCHED AND ${newer} AND source._operation IN ('delete', 'd') THEN UPDATE SET _is_deleted = TRUE, ` +
        `beer_id = CASE WHEN ${liveIsNewer} THEN source._l_beer_id ELSE target.beer_id END, `,
    );
    expect(merge).toContain(
      `_updated_at = current_timestamp(), _ingested_at = source._ingested_at, _source_file = source._source_file, _source_row = source._source_row WHEN MATCHED AND ${newer} THEN UPDATE SET beer_id = source.beer_id, `,
    );
    // A late live change, older than the row's delete but newer than its values, becomes the values.
    expect(merge).toContain(
      `WHEN MATCHED AND target._is_deleted AND ${liveIsNewer} THEN UPDATE SET beer_id = source._l_beer_id, `,
    );
    // A delete of an unknown key leaves a tombstone holding its order and the batch's last live values.
    expect(merge).toContain(
      "WHEN NOT MATCHED AND source._operation IN ('delete', 'd') THEN INSERT (review_id, beer_id, profile_id, overall, aroma, appearance, palate, taste, text, review_time, " +
        "_is_deleted, _created_at, _updated_at, _ingested_at, _source_file, _source_row, _live_ingested_at, _live_source_file, _live_source_row) " +
        "VALUES (source.review_id, source._l_beer_id, source._l_profile_id, source._l_overall, source._l_aroma, source._l_appearance, source._l_palate, source._l_taste, source._l_text, source._l_review_time, " +
        "TRUE, current_timestamp(), current_timestamp(), source._ingested_at, source._source_file, source._source_row, source._l_ingested_at, source._l_source_file, source._l_source_row) WHEN NOT MATCHED THEN INSERT (",
    );
  });

  it("orders profile versions by its watermark column first (NULL oldest)", () => {
    const merge = step(iceberg.bronzeToSilver, "profile", "profile.merge");
    expect(merge).toContain(
      "ORDER BY updated_at DESC NULLS LAST, _ingested_at DESC, _source_file DESC, _source_row DESC",
    );
    expect(merge).toContain(
      "WHEN MATCHED AND (source.updated_at > target.updated_at OR (source.updated_at IS NOT NULL AND target.updated_at IS NULL) OR " +
        "((source.updated_at = target.updated_at OR (source.updated_at IS NULL AND target.updated_at IS NULL)) AND (source._ingested_at > target._ingested_at",
    );
  });

  it("stages typed, judged and masked rows from bronze that the ledger does not hold, as this session's relation", () => {
    const stage = step(iceberg.bronzeToSilver, "customers", "customers.stage");
    expect(stage).toMatch(/^SELECT customer_id, name, /);
    expect(iceberg.bronzeToSilver[0].steps.find((s) => s.name === "brewery.stage")?.temporary).toBe(
      "_stage_brewery",
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
      "FROM glue_catalog.brewery_dev_bronze.customers AS bronze WHERE NOT EXISTS (SELECT 1 FROM glue_catalog.brewery_dev_silver._consumed_customers AS consumed " +
        "WHERE consumed._source_file = CAST(bronze._source_file AS STRING) AND consumed._source_row = CAST(bronze._source_row AS BIGINT))",
    );
    const profile = iceberg.bronzeToSilver
      .find((p) => p.name === "profile")!
      .steps.find((s) => s.name === "profile.stage")!;
    expect(profile.sql).toContain(
      "sha2(concat(_medallion_hash_key._hash_outer_pad, unhex(sha2(concat(_medallion_hash_key._hash_inner_pad, CAST(CAST(username AS STRING) AS BINARY)), 256))), 256) AS username",
    );
    expect(profile.sql).toMatch(/ AS checked CROSS JOIN _medallion_hash_key$/);
    expect(profile.inputs).toEqual(["hash_key"]);
  });

  it("quarantines idempotently, appends the ledger last and drops the session's stage", () => {
    const steps = iceberg.bronzeToSilver.find((p) => p.name === "review")!.steps;
    expect(steps.find((s) => s.name === "review.quarantine")?.sql).toMatch(
      /^MERGE INTO glue_catalog\.brewery_dev_quarantine\.review AS target USING \(SELECT .* FROM _stage_review WHERE _rule IS NOT NULL\) AS source ON target\._source_file = source\._source_file AND target\._source_row = source\._source_row WHEN MATCHED THEN UPDATE SET _rule = target\._rule WHEN NOT MATCHED THEN INSERT /,
    );
    expect(steps.at(-2)?.sql).toBe(
      "INSERT INTO glue_catalog.brewery_dev_silver._consumed_review (_source_file, _source_row, _consumed_at) " +
        "SELECT _source_file, _source_row, current_timestamp() FROM _stage_review",
    );
    expect(steps.at(-1)?.sql).toBe("DROP VIEW IF EXISTS _stage_review");
  });

  it("reads bronze Parquet by path when given a bronze root", () => {
    const byPath = buildTransformPlans(spec, "spark-iceberg", glue, {
      bronzeRoot: "s3://brewery-dev-bronze/",
    });
    expect(step(byPath.bronzeToSilver, "beer", "beer.stage")).toContain(
      "FROM parquet.`s3://brewery-dev-bronze/beer/` AS bronze WHERE",
    );
  });

  it("materialises the flat view and partitions gold by review year and month", () => {
    expect(step(iceberg.views, "review_flat", "review_flat.build")).toMatch(
      /^CREATE OR REPLACE TABLE glue_catalog\.brewery_dev_silver\.review_flat USING iceberg AS SELECT review\.review_id AS review_id, .* LEFT JOIN \(SELECT \* FROM glue_catalog\.brewery_dev_silver\.brewery WHERE NOT _is_deleted\) AS brewery ON beer\.brewery_id = brewery\.brewery_id .* WHERE NOT review\._is_deleted$/,
    );
    expect(step(iceberg.silverToGold, "top_beers_by_rating", "top_beers_by_rating.build")).toBe(
      "CREATE OR REPLACE TABLE glue_catalog.brewery_dev_gold.top_beers_by_rating USING iceberg PARTITIONED BY (review_year, review_month) " +
        "AS SELECT beer_id, beer_name, beer_style, brewery_name, " +
        // Measures cast to the catalog's types; partition columns last; NULLs last in both directions.
        "CAST(avg(overall) AS DOUBLE) AS avg_rating, CAST(count(*) AS BIGINT) AS review_count, " +
        "year(review_time) AS review_year, month(review_time) AS review_month FROM glue_catalog.brewery_dev_silver.review_flat " +
        "GROUP BY beer_id, beer_name, beer_style, brewery_name, year(review_time), month(review_time) " +
        "ORDER BY avg_rating DESC NULLS LAST, beer_id ASC NULLS LAST, beer_name ASC NULLS LAST, beer_style ASC NULLS LAST, brewery_name ASC NULLS LAST, review_year ASC NULLS LAST, review_month ASC NULLS LAST",
    );
    expect(step(delta.silverToGold, "customers_per_store", "customers_per_store.build")).toBe(
      "CREATE OR REPLACE TABLE main.gold.customers_per_store USING delta AS SELECT store_location, CAST(count(DISTINCT customer_id) AS BIGINT) AS customer_count " +
        "FROM main.silver.customers WHERE NOT _is_deleted GROUP BY store_location ORDER BY customer_count DESC NULLS LAST, store_location ASC NULLS LAST",
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
          schema: "`brewery_id` STRING, `name` STRING, `city` STRING, `state` STRING, `country` STRING",
          checkpoint: "abfss://bronze@acct.dfs.core.windows.net/_checkpoints/brewery",
        },
      ],
    });
  });
});
