import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { gzipSync } from "node:zlib";
import { createHash } from "node:crypto";
import { DuckDBInstance } from "@duckdb/node-api";
import { stackSpec } from "../functions/transform/dev-spec";
import { silverColumns } from "../functions/transform/schema";
import { cli, CUSTOMERS, jsonl, setClock, write } from "./pipeline-local-test-support";

/**
 * `npm run pipeline:local -- --raw/--dump/--json` in-process on temp dirs with the dev spec: raw folders
 * written by hand, several batches into one lake, asserting the exact rows each layer holds.
 */

/**
 * Whether the converter writes the bronze row contract's `_source_file` (the control id) and `_source_row`
 * (the record's 1-based ordinal in its file), which silver and the quarantine then carry: the expected rows
 * include them exactly when the code under test has them.
 */
const SOURCE_COLUMNS = silverColumns(stackSpec("dev").tables[0]!).some((c) => c.name === "_source_file");

/** The control id of a raw file as the ledger builds it: `file://<path>#<sha256 of its bytes>`. */
function controlIdOf(root: string, file: string): string {
  const absolute = path.join(root, file);
  return `file://${absolute}#${createHash("sha256").update(fs.readFileSync(absolute)).digest("hex")}`;
}

/** The source columns of a row, when the converter writes them. */
function sourceOf(root: string, file: string, row: number): Record<string, unknown> {
  return SOURCE_COLUMNS ? { _source_file: controlIdOf(root, file), _source_row: row } : {};
}

/** A CDC silver row's `_live_*` columns: the order of the live change whose values it holds (schema.ts). */
function liveOf(root: string, file: string, row: number, ingestedAt: string): Record<string, unknown> {
  return { _live_ingested_at: ingestedAt, _live_source_file: controlIdOf(root, file), _live_source_row: row };
}

/** The same, as the end of a row's JSON text (DuckDB's to_json puts them after `_ingested_at`). */
function sourceJson(root: string, file: string, row: number): string {
  return SOURCE_COLUMNS ? `,"_source_file":"${controlIdOf(root, file)}","_source_row":${row}` : "";
}

/** Review 1 and 4 good, 2 out of range (quality gate), 3 with a beer_id that is no bigint (converter). */
const REVIEWS_1 = [
  {
    review_id: 1,
    beer_id: 10,
    profile_id: 5,
    overall: 4.5,
    text: "nice",
    review_time: "2024-06-30T10:00:00Z",
    operation: "insert",
  },
  {
    review_id: 2,
    beer_id: 11,
    profile_id: 6,
    overall: 9,
    text: "too high",
    review_time: "2024-06-30T11:00:00Z",
    operation: "insert",
  },
  { review_id: 3, beer_id: "x", profile_id: 6, overall: 3, operation: "insert" },
  {
    review_id: 4,
    beer_id: 12,
    profile_id: 7,
    overall: 3,
    text: "ok",
    review_time: "2024-06-30T12:00:00Z",
    operation: "insert",
  },
];
const nulls = { aroma: null, appearance: null, palate: null, taste: null };

/** A silver row with its processing times checked (equal for a row the MERGE only inserted) and removed. */
function settled(line: string, touched: "inserted" | "updated"): Record<string, unknown> {
  const { _created_at, _updated_at, ...row } = JSON.parse(line) as Record<string, unknown>;
  expect(typeof _created_at).toBe("string");
  if (touched === "inserted") expect(_updated_at).toBe(_created_at);
  else expect(String(_updated_at) > String(_created_at)).toBe(true);
  return row;
}

/** Everything a run could change: every layer's rows and every file under the lake except DuckDB's own. */
async function snapshot(dir: string): Promise<Record<string, unknown>> {
  const state: Record<string, unknown> = {};
  for (const target of [
    ...["review", "customers", "beer"].flatMap((t) => [`bronze.${t}`, `silver.${t}`, `quarantine.${t}`]),
    "views.review_flat",
    "gold.customers_per_store",
    "gold.top_drinkers",
  ]) {
    const { code, out } = await cli("--dir", dir, "--dump", target);
    expect(code).toBe(0);
    state[target] = out;
  }
  state.files = fs
    .readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((f) => !f.startsWith("lake.duckdb"))
    .sort()
    .map((f) => [f, fs.statSync(path.join(dir, f)).mtimeMs]);
  return state;
}

