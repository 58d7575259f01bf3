import { createHmac } from "node:crypto";
import { cpfFromBase } from "./cpf";
import { LOCAL_HASH_KEY } from "./duckdb-runner";
import { LocalLake, specWith } from "./test-support";

const reviews = specWith({
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

const silverReviews = "SELECT review_id, beer_id, overall, _is_deleted FROM silver.review ORDER BY review_id";

describe("bronze → silver MERGE (DuckDB)", () => {
  it("upserts, soft-deletes, re-inserts and keeps the latest of duplicates in one batch", async () => {
    const lake = await LocalLake.create(reviews);
    await lake.land("review", [
      { review_id: 1, beer_id: 10, overall: 1, operation: "insert", _ingested_at: "2024-01-01 00:00:00" },
      { review_id: 2, beer_id: 10, overall: 2, operation: "insert", _ingested_at: "2024-01-01 00:00:00" },
      { review_id: 3, beer_id: 11, overall: 3, operation: "insert", _ingested_at: "2024-01-01 00:00:00" },
      { review_id: 3, beer_id: 11, overall: 3.5, operation: "update", _ingested_at: "2024-01-01 00:01:00" },
    ]);
    await lake.silver();
    expect(await lake.rows(silverReviews)).toEqual([
      { review_id: "1", beer_id: "10", overall: 1, _is_deleted: false },
      { review_id: "2", beer_id: "10", overall: 2, _is_deleted: false },
      { review_id: "3", beer_id: "11", overall: 3.5, _is_deleted: false },
    ]);
    const [created] = await lake.rows("SELECT _created_at FROM silver.review WHERE review_id = 2");

    // A delete carries only the key: it must not be quarantined for the missing beer_id.
    await lake.land("review", [
      { review_id: 1, beer_id: 10, overall: 1.5, operation: "update", _ingested_at: "2024-01-02 00:00:00" },
      { review_id: 2, operation: "delete", _ingested_at: "2024-01-02 00:00:00" },
    ]);
    await lake.silver();
    expect(await lake.rows(silverReviews)).toEqual([
      { review_id: "1", beer_id: "10", overall: 1.5, _is_deleted: false },
      { review_id: "2", beer_id: "10", overall: 2, _is_deleted: true },
      { review_id: "3", beer_id: "11", overall: 3.5, _is_deleted: false },
    ]);

    await lake.land("review", [
      { review_id: 2, beer_id: 12, overall: 2.25, operation: "insert", _ingested_at: "2024-01-03 00:00:00" },
      { review_id: 99, operation: "delete", _ingested_at: "2024-01-03 00:00:00" },
    ]);
    await lake.silver();
    // The delete of an unknown key is kept as a deleted tombstone (its order stops older changes reviving it).
    expect(await lake.rows(silverReviews)).toEqual([
      { review_id: "1", beer_id: "10", overall: 1.5, _is_deleted: false },
      { review_id: "2", beer_id: "12", overall: 2.25, _is_deleted: false },
      { review_id: "3", beer_id: "11", overall: 3.5, _is_deleted: false },
      { review_id: "99", beer_id: null, overall: null, _is_deleted: true },
    ]);
    // The re-inserted row keeps its first creation time.
    expect(await lake.rows("SELECT _created_at FROM silver.review WHERE review_id = 2")).toEqual([created]);
    expect(await lake.rows("SELECT count(*) AS n FROM quarantine.review")).toEqual([{ n: "0" }]);
  });

  it("is idempotent: a run with no new bronze rows changes nothing", async () => {
    const lake = await LocalLake.create(reviews);
    await lake.land("review", [
      { review_id: 1, beer_id: 10, overall: 4, operation: "insert", _ingested_at: "2024-01-01 00:00:00" },
      { review_id: 2, overall: 4, operation: "insert", _ingested_at: "2024-01-01 00:00:00" },
    ]);
    await lake.silver();
    const before = await lake.rows("SELECT * FROM silver.review");
    await lake.silver();
    expect(await lake.rows("SELECT * FROM silver.review")).toEqual(before);
    expect(await lake.rows("SELECT review_id, _rule, _column FROM quarantine.review")).toEqual([
      { review_id: "2", _rule: "required", _column: "beer_id" },
    ]);
  });

  it("ignores an older record that arrives after a newer one (full reprocessing)", async () => {
    const full = specWith({
      tables: [{ ...reviews.tables[0], incremental: { strategy: "full" } }],
    });
    const lake = await LocalLake.create(full);
    await lake.land("review", [
      { review_id: 1, beer_id: 10, overall: 5, operation: "insert", _ingested_at: "2024-01-02 00:00:00" },
    ]);
    await lake.silver();
    await lake.land("review", [
      { review_id: 1, beer_id: 10, overall: 1, operation: "update", _ingested_at: "2024-01-01 00:00:00" },
    ]);
    await lake.silver();
    expect(await lake.rows(silverReviews)).toEqual([
      { review_id: "1", beer_id: "10", overall: 5, _is_deleted: false },
    ]);
  });
});

describe("masking (DuckDB)", () => {
  const spec = specWith({
    tables: [
      {
        name: "person",
        source: { kind: "batch" },
        columns: [
          { name: "id", type: "int", nullable: false },
          { name: "cpf", type: "string" },
          { name: "card", type: "string" },
          { name: "email", type: "string" },
          { name: "username", type: "string" },
          { name: "note", type: "string" },
          { name: "customer_code", type: "bigint" },
        ],
        primaryKey: ["id"],
        pii: {
          cpf: "cpf",
          card: "card",
          email: "email",
          username: "hash",
          note: "redact",
          customer_code: "hash",
        },
      },
    ],
  });

  it("keeps the CPF's last 3 digits, the card's last 4, the e-mail's domain; hashes (HMAC-SHA256 hex) and redacts", async () => {
    const lake = await LocalLake.create(spec);
    await lake.land("person", [
      {
        id: 1,
        cpf: "529.982.247-25",
        card: "4111 1111 1111 1234",
        email: "ana.silva@example.com.br",
        username: "alice",
        note: "lives at 12 Main St",
        customer_code: 42,
        _ingested_at: "2024-01-01 00:00:00",
      },
      { id: 2, _ingested_at: "2024-01-01 00:00:00" },
    ]);
    await lake.silver();
    const sha = (text: string) => createHmac("sha256", LOCAL_HASH_KEY).update(text).digest("hex");
    expect(
      await lake.rows(
        "SELECT id, cpf, card, email, username, note, customer_code FROM silver.person ORDER BY id",
      ),
    ).toEqual([
      {
        id: 1,
        cpf: "********725",
        card: "************1234",
        email: "***@example.com.br",
        username: sha("alice"),
        note: "[REDACTED]",
        customer_code: sha("42"),
      },
      { id: 2, cpf: null, card: null, email: null, username: null, note: null, customer_code: null },
    ]);
  });

  it("masks quarantined rows too, so the quarantine never holds clear PII", async () => {
    const lake = await LocalLake.create(
      specWith({
        tables: [{ ...spec.tables[0], quality: [{ rule: "format", column: "email", format: "email" }] }],
      }),
    );
    await lake.land("person", [
      { id: 1, cpf: "529.982.247-25", email: "not-an-email", _ingested_at: "2024-01-01 00:00:00" },
    ]);
    await lake.silver();
    expect(await lake.rows("SELECT id, cpf, email, _rule FROM quarantine.person")).toEqual([
      { id: 1, cpf: "********725", email: "***@", _rule: "format_email" },
    ]);
  });
});

describe("quality rules → quarantine (DuckDB)", () => {
  const spec = specWith({
    tables: [
      {
        name: "customer",
        source: { kind: "batch" },
        format: "csv",
        columns: [
          { name: "id", type: "bigint", nullable: false },
          { name: "name", type: "string" },
          { name: "cpf", type: "string" },
          { name: "email", type: "string" },
          { name: "code", type: "string" },
          { name: "state", type: "string" },
          { name: "score", type: "decimal(4,2)" },
        ],
        primaryKey: ["id"],
        quality: [
          { rule: "required", column: "name" },
          { rule: "format", column: "cpf", format: "cpf" },
          { rule: "format", column: "email", format: "email" },
          { rule: "regex", column: "code", pattern: "[A-Z]{2}-\\d{3}" },
          { rule: "domain", column: "state", values: ["SP", "RJ"] },
          { rule: "range", column: "score", min: 0, max: 5 },
        ],
      },
    ],
  });
  const good = {
    name: "Ana",
    cpf: cpfFromBase("529982247"),
    email: "ana@example.com",
    code: "AB-123",
    state: "SP",
    score: "5",
    _ingested_at: "2024-01-01 00:00:00",
  };

  it("quarantines each failing row with the rule and column that failed, and keeps the good ones", async () => {
    const lake = await LocalLake.create(spec);
    await lake.land("customer", [
      { id: 1, ...good },
      { id: 2, ...good, cpf: "52998224725", score: "0" }, // digits-only CPF, range bounds are inclusive
      { id: 3, ...good, name: null },
      { id: 4, ...good, cpf: "529.982.247-26" }, // wrong check digit
      { id: 5, ...good, cpf: "111.111.111-11" }, // repeated digits
      { id: 6, ...good, cpf: "5299822472" }, // ten digits
      { id: 7, ...good, email: "ana@example" },
      { id: 8, ...good, code: "AB-12" },
      { id: 9, ...good, state: "MG" },
      { id: 10, ...good, score: "5.01" },
      { id: 11, ...good, score: "-1" },
      { id: 12, ...good, score: "lots" }, // does not cast to decimal
      { id: null, ...good },
    ]);
    await lake.silver();
    expect(await lake.rows("SELECT id FROM silver.customer ORDER BY id")).toEqual([{ id: "1" }, { id: "2" }]);
    expect(
      await lake.rows("SELECT id, _rule, _column FROM quarantine.customer ORDER BY id NULLS FIRST"),
    ).toEqual([
      { id: null, _rule: "required", _column: "id" },
      { id: "3", _rule: "required", _column: "name" },
      { id: "4", _rule: "format_cpf", _column: "cpf" },
      { id: "5", _rule: "format_cpf", _column: "cpf" },
      { id: "6", _rule: "format_cpf", _column: "cpf" },
      { id: "7", _rule: "format_email", _column: "email" },
      { id: "8", _rule: "regex", _column: "code" },
      { id: "9", _rule: "domain", _column: "state" },
      { id: "10", _rule: "range", _column: "score" },
      { id: "11", _rule: "range", _column: "score" },
      { id: "12", _rule: "type", _column: "score" },
    ]);
  });

  it("lets NULLs through every rule but required", async () => {
    const lake = await LocalLake.create(spec);
    await lake.land("customer", [
      { id: 1, name: "Ana", _ingested_at: "2024-01-01 00:00:00" },
      { id: 2, ...good, cpf: "  ", email: "" }, // blank text normalises to NULL
    ]);
    await lake.silver();
    expect(await lake.rows("SELECT id, cpf, email FROM silver.customer ORDER BY id")).toEqual([
      { id: "1", cpf: null, email: null },
      { id: "2", cpf: null, email: null },
    ]);
  });
});

describe("source order: source.sequenceBy (DuckDB)", () => {
  const sequenced = specWith({
    tables: [
      {
        name: "account",
        source: { kind: "cdc", sequenceBy: ["lsn"] },
        columns: [
          { name: "account_id", type: "bigint", nullable: false },
          { name: "balance", type: "double" },
          { name: "lsn", type: "bigint" },
        ],
        primaryKey: ["account_id"],
      },
    ],
  });
  const jsonl = (rows: Record<string, unknown>[]) => rows.map((r) => JSON.stringify(r)).join("\n");

  it("orders changes by sequenceBy before arrival: a change with a lower sequence never wins, however late", async () => {
    const lake = await LocalLake.create(sequenced);
    await lake.landRaw(
      "account",
      jsonl([
        { account_id: 1, balance: 30, lsn: 3, operation: "update" },
        { account_id: 1, balance: 10, lsn: 1, operation: "insert" },
        { account_id: 2, balance: 5, lsn: 7, operation: "insert" },
      ]),
      new Date("2024-01-01T00:00:00Z"),
    );
    await lake.silver();
    await lake.landRaw(
      "account",
      jsonl([
        { account_id: 1, balance: 20, lsn: 2, operation: "update" },
        { account_id: 2, lsn: 8, operation: "delete" },
      ]),
      new Date("2024-01-02T00:00:00Z"),
    );
    await lake.silver();
    expect(
      await lake.rows("SELECT account_id, balance, lsn, _is_deleted FROM silver.account ORDER BY account_id"),
    ).toEqual([
      { account_id: "1", balance: 30, lsn: "3", _is_deleted: false },
      { account_id: "2", balance: 5, lsn: "8", _is_deleted: true },
    ]);
  });

  it("quarantines a change without its sequence value (rule required), deletes included", async () => {
    const lake = await LocalLake.create(sequenced);
    await lake.landRaw(
      "account",
      jsonl([
        { account_id: 1, balance: 30, operation: "insert" },
        { account_id: 2, operation: "delete" },
      ]),
      new Date("2024-01-01T00:00:00Z"),
    );
    await lake.silver();
    expect(await lake.rows("SELECT count(*) AS n FROM silver.account")).toEqual([{ n: "0" }]);
    expect(
      await lake.rows("SELECT account_id, _rule, _column FROM quarantine.account ORDER BY account_id"),
    ).toEqual([
      { account_id: "1", _rule: "required", _column: "lsn" },
      { account_id: "2", _rule: "required", _column: "lsn" },
    ]);
  });
});
