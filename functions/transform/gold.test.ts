import { createHmac } from "node:crypto";
import { LOCAL_HASH_KEY } from "./duckdb-runner";
import { cpfFromBase } from "./cpf";
import { stackSpec } from "./dev-spec";
import { LocalLake } from "./test-support";

const sha = (text: string) => createHmac("sha256", LOCAL_HASH_KEY).update(text).digest("hex");
const at = "2024-05-01 00:00:00";

/** The dev spec's tables with a small, hand-checked dataset; review 5 is inserted, then deleted. */
async function devLake(): Promise<LocalLake> {
  const lake = await LocalLake.create(stackSpec("dev"));
  await lake.land("brewery", [
    { brewery_id: 1, name: "Alpha", city: "Austin", state: "TX", country: "US", _ingested_at: at },
    { brewery_id: 2, name: "Beta", city: "Denver", state: "CO", country: "US", _ingested_at: at },
  ]);
  await lake.land("beer", [
    { beer_id: 10, brewery_id: 1, name: "Alpha IPA", style: "IPA", abv: "6.5", _ingested_at: at },
    { beer_id: 11, brewery_id: 1, name: "Alpha Stout", style: "Stout", abv: "8", _ingested_at: at },
    { beer_id: 20, brewery_id: 2, name: "Beta IPA", style: "IPA", abv: "5.5", _ingested_at: at },
  ]);
  await lake.land("profile", [
    { profile_id: 100, username: "ana", state: "TX", updated_at: "2024-01-01 00:00:00", _ingested_at: at },
    { profile_id: 101, username: "bob", state: "CO", updated_at: "2024-01-01 00:00:00", _ingested_at: at },
  ]);
  const review = (id: number, beer: number, profile: number, overall: number, time: string) => ({
    review_id: id,
    beer_id: beer,
    profile_id: profile,
    overall,
    review_time: time,
    operation: "insert",
    _ingested_at: at,
  });
  await lake.land("review", [
    review(1, 10, 100, 4, "2024-03-05 10:00:00"),
    review(2, 10, 101, 5, "2024-03-10 10:00:00"),
    review(3, 11, 100, 3, "2024-03-12 10:00:00"),
    review(4, 20, 101, 4.5, "2024-04-01 10:00:00"),
    review(5, 20, 100, 2, "2024-04-02 10:00:00"),
  ]);
  const customer = (id: number, base: string, store: string, total: string) => ({
    customer_id: id,
    name: `c${id}`,
    cpf: cpfFromBase(base),
    email: `c${id}@example.com`,
    card_number: "4111111111111111",
    store_location: store,
    total_purchases: total,
    _ingested_at: at,
  });
  await lake.land("customers", [
    customer(1, "529982247", "SP", "100.00"),
    customer(2, "123456789", "SP", "50.50"),
    customer(3, "987654321", "RJ", "20.00"),
  ]);
  await lake.silver();
  await lake.land("review", [{ review_id: 5, operation: "delete", _ingested_at: "2024-05-02 00:00:00" }]);
  await lake.silver();
  await lake.viewsAndGold();
  return lake;
}