describe("npm run pipeline:local -- --raw (dev spec, batches into one lake)", () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "pipeline-cli-"));
  const dir = path.join(work, "lake");
  const batch1 = write(path.join(work, "b1"), {
    "review/001.json": jsonl(...REVIEWS_1),
    "customers/a.csv": CUSTOMERS,
  });
  const batch2 = write(path.join(work, "b2"), {
    "review/002.json": jsonl(
      {
        review_id: 1,
        beer_id: 10,
        profile_id: 5,
        overall: 4,
        text: "nicer",
        review_time: "2024-06-30T10:00:00Z",
        operation: "update",
      },
      { review_id: 4, operation: "delete" },
    ),
    "review/003.json.gz": gzipSync(
      jsonl({
        review_id: 5,
        beer_id: 13,
        profile_id: 5,
        overall: 5,
        text: "best",
        review_time: "2024-07-01T09:00:00Z",
        operation: "insert",
      }),
    ),
  });
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  let first: Record<string, unknown>;
  let second: Record<string, unknown>;
  beforeAll(async () => {
    setClock("2024-07-01T02:00:00Z");
    const one = await cli("--dir", dir, "--raw", batch1, "--json");
    expect(one).toMatchObject({ code: 0, err: [] });
    expect(one.out).toHaveLength(1);
    first = JSON.parse(one.out[0]!) as Record<string, unknown>;
    setClock("2024-07-02T02:00:00Z");
    const two = await cli("--dir", dir, "--raw", batch2, "--json");
    expect(two).toMatchObject({ code: 0, err: [] });
    second = JSON.parse(two.out[0]!) as Record<string, unknown>;
  });

  it("--json: one object per batch with each file's outcome, arrivals 1 ms apart in lexical order", () => {
    expect(first).toMatchObject({ stack: "dev", dir, raw: batch1, batch: 1, transformed: true });
    expect(first.files).toEqual([
      expect.objectContaining({
        path: "customers/a.csv",
        status: "ingested",
        ingestedAt: "2024-07-01T02:00:00.000Z",
        batch: 1,
        rowsIn: 3,
        rowsWritten: 2,
        rowsQuarantined: 1,
      }),
      expect.objectContaining({
        path: "review/001.json",
        status: "ingested",
        ingestedAt: "2024-07-01T02:00:00.001Z",
        rowsIn: 4,
        rowsWritten: 3,
        rowsQuarantined: 1,
      }),
    ]);
    expect(second).toMatchObject({
      batch: 2,
      tables: {
        review: {
          raw: 3,
          bronze: 3,
          bronzeQuarantined: 0,
          silver: 2,
          silverDeleted: 1,
          merged: { inserted: 1, updated: 1, deleted: 1 },
        },
      },
      quarantinedByRule: { "review.range(overall)": 1, "customers.format_cpf(cpf)": 1 },
    });
    expect((second.files as { path: string }[]).map((f) => f.path)).toEqual([
      "review/002.json",
      "review/003.json.gz",
    ]);
  });

  it("--dump silver.review: two batches merged (update, soft delete, a gzip insert), with _is_deleted", async () => {
    const { code, out } = await cli("--dir", dir, "--dump", "silver.review");
    expect(code).toBe(0);
    expect([settled(out[0]!, "updated"), settled(out[1]!, "updated"), settled(out[2]!, "inserted")]).toEqual([
      {
        review_id: 1,
        beer_id: 10,
        profile_id: 5,
        overall: 4.0,
        ...nulls,
        text: "nicer",
        review_time: "2024-06-30 10:00:00",
        _is_deleted: false,
        _ingested_at: "2024-07-02 02:00:00",
        ...sourceOf(batch2, "review/002.json", 1),
        ...liveOf(batch2, "review/002.json", 1, "2024-07-02 02:00:00"),
      },
      {
        review_id: 4,
        beer_id: 12,
        profile_id: 7,
        overall: 3.0,
        ...nulls,
        text: "ok",
        review_time: "2024-06-30 12:00:00",
        _is_deleted: true,
        _ingested_at: "2024-07-02 02:00:00",
        ...sourceOf(batch2, "review/002.json", 2),
        // Deleted: it keeps the values of its last live change, the first batch's insert.
        ...liveOf(batch1, "review/001.json", 4, "2024-07-01 02:00:00.001"),
      },
      {
        review_id: 5,
        beer_id: 13,
        profile_id: 5,
        overall: 5.0,
        ...nulls,
        text: "best",
        review_time: "2024-07-01 09:00:00",
        _is_deleted: false,
        _ingested_at: "2024-07-02 02:00:00.001",
        ...sourceOf(batch2, "review/003.json.gz", 1),
        ...liveOf(batch2, "review/003.json.gz", 1, "2024-07-02 02:00:00.001"),
      },
    ]);
    expect(out).toHaveLength(3);
  });

  it("--dump quarantine.<table>: the converter's rows (line, raw) and the quality gate's (rule, column, masked row)", async () => {
    const review = await cli("--dir", dir, "--dump", "quarantine.review");
    expect(review.code).toBe(0);
    expect(review.out).toEqual([
      JSON.stringify({
        stage: "convert",
        source: "review/001.json",
        line: 3,
        reason: 'beer_id: "x" is not a bigint',
        raw: JSON.stringify(REVIEWS_1[2]),
      }),
      '{"stage":"quality","source":"review/001.json","reason":"range(overall)","rule":"range","column":"overall",' +
        '"row":{"review_id":2,"beer_id":11,"profile_id":6,"overall":9.0,"aroma":null,"appearance":null,"palate":null,' +
        '"taste":null,"text":"too high","review_time":"2024-06-30 11:00:00","_operation":"insert","_ingested_at":"2024-07-01 02:00:00.001"' +
        `${sourceJson(batch1, "review/001.json", 2)}}}`,
    ]);
    const customers = await cli("--dir", dir, "--dump", "quarantine.customers");
    expect(customers.out).toEqual([
      JSON.stringify({
        stage: "convert",
        source: "customers/a.csv",
        line: 4,
        reason: 'total_purchases: "lots" is not a decimal(12,2)',
        raw: "3,Caio,529.982.247-25,caio@example.com,4111 1111 1111 3333,MG,lots,2024-01-03T00:00:00Z",
      }),
      '{"stage":"quality","source":"customers/a.csv","reason":"format_cpf(cpf)","rule":"format_cpf","column":"cpf",' +
        '"row":{"customer_id":2,"name":"Bia","cpf":"********111","email":"***@example.com","card_number":"************2222",' +
        '"store_location":"RJ","total_purchases":5.0,"created_at":"2024-01-02 00:00:00","_operation":"upsert","_ingested_at":"2024-07-01 02:00:00"' +
        `${sourceJson(batch1, "customers/a.csv", 2)}}}`,
    ]);
  });

  it("--dump bronze.<table>: every converted row with _ingested_at and its partition, in arrival order", async () => {
    const { out } = await cli("--dir", dir, "--dump", "bronze.review");
    expect(out.map((l) => (JSON.parse(l) as Record<string, unknown>).review_id)).toEqual([1, 2, 4, 1, 4, 5]);
    expect(JSON.parse(out[4]!)).toEqual({
      review_id: 4,
      beer_id: null,
      profile_id: null,
      overall: null,
      ...nulls,
      text: null,
      review_time: null,
      operation: "delete",
      _ingested_at: "2024-07-02 02:00:00+00",
      ...sourceOf(batch2, "review/002.json", 2),
      ingest_date: "2024-07-02",
    });
  });

  it("re-running a folder skips every file and changes nothing", async () => {
    const before = await snapshot(dir);
    setClock("2024-07-03T02:00:00Z");
    const again = await cli("--dir", dir, "--raw", batch2, "--json");
    const summary = JSON.parse(again.out[0]!) as {
      transformed: boolean;
      files: { status: string; batch: number }[];
    };
    expect(summary.transformed).toBe(false);
    expect(summary.files.map((f) => [f.status, f.batch])).toEqual([
      ["skipped", 2],
      ["skipped", 2],
    ]);
    expect(await snapshot(dir)).toEqual(before);
    const text = await cli("--dir", dir, "--raw", batch1);
    expect(text.out.join("\n")).toMatch(/skipped\s+customers\/a\.csv\s+already ingested in batch 1/);
    expect(text.out.join("\n")).toContain("nothing new: the lake is unchanged");
    expect(await snapshot(dir)).toEqual(before);
  });

  it("a changed file is a new version: ingested again as a new arrival, newer than what it replaces", async () => {
    setClock("2024-07-04T02:00:00Z");
    write(batch1, { "review/001.json": jsonl({ ...REVIEWS_1[0], text: "edited" }, ...REVIEWS_1.slice(1)) });
    const run = await cli("--dir", dir, "--raw", batch1, "--json");
    const summary = JSON.parse(run.out[0]!) as {
      files: { path: string; status: string; ingestedAt: string }[];
    };
    expect(summary.files.map((f) => [f.path, f.status, f.ingestedAt])).toEqual([
      ["customers/a.csv", "skipped", "2024-07-01T02:00:00.000Z"],
      ["review/001.json", "ingested", "2024-07-04T02:00:00.000Z"],
    ]);
    const silver = (await cli("--dir", dir, "--dump", "silver.review")).out.map(
      (l) => JSON.parse(l) as Record<string, unknown>,
    );
    // The new version re-inserts 1 and 4 after batch 2's update and delete: it arrived later, so it wins.
    expect(silver.map((r) => [r.review_id, r.text, r._is_deleted, r._ingested_at])).toEqual([
      [1, "edited", false, "2024-07-04 02:00:00"],
      [4, "ok", false, "2024-07-04 02:00:00"],
      [5, "best", false, "2024-07-02 02:00:00.001"],
    ]);
    // Both versions' bad rows are quarantined, once each.
    const quarantine = (await cli("--dir", dir, "--dump", "quarantine.review")).out.map(
      (l) => JSON.parse(l) as { stage: string; line?: number },
    );
    expect(quarantine.map((q) => [q.stage, q.line])).toEqual([
      ["convert", 3],
      ["quality", undefined],
      ["convert", 3],
      ["quality", undefined],
    ]);
  });

  it("a file recorded but not converted (a run stopped half way) is converted again under the same id, not doubled", async () => {
    const instance = await DuckDBInstance.create(path.join(dir, "lake.duckdb"));
    const connection = await instance.connect();
    await connection.run(
      "UPDATE control.raw_files SET status = 'RECEIVED' WHERE path = 'review/003.json.gz'",
    );
    connection.closeSync();
    instance.closeSync();
    const bronze = (await cli("--dir", dir, "--dump", "bronze.review")).out;
    setClock("2024-07-05T02:00:00Z");
    const run = await cli("--dir", dir, "--raw", batch2, "--json");
    const summary = JSON.parse(run.out[0]!) as {
      files: { status: string; ingestedAt: string; batch: number }[];
    };
    expect(summary.files.map((f) => [f.status, f.ingestedAt, f.batch])).toEqual([
      ["skipped", "2024-07-02T02:00:00.000Z", 2],
      ["retried", "2024-07-02T02:00:00.001Z", 2],
    ]);
    expect((await cli("--dir", dir, "--dump", "bronze.review")).out).toEqual(bronze);
  });
});

