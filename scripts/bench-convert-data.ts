/** The converter benchmark's table (the dev stack's review columns) and its deterministic input generator. */
import * as fs from "node:fs";
import { createGzip } from "node:zlib";
import { once } from "node:events";
import { table, type TableSpec } from "../components/spec/schema";
import { csvField } from "../functions/lib/convert/csv";

export const INGESTED_AT = new Date("2026-11-21T00:00:00Z");

const COLUMNS = [
  { name: "review_id", type: "bigint", nullable: false },
  { name: "beer_id", type: "bigint" },
  { name: "profile_id", type: "bigint" },
  { name: "overall", type: "double" },
  { name: "aroma", type: "double" },
  { name: "appearance", type: "double" },
  { name: "palate", type: "double" },
  { name: "taste", type: "double" },
  { name: "text", type: "string" },
  { name: "review_time", type: "timestamp" },
] as const;

/** The same columns as DuckDB types, so both sides write identical Parquet schemas. */
export const DUCKDB_COLUMNS: Record<string, string> = {
  review_id: "BIGINT",
  beer_id: "BIGINT",
  profile_id: "BIGINT",
  overall: "DOUBLE",
  aroma: "DOUBLE",
  appearance: "DOUBLE",
  palate: "DOUBLE",
  taste: "DOUBLE",
  text: "VARCHAR",
  review_time: "TIMESTAMPTZ",
};

export function benchTable(format: "json" | "csv"): TableSpec {
  return table.parse({
    name: "review",
    source: { kind: "batch" },
    format,
    columns: COLUMNS,
    primaryKey: ["review_id"],
  });
}

const WORDS = (
  "hazy golden pour with a thick white head aroma of citrus pine and bready malt light bitterness " +
  "finish dry crisp lingering notes caramel toffee roasted coffee chocolate smooth creamy body " +
  'medium carbonation sweet sour funky tart fruity banana clove spicy hoppy resinous, balanced "great"'
).split(" ");

/** Writes `rows` review rows as gzip JSON lines or CSV (with header); deterministic for a given row count. */
export async function generate(file: string, format: "json" | "csv", rows: number): Promise<void> {
  let seed = 42;
  // Math.imul keeps the LCG in 32-bit integers (a plain * loses the low bits past 2^53 and cycles early).
  const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff) / 0x7fffffff;
  const score = () => Math.round(random() * 8 + 2) / 2;
  const gzip = createGzip({ level: 6 });
  const out = fs.createWriteStream(file);
  gzip.pipe(out);
  if (format === "csv") gzip.write(COLUMNS.map((c) => c.name).join(",") + "\n");
  const base = Date.UTC(2010, 0, 1) / 1000;
  for (let i = 0; i < rows;) {
    let chunk = "";
    for (let j = 0; j < 2000 && i < rows; j++, i++) {
      const words = 8 + Math.floor(random() * 30);
      let text = "";
      for (let w = 0; w < words; w++) text += (w ? " " : "") + WORDS[Math.floor(random() * WORDS.length)];
      const time = new Date((base + Math.floor(random() * 4e8)) * 1000).toISOString().replace(".000Z", "Z");
      const row = [
        i + 1,
        1 + Math.floor(random() * 50_000),
        1 + Math.floor(random() * 30_000),
        score(),
        score(),
        score(),
        score(),
        score(),
        text,
        time,
      ] as const;
      chunk +=
        format === "json"
          ? JSON.stringify(Object.fromEntries(COLUMNS.map((c, k) => [c.name, row[k]]))) + "\n"
          : row.map((v) => csvField(String(v))).join(",") + "\n";
    }
    if (!gzip.write(chunk)) await once(gzip, "drain");
  }
  gzip.end();
  await once(out, "finish");
}
