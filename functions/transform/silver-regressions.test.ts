import { createHash, createHmac } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import fc from "fast-check";
import { ConfigError } from "../../components/spec";
import { LocalLake, specWith } from "./test-support";
import { runPlans } from "./duckdb-runner";

/**
 * One regression test per silver defect of issue 10 ("What goes wrong today", items 1-7), each run on
 * DuckDB through the generated SQL, with the project's converter writing bronze where the defect
 * involves it. Every one of them failed on the code before the fix.
 */

const review = {
  name: "review",
  source: { kind: "cdc" as const },
  columns: [
    { name: "review_id", type: "bigint", nullable: false },
    { name: "beer_id", type: "bigint" },
    { name: "overall", type: "double" },
  ],
  primaryKey: ["review_id"],
};
const reviews = specWith({ tables: [review] });
const T1 = new Date("2024-01-01T00:00:00Z");
const T2 = new Date("2024-01-02T00:00:00Z");

const jsonl = (rows: Record<string, unknown>[]) => rows.map((r) => JSON.stringify(r)).join("\n") + "\n";
const count = async (lake: LocalLake, sql: string) => Number((await lake.rows(sql))[0].n);

describe("issue 10 regressions: bronze → silver (DuckDB)", () => {
  it("1. several changes to one key in one file resolve in file order (insert → update → delete of key 500 ends deleted)", async () => {
    const lake = await LocalLake.create(reviews);
    await lake.landRaw(
      "review",
      jsonl([
        { review_id: 500, beer_id: 1, overall: 1, operation: "insert" },
        { review_id: 500, beer_id: 1, overall: 2, operation: "update" },
        { review_id: 500, operation: "delete" },
        { review_id: 501, beer_id: 1, overall: 1, operation: "update" },
        { review_id: 501, operation: "delete" },
        { review_id: 502, operation: "delete" },
        { review_id: 502, beer_id: 2, overall: 5, operation: "insert" },
      ]),
      T1,
    );
    await lake.silver();
    // A deleted row's data columns are informational (the last version merged before the delete, NULL
    // when the batch's newest change is the key's first delete): only live rows' values are compared.
    expect(
      await lake.rows(
        "SELECT review_id, CASE WHEN _is_deleted THEN NULL ELSE overall END AS overall, _is_deleted FROM silver.review ORDER BY review_id",
      ),
    ).toEqual([
      { review_id: "500", overall: null, _is_deleted: true },
      { review_id: "501", overall: null, _is_deleted: true },
      { review_id: "502", overall: 5, _is_deleted: false },
    ]);
  });

  it("1. (property) any sequence of changes to one key in one file ends as its last change", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom("insert", "update", "delete"), { minLength: 1, maxLength: 8 }),
        async (operations) => {
          const lake = await LocalLake.create(reviews);
          const rows = operations.map((operation, i) =>
            operation === "delete"
              ? { review_id: 7, operation }
              : { review_id: 7, beer_id: 1, overall: i, operation },
          );
          await lake.landRaw("review", jsonl(rows), T1);
          await lake.silver();
          const last = operations.length - 1;
          const [row] = await lake.rows("SELECT overall, _is_deleted FROM silver.review");
          expect(row._is_deleted).toBe(operations[last] === "delete");
          if (operations[last] !== "delete") expect(row.overall).toBe(last);
        },
      ),
      { numRuns: 25 },
    );
  });

  it("2. a MERGE that fails after the quarantine step is retried and merges the batch, quarantining once", async () => {
    const lake = await LocalLake.create(
      specWith({ tables: [{ ...review, quality: [{ rule: "required", column: "beer_id" }] }] }),
    );
    await lake.landRaw(
      "review",
      jsonl([
        { review_id: 1, beer_id: 1, overall: 4, operation: "insert" },
        { review_id: 2, overall: 4, operation: "insert" },
      ]),
      T1,
    );
    await lake.silverFailingAfter("quarantine");
    await lake.silver();
    expect(await lake.rows("SELECT review_id, _is_deleted FROM silver.review")).toEqual([
      { review_id: "1", _is_deleted: false },
    ]);
    expect(await lake.rows("SELECT review_id, _rule FROM quarantine.review")).toEqual([
      { review_id: "2", _rule: "required" },
    ]);
  });

  it("2. a run that fails between any two steps, retried, merges and quarantines each row exactly once", async () => {
    const spec = specWith({ tables: [{ ...review, quality: [{ rule: "required", column: "beer_id" }] }] });
    for (const last of [
      "create_silver",
      "create_quarantine",
      "create_ledger",
      "stage",
      "quarantine",
      "merge",
      "ledger",
      "drop_stage",
    ]) {
      const lake = await LocalLake.create(spec);
      await lake.landRaw(
        "review",
        jsonl([
          { review_id: 1, beer_id: 1, overall: 4, operation: "insert" },
          { review_id: 1, beer_id: 1, overall: 5, operation: "update" },
          { review_id: 2, overall: 4, operation: "insert" },
        ]),
        T1,
      );
      await lake.silverFailingAfter(last);
      await lake.silver();
      await lake.silver();
      expect(await lake.rows("SELECT review_id, overall FROM silver.review")).toEqual([
        { review_id: "1", overall: 5 },
      ]);
      expect(await count(lake, "SELECT count(*) AS n FROM quarantine.review")).toBe(1);
      // Counts balance: every bronze row is in the ledger once it is consumed.
      expect(
        await count(
          lake,
          "SELECT count(DISTINCT (_source_file, _source_row)) AS n FROM silver._consumed_review",
        ),
      ).toBe(3);
    }
  });

  it("2. a file landing with an older _ingested_at after a run is still merged", async () => {
    const lake = await LocalLake.create(reviews);
    await lake.landRaw("review", jsonl([{ review_id: 1, beer_id: 1, overall: 4, operation: "insert" }]), T2);
    await lake.silver();
    // A slow conversion, a converter retry or a replay: its file carries an earlier arrival time.
    await lake.landRaw("review", jsonl([{ review_id: 2, beer_id: 1, overall: 3, operation: "insert" }]), T1);
    await lake.silver();
    expect(await lake.rows("SELECT review_id FROM silver.review ORDER BY review_id")).toEqual([
      { review_id: "1" },
      { review_id: "2" },
    ]);
  });

  it("2. a later part of a conversion with the same _ingested_at as an earlier merged part is still merged", async () => {
    const lake = await LocalLake.create(reviews);
    await lake.landRaw(
      "review",
      jsonl([{ review_id: 1, beer_id: 1, overall: 4, operation: "insert" }]),
      T1,
      "big",
    );
    await lake.silver();
    await lake.land("review", [
      {
        review_id: 2,
        beer_id: 1,
        overall: 3,
        operation: "insert",
        _ingested_at: "2024-01-01 00:00:00",
        _source_file: "file://raw/review/big",
        _source_row: 2,
      },
    ]);
    await lake.silver();
    expect(await lake.rows("SELECT review_id FROM silver.review ORDER BY review_id")).toEqual([
      { review_id: "1" },
      { review_id: "2" },
    ]);
  });

  it("3. a late version with an older watermark value (updated_at) does not overwrite the newer one", async () => {
    const profile = specWith({
      tables: [
        {
          name: "profile",
          source: { kind: "batch" },
          columns: [
            { name: "profile_id", type: "bigint", nullable: false },
            { name: "state", type: "string" },
            { name: "updated_at", type: "timestamp" },
          ],
          primaryKey: ["profile_id"],
          incremental: { strategy: "watermark", watermarkColumn: "updated_at" },
        },
      ],
    });
    const lake = await LocalLake.create(profile);
    await lake.landRaw(
      "profile",
      jsonl([{ profile_id: 1, state: "SP", updated_at: "2024-01-05T00:00:00Z" }]),
      T1,
    );
    await lake.silver();
    // The daily D-1 pull re-delivers the 01-01 version after the 01-05 one was merged.
    await lake.landRaw(
      "profile",
      jsonl([{ profile_id: 1, state: "RJ", updated_at: "2024-01-01T00:00:00Z" }]),
      T2,
    );
    // ... and within one file, the older version coming last loses too.
    await lake.landRaw(
      "profile",
      jsonl([
        { profile_id: 2, state: "MG", updated_at: "2024-01-05T00:00:00Z" },
        { profile_id: 2, state: "PR", updated_at: "2024-01-01T00:00:00Z" },
      ]),
      T2,
    );
    await lake.silver();
    expect(await lake.rows("SELECT profile_id, state FROM silver.profile ORDER BY profile_id")).toEqual([
      { profile_id: "1", state: "SP" },
      { profile_id: "2", state: "MG" },
    ]);
  });

  it("4. a NULL or unknown CDC operation is quarantined with rule operation, not dropped", async () => {
    const lake = await LocalLake.create(reviews);
    // The Databricks bronze (Auto Loader) does not check operations.
    await lake.land("review", [
      { review_id: 1, beer_id: 1, overall: 4, operation: null, _ingested_at: "2024-01-01 00:00:00" },
      { review_id: 2, beer_id: 1, overall: 4, operation: "upsert", _ingested_at: "2024-01-01 00:00:00" },
      { review_id: 3, beer_id: 1, overall: 4, operation: "I", _ingested_at: "2024-01-01 00:00:00" },
    ]);
    await lake.silver();
    expect(await lake.rows("SELECT review_id FROM silver.review")).toEqual([{ review_id: "3" }]);
    expect(
      await lake.rows(
        "SELECT review_id, _rule, _column, _operation FROM quarantine.review ORDER BY review_id",
      ),
    ).toEqual([
      { review_id: "1", _rule: "operation", _column: "operation", _operation: null },
      { review_id: "2", _rule: "operation", _column: "operation", _operation: "upsert" },
    ]);
  });

  it("5. strategy full does not duplicate quarantine rows", async () => {
    const lake = await LocalLake.create(
      specWith({
        tables: [
          {
            ...review,
            incremental: { strategy: "full" },
            quality: [{ rule: "required", column: "beer_id" }],
          },
        ],
      }),
    );
    await lake.landRaw("review", jsonl([{ review_id: 2, overall: 4, operation: "insert" }]), T1);
    await lake.silver();
    await lake.silver();
    await lake.silver();
    expect(await count(lake, "SELECT count(*) AS n FROM quarantine.review")).toBe(1);
  });

  it("5. overlapping runs do not share a stage or duplicate quarantine rows", async () => {
    const lake = await LocalLake.create(
      specWith({ tables: [{ ...review, quality: [{ rule: "required", column: "beer_id" }] }] }),
    );
    await lake.landRaw(
      "review",
      jsonl([
        { review_id: 1, beer_id: 1, overall: 4, operation: "insert" },
        { review_id: 2, overall: 4, operation: "insert" },
      ]),
      T1,
    );
    const [plan] = lake.silverPlans();
    const sessions = { a: lake.connection, b: await lake.session() };
    const step = (run: "a" | "b", name: string) =>
      runPlans(sessions[run], [{ ...plan, steps: plan.steps.filter((s) => s.name === `review.${name}`) }]);
    for (const name of ["create_silver", "create_quarantine", "create_ledger"]) await step("a", name);
    await step("a", "stage");
    // A new file lands after run a staged and before run b, which starts before a has written anything.
    await lake.landRaw("review", jsonl([{ review_id: 3, beer_id: 1, overall: 1, operation: "insert" }]), T2);
    await step("b", "stage");
    for (const name of ["quarantine", "merge", "ledger", "drop_stage"]) {
      await step("a", name);
      await step("b", name);
    }
    await lake.silver();
    expect(await lake.rows("SELECT review_id FROM silver.review ORDER BY review_id")).toEqual([
      { review_id: "1" },
      { review_id: "3" },
    ]);
    expect(await lake.rows("SELECT review_id FROM quarantine.review")).toEqual([{ review_id: "2" }]);
  });

  it("6. the spec refuses a mask other than hash on a primary-key column (two CPFs would become one row)", () => {
    expect(() =>
      specWith({
        tables: [
          {
            ...review,
            columns: [...review.columns, { name: "cpf", type: "string" }],
            primaryKey: ["cpf"],
            pii: { cpf: "cpf" },
          },
        ],
      }),
    ).toThrow(ConfigError);
    expect(() =>
      specWith({
        tables: [
          {
            ...review,
            columns: [...review.columns, { name: "cpf", type: "string" }],
            primaryKey: ["cpf"],
            pii: { cpf: "cpf" },
          },
        ],
      }),
    ).toThrow(/tables\[0\] "review"\.pii\.cpf.*primary-key column "cpf" would merge different keys/s);
  });

  it("6. hash is keyed (HMAC-SHA256 with the environment's secret), deterministic within an environment", async () => {
    const people = specWith({
      tables: [
        {
          name: "person",
          source: { kind: "batch" },
          columns: [
            { name: "id", type: "bigint", nullable: false },
            { name: "username", type: "string" },
          ],
          primaryKey: ["id"],
          pii: { username: "hash" },
        },
      ],
    });
    const hashed = async (key: string) => {
      const lake = await LocalLake.create(people);
      await lake.landRaw("person", jsonl([{ id: 1, username: "alice" }]), T1);
      await lake.silver({ hashKey: key });
      return (await lake.rows("SELECT username FROM silver.person"))[0].username;
    };
    const prod = await hashed("prod-secret");
    expect(prod).not.toBe(createHash("sha256").update("alice").digest("hex"));
    expect(prod).toBe(createHmac("sha256", "prod-secret").update("alice").digest("hex"));
    expect(await hashed("prod-secret")).toBe(prod);
    expect(await hashed("dev-secret")).not.toBe(prod);
    // A key longer than SHA-256's 64-byte block is hashed first (RFC 2104).
    const long = "k".repeat(100);
    expect(await hashed(long)).toBe(createHmac("sha256", long).update("alice").digest("hex"));
    // The secret never appears in the plan (plans are shown in PR diffs).
    const lake = await LocalLake.create(people);
    expect(JSON.stringify(lake.silverPlans())).not.toContain("prod-secret");
  });

  it("7. d-1 does what its doc says: it reads every unconsumed bronze row once (a late older file too), and the doc says so", async () => {
    const lake = await LocalLake.create(
      specWith({ tables: [{ ...review, incremental: { strategy: "d-1" } }] }),
    );
    await lake.landRaw("review", jsonl([{ review_id: 1, beer_id: 1, overall: 4, operation: "insert" }]), T2);
    await lake.silver();
    await lake.landRaw(
      "review",
      jsonl([{ review_id: 2, beer_id: 1, overall: 4, operation: "insert" }]),
      new Date("2023-12-01T00:00:00Z"),
    );
    await lake.silver();
    await lake.silver();
    expect(await lake.rows("SELECT review_id FROM silver.review ORDER BY review_id")).toEqual([
      { review_id: "1" },
      { review_id: "2" },
    ]);
    const doc = fs.readFileSync(path.join(__dirname, "../../components/spec/schema.ts"), "utf8");
    expect(doc).not.toMatch(/`d-1` reprocesses the previous day/);
    expect(doc).toMatch(/`d-1` does not re-read the previous day/);
  });
});
