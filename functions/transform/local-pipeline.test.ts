import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Readable } from "node:stream";
import { DuckDBInstance } from "@duckdb/node-api";
import { stackSpec } from "./dev-spec";
import { formatSummary, runLocalBatch, type Arrival, type BatchSummary } from "./local-pipeline";
import { cdcBatch, initialBatch, type RawFile } from "./sample-data";

/** A batch's sample files as arrivals, 1 ms apart from `at`, as the CLI's ledger spaces them. */
function arrivals(batch: string, files: readonly RawFile[], at: string): Arrival[] {
  return files.map((file, i) => ({
    table: file.table,
    open: () => Readable.from([Buffer.from(file.text)]),
    controlId: `file://samples/${batch}/${file.table}`,
    ingestedAt: new Date(Date.parse(at) + i),
  }));
}

/**
 * The local pipeline in-process on the dev spec with 5 good rows per table. Each table also gets one bad row
 * per quality rule and one whose first non-key typed column does not parse: the converter quarantines the
 * unparseable rows and null keys in bronze, the silver quality gate quarantines the rest by rule.
 */
describe("npm run pipeline:local (in-process, dev spec, 5 rows per table)", () => {
  const spec = stackSpec("dev");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pipeline-test-"));
  let initial: BatchSummary;
  let cdc: BatchSummary;

  beforeAll(async () => {
    initial = await runLocalBatch({
      spec,
      dir,
      batch: "initial",
      arrivals: arrivals("initial", initialBatch(spec, { rowsPerTable: 5 }), "2024-07-01T02:00:00Z"),
    });
    cdc = await runLocalBatch({
      spec,
      dir,
      batch: "cdc",
      arrivals: arrivals("cdc", cdcBatch(spec, { rowsPerTable: 5 }), "2024-07-02T02:00:00Z"),
    });
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("counts rows per layer and table for the initial batch", () => {
    const inserted = (n: number) => ({ inserted: n, updated: 0, deleted: 0 });
    expect(initial.tables).toEqual({
      // 5 good + required(brewery_id: null key, converter) + required(name)
      brewery: { raw: 7, bronze: 6, bronzeQuarantined: 1, silver: 5, silverDeleted: 0, merged: inserted(5) },
      // 5 good + required(brewery_id) + range(abv) + brewery_id "not-a-number" (converter)
      beer: { raw: 8, bronze: 7, bronzeQuarantined: 1, silver: 5, silverDeleted: 0, merged: inserted(5) },
      // 5 good + updated_at "not-a-number" (converter)
      profile: { raw: 6, bronze: 5, bronzeQuarantined: 1, silver: 5, silverDeleted: 0, merged: inserted(5) },
      // 5 good + required(beer_id) + required(profile_id) + range(overall) + beer_id "not-a-number"
      review: { raw: 9, bronze: 8, bronzeQuarantined: 1, silver: 5, silverDeleted: 0, merged: inserted(5) },
      // 5 good + 5 rules (required customer_id is a null key: converter) + total_purchases "not-a-number"
      customers: {
        raw: 11,
        bronze: 9,
        bronzeQuarantined: 2,
        silver: 5,
        silverDeleted: 0,
        merged: inserted(5),
      },
    });
  });

  it("reports what the converter quarantined in bronze, by reason", () => {
    expect(initial.bronzeQuarantinedByReason).toEqual({
      "brewery: brewery_id: required value is missing": 1,
      'beer: brewery_id: "…" is not a bigint': 1,
      'profile: updated_at: "…" is not a timestamp (ISO 8601 or epoch seconds)': 1,
      'review: beer_id: "…" is not a bigint': 1,
      "customers: customer_id: required value is missing": 1,
      'customers: total_purchases: "…" is not a decimal(12,2)': 1,
    });
    expect(cdc.bronzeQuarantinedByReason).toEqual({});
  });

  it("quarantines each deliberately bad row under the rule it breaks", () => {
    expect(initial.quarantinedByRule).toEqual({
      "brewery.required(name)": 1,
      "beer.range(abv)": 1,
      "beer.required(brewery_id)": 1,
      "review.range(overall)": 1,
      "review.required(beer_id)": 1,
      "review.required(profile_id)": 1,
      "customers.domain(store_location)": 1,
      "customers.format_cpf(cpf)": 1,
      "customers.format_email(email)": 1,
      "customers.required(cpf)": 1,
    });
    // The CDC batch breaks no rule: the counts do not grow (no re-quarantine of earlier batches).
    expect(cdc.quarantinedByRule).toEqual(initial.quarantinedByRule);
  });

  it("merges the CDC batch: 2 updates, 2 soft deletes and 1 insert on review, one upsert elsewhere", () => {
    expect(cdc.tables.review).toEqual({
      raw: 5,
      bronze: 5,
      bronzeQuarantined: 0,
      silver: 4,
      silverDeleted: 2,
      merged: { inserted: 1, updated: 2, deleted: 2 },
    });
    for (const table of ["brewery", "beer", "profile", "customers"]) {
      expect(cdc.tables[table]).toMatchObject({
        silver: 5,
        silverDeleted: 0,
        merged: { inserted: 0, updated: 1, deleted: 0 },
      });
    }
  });

  it("builds the flat view and every gold model from live rows only", async () => {
    expect(initial.views).toEqual({ review_flat: 5 });
    expect(cdc.views).toEqual({ review_flat: 4 });
    expect(Object.keys(cdc.gold)).toEqual(spec.gold.map((g) => g.name));
    const instance = await DuckDBInstance.create(path.join(dir, "lake.duckdb"));
    const connection = await instance.connect();
    const one = async (sql: string) => Number((await connection.runAndReadAll(sql)).getRows()[0][0]);
    expect(await one("SELECT sum(review_count) FROM gold.top_styles_by_popularity")).toBe(4);
    expect(await one("SELECT sum(review_count) FROM gold.state_by_review_volume")).toBe(4);
    expect(await one("SELECT sum(customer_count) FROM gold.customers_per_store")).toBe(5);
    expect(await one("SELECT count(*) FROM silver.customers WHERE cpf NOT LIKE '********___'")).toBe(0);
    connection.closeSync();
    instance.closeSync();
  });

  it("prints rows per layer, quarantine by rule and gold rows", () => {
    const text = formatSummary(cdc, ["customers_per_store"]);
    expect(text).toContain("== batch cdc");
    expect(text).toMatch(
      /review\s+raw\s+5\s+bronze\s+5 \[\+0\]\s+silver\s+4 \/ 2\s+\(merge: 1 inserted, 2 updated, 2 deleted\)/,
    );
    expect(text).toContain("customers.format_cpf(cpf): 1");
    expect(text).toContain("gold.customers_per_store (first rows):");
  });
});