describe("flat view and gold models of the dev spec (DuckDB)", () => {
  let lake: LocalLake;
  beforeAll(async () => {
    lake = await devLake();
  });

  it("builds review_flat from live reviews with joined columns as <table>_<column>", async () => {
    expect(
      await lake.rows(
        "SELECT review_id, beer_id, beer_name, beer_brewery_id, brewery_name, brewery_state, profile_username, profile_state FROM silver.review_flat ORDER BY review_id",
      ),
    ).toEqual(
      [
        [1, 10, "Alpha IPA", 1, "Alpha", "TX", sha("ana"), "TX"],
        [2, 10, "Alpha IPA", 1, "Alpha", "TX", sha("bob"), "CO"],
        [3, 11, "Alpha Stout", 1, "Alpha", "TX", sha("ana"), "TX"],
        [4, 20, "Beta IPA", 2, "Beta", "CO", sha("bob"), "CO"],
      ].map(
        ([
          review_id,
          beer_id,
          beer_name,
          beer_brewery_id,
          brewery_name,
          brewery_state,
          profile_username,
          profile_state,
        ]) => ({
          review_id: String(review_id),
          beer_id: String(beer_id),
          beer_name,
          beer_brewery_id: String(beer_brewery_id),
          brewery_name,
          brewery_state,
          profile_username,
          profile_state,
        }),
      ),
    );
  });

  it("top_beers_by_rating", async () => {
    expect(await lake.rows("SELECT * FROM gold.top_beers_by_rating")).toEqual([
      {
        beer_id: "10",
        beer_name: "Alpha IPA",
        beer_style: "IPA",
        brewery_name: "Alpha",
        review_year: 2024,
        review_month: 3,
        avg_rating: 4.5,
        review_count: "2",
      },
      {
        beer_id: "20",
        beer_name: "Beta IPA",
        beer_style: "IPA",
        brewery_name: "Beta",
        review_year: 2024,
        review_month: 4,
        avg_rating: 4.5,
        review_count: "1",
      },
      {
        beer_id: "11",
        beer_name: "Alpha Stout",
        beer_style: "Stout",
        brewery_name: "Alpha",
        review_year: 2024,
        review_month: 3,
        avg_rating: 3,
        review_count: "1",
      },
    ]);
  });

  it("top_breweries_by_rating", async () => {
    expect(await lake.rows("SELECT * FROM gold.top_breweries_by_rating")).toEqual([
      {
        brewery_brewery_id: "2",
        brewery_name: "Beta",
        brewery_state: "CO",
        review_year: 2024,
        review_month: 4,
        avg_rating: 4.5,
        review_count: "1",
      },
      {
        brewery_brewery_id: "1",
        brewery_name: "Alpha",
        brewery_state: "TX",
        review_year: 2024,
        review_month: 3,
        avg_rating: 4,
        review_count: "3",
      },
    ]);
  });

  it("top_drinkers", async () => {
    expect(await lake.rows("SELECT * FROM gold.top_drinkers")).toEqual([
      {
        profile_id: "100",
        profile_username: sha("ana"),
        review_year: 2024,
        review_month: 3,
        review_count: "2",
        avg_rating_given: 3.5,
      },
      {
        profile_id: "101",
        profile_username: sha("bob"),
        review_year: 2024,
        review_month: 3,
        review_count: "1",
        avg_rating_given: 5,
      },
      {
        profile_id: "101",
        profile_username: sha("bob"),
        review_year: 2024,
        review_month: 4,
        review_count: "1",
        avg_rating_given: 4.5,
      },
    ]);
  });

  it("top_styles_by_popularity", async () => {
    expect(await lake.rows("SELECT * FROM gold.top_styles_by_popularity")).toEqual([
      { beer_style: "IPA", review_year: 2024, review_month: 3, review_count: "2", beer_count: "1" },
      { beer_style: "IPA", review_year: 2024, review_month: 4, review_count: "1", beer_count: "1" },
      { beer_style: "Stout", review_year: 2024, review_month: 3, review_count: "1", beer_count: "1" },
    ]);
  });

  it("state_by_review_volume", async () => {
    expect(await lake.rows("SELECT * FROM gold.state_by_review_volume")).toEqual([
      { profile_state: "TX", review_year: 2024, review_month: 3, review_count: "2" },
      { profile_state: "CO", review_year: 2024, review_month: 3, review_count: "1" },
      { profile_state: "CO", review_year: 2024, review_month: 4, review_count: "1" },
    ]);
  });

  it("customers_per_store (seed 002)", async () => {
    expect(await lake.rows("SELECT * FROM gold.customers_per_store")).toEqual([
      { store_location: "SP", customer_count: "2" },
      { store_location: "RJ", customer_count: "1" },
    ]);
  });

  it("total_purchases_by_store (seed 002)", async () => {
    expect(await lake.rows("SELECT * FROM gold.total_purchases_by_store")).toEqual([
      { store_location: "SP", total_purchases: "150.50", customer_count: "2" },
      { store_location: "RJ", total_purchases: "20.00", customer_count: "1" },
    ]);
  });
});