describe("npm run pipeline:local -- --raw --dump, and the sample data", () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "pipeline-cli-both-"));
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  it("--raw with --dump: the summary goes to stderr, stdout holds only the table's JSON lines", async () => {
    setClock("2024-07-01T02:00:00Z");
    const raw = write(path.join(work, "raw"), { "customers/a.csv": CUSTOMERS });
    const run = await cli("--dir", path.join(work, "lake"), "--raw", raw, "--dump", "silver.customers");
    expect(run.code).toBe(0);
    expect(run.out.map((l) => settled(l, "inserted"))).toEqual([
      {
        customer_id: 1,
        name: "Ana",
        cpf: "********725",
        email: "***@example.com",
        card_number: "************1111",
        store_location: "SP",
        total_purchases: 10.5,
        created_at: "2024-01-01 00:00:00",
        _is_deleted: false,
        _ingested_at: "2024-07-01 02:00:00",
        ...sourceOf(raw, "customers/a.csv", 1),
      },
    ]);
    expect(run.err.join("\n")).toMatch(/batch 1, 1 files \(1 ingested, 0 skipped\)/);
  });

  it("the sample data goes through the same ledger: a second run of a sample batch skips its files", async () => {
    const dir = path.join(work, "samples");
    const first = await cli("--dir", dir, "--only", "initial", "--rows", "5", "--json");
    expect(first.code).toBe(0);
    expect(first.out).toHaveLength(1);
    const [batch] = (JSON.parse(first.out[0]!) as { batches: Record<string, unknown>[] }).batches;
    expect(batch).toMatchObject({ label: "initial", transformed: true });
    expect(
      (batch!.files as { path: string; status: string; ingestedAt: string }[]).map((f) => [
        f.path,
        f.status,
        f.ingestedAt,
      ]),
    ).toEqual([
      ["beer/initial.json", "ingested", "2024-07-01T02:00:00.000Z"],
      ["brewery/initial.csv", "ingested", "2024-07-01T02:00:00.001Z"],
      ["customers/initial.csv", "ingested", "2024-07-01T02:00:00.002Z"],
      ["profile/initial.json", "ingested", "2024-07-01T02:00:00.003Z"],
      ["review/initial.json", "ingested", "2024-07-01T02:00:00.004Z"],
    ]);
    expect((batch!.tables as Record<string, { silver: number }>).review!.silver).toBe(5);
    const again = await cli("--dir", dir, "--only", "initial", "--rows", "5");
    expect(again.out.join("\n")).toContain("5 files (0 ingested, 5 skipped)");
    expect(again.out.join("\n")).toContain("nothing new: the lake is unchanged");
  });
});
