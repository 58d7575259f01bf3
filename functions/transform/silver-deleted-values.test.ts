import { LocalLake, specWith } from "./test-support";

/**
 * Issue 10's remaining gap: a soft-deleted row keeps its key's last live values in source order, however
 * the changes were batched and whatever order their files landed in (README "Order and exactly-once").
 * Each case failed before silver carried the batch's last live change and the `_live_*` order: the first
 * left a tombstone with NULL data, the second the values of the run before, the third ignored the late file.
 */

const review = {
  name: "review",
  source: { kind: "cdc" as const },
  columns: [
    { name: "review_id", type: "bigint", nullable: false },
    { name: "overall", type: "double" },
  ],
  primaryKey: ["review_id"],
};
const spec = specWith({ tables: [review] });
const at = (day: number) => new Date(Date.UTC(2024, 0, day));
const jsonl = (rows: Record<string, unknown>[]) => rows.map((r) => JSON.stringify(r)).join("\n") + "\n";
const silver = (lake: LocalLake) =>
  lake.rows("SELECT review_id, overall, _is_deleted FROM silver.review ORDER BY review_id");

describe("a deleted row keeps its key's last live values (DuckDB)", () => {
  it("an insert and its delete in one run: the tombstone holds the insert's values", async () => {
    const lake = await LocalLake.create(spec);
    await lake.landRaw(
      "review",
      jsonl([
        { review_id: 1, overall: 4, operation: "insert" },
        { review_id: 1, operation: "delete" },
        { review_id: 2, operation: "delete" },
      ]),
      at(1),
    );
    await lake.silver();
    expect(await silver(lake)).toEqual([
      { review_id: "1", overall: 4, _is_deleted: true },
      { review_id: "2", overall: null, _is_deleted: true }, // never live: a tombstone of its key
    ]);
  });

  it("an update and a delete of a merged row in one run: the update's values, not the run before's", async () => {
    const lake = await LocalLake.create(spec);
    await lake.landRaw("review", jsonl([{ review_id: 1, overall: 1, operation: "insert" }]), at(1));
    await lake.silver();
    await lake.landRaw(
      "review",
      jsonl([
        { review_id: 1, overall: 2, operation: "update" },
        { review_id: 1, operation: "delete" },
      ]),
      at(2),
    );
    await lake.silver();
    expect(await silver(lake)).toEqual([{ review_id: "1", overall: 2, _is_deleted: true }]);
  });

  it("a live change landing late, older than the delete and newer than the values, becomes them; it revives nothing", async () => {
    const lake = await LocalLake.create(spec);
    await lake.landRaw("review", jsonl([{ review_id: 1, overall: 1, operation: "insert" }]), at(1));
    await lake.landRaw("review", jsonl([{ review_id: 1, operation: "delete" }]), at(3));
    await lake.silver();
    expect(await silver(lake)).toEqual([{ review_id: "1", overall: 1, _is_deleted: true }]);
    // Day 2's update arrives after both were merged; day 0's insert later still (older than the values).
    await lake.landRaw("review", jsonl([{ review_id: 1, overall: 2, operation: "update" }]), at(2));
    await lake.silver();
    await lake.landRaw("review", jsonl([{ review_id: 1, overall: 9, operation: "insert" }]), at(0));
    await lake.silver();
    expect(await silver(lake)).toEqual([{ review_id: "1", overall: 2, _is_deleted: true }]);
    // A newer insert still revives the key.
    await lake.landRaw("review", jsonl([{ review_id: 1, overall: 5, operation: "insert" }]), at(4));
    await lake.silver();
    expect(await silver(lake)).toEqual([{ review_id: "1", overall: 5, _is_deleted: false }]);
  });
});
