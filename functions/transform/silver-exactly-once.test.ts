import fc from "fast-check";
import { LocalLake, specWith } from "./test-support";

/**
 * A small model-based check of the bronze → silver guarantees (the full suite lives with the reference
 * model): random CDC files landing in any arrival order, runs dying after any step and retried. After a
 * final run silver holds each key's newest good change in source order (`_ingested_at`, file, row), the
 * quarantine each bad change once, and the ledger every bronze row.
 */

const spec = specWith({
  tables: [
    {
      name: "review",
      source: { kind: "cdc" },
      columns: [
        { name: "review_id", type: "bigint", nullable: false },
        { name: "beer_id", type: "bigint" },
        { name: "overall", type: "double" },
      ],
      primaryKey: ["review_id"],
      quality: [{ rule: "required", column: "beer_id" }],
    },
  ],
});
const STEPS = [
  "create_silver",
  "create_quarantine",
  "create_ledger",
  "stage",
  "quarantine",
  "merge",
  "ledger",
  "drop_stage",
];

const change = fc.record({
  key: fc.integer({ min: 1, max: 3 }),
  operation: fc.constantFrom("insert", "update", "delete"),
  bad: fc.boolean(),
});
const file = fc.record({
  day: fc.integer({ min: 1, max: 5 }),
  changes: fc.array(change, { minLength: 1, maxLength: 4 }),
});
/** After landing a file: no run, a clean run, or a run that dies after a step (then another file may land). */
const run = fc.oneof(fc.constant(undefined), fc.constant("all"), fc.constantFrom(...STEPS));

describe("bronze → silver exactly once (model, DuckDB)", () => {
  it("silver equals the newest good change per key, the quarantine holds each bad change once", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(file, run), { minLength: 1, maxLength: 5 }), async (history) => {
        const lake = await LocalLake.create(spec);
        type Change = {
          key: number;
          operation: string;
          bad: boolean;
          at: number;
          file: string;
          row: number;
          value: number;
        };
        const changes: Change[] = [];
        for (const [i, [f, after]] of history.entries()) {
          const name = `f${i}`;
          const rows = f.changes.map((c, j) => ({
            review_id: c.key,
            operation: c.operation,
            ...(c.operation === "delete" ? {} : { beer_id: c.bad ? null : 1, overall: i * 10 + j }),
          }));
          await lake.landRaw(
            "review",
            rows.map((r) => JSON.stringify(r)).join("\n"),
            new Date(Date.UTC(2024, 0, f.day)),
            name,
          );
          f.changes.forEach((c, j) =>
            changes.push({
              ...c,
              bad: c.bad && c.operation !== "delete",
              at: f.day,
              file: `file://raw/review/${name}`,
              row: j + 1,
              value: i * 10 + j,
            }),
          );
          if (after === "all") await lake.silver();
          else if (after) await lake.silverFailingAfter(after);
        }
        await lake.silver();

        const order = (a: Change, b: Change) =>
          a.at - b.at || (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) || a.row - b.row;
        const expected = new Map<number, Change>();
        for (const c of changes.filter((c) => !c.bad).sort(order)) expected.set(c.key, c);
        const silver = await lake.rows(
          "SELECT review_id, overall, _is_deleted FROM silver.review ORDER BY review_id",
        );
        expect(silver).toEqual(
          [...expected.values()]
            .sort((a, b) => a.key - b.key)
            .map((c) =>
              c.operation === "delete"
                ? {
                    review_id: String(c.key),
                    overall: silver.find((r) => r.review_id === String(c.key))?.overall ?? null,
                    _is_deleted: true,
                  }
                : { review_id: String(c.key), overall: c.value, _is_deleted: false },
            ),
        );
        const quarantined = await lake.rows(
          "SELECT _source_file AS f, _source_row AS r FROM quarantine.review ORDER BY f, r",
        );
        expect(quarantined).toEqual(
          changes
            .filter((c) => c.bad)
            .sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.row - b.row))
            .map((c) => ({ f: c.file, r: String(c.row) })),
        );
        const [{ n }] = await lake.rows(
          "SELECT count(DISTINCT (_source_file, _source_row)) AS n FROM silver._consumed_review",
        );
        expect(Number(n)).toBe(changes.length);
      }),
      { numRuns: 40 },
    );
  });
});
