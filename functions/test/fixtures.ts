import { table, type TableSpec } from "../../components/spec/schema";

/** A TableSpec as the spec parser would produce it (defaults filled in). */
export function tableSpec(input: Record<string, unknown>): TableSpec {
  return table.parse({ primaryKey: [(input.columns as { name: string }[])[0]!.name], ...input });
}

export const beer = tableSpec({
  name: "beer",
  source: { kind: "batch" },
  format: "json",
  columns: [
    { name: "beer_id", type: "bigint", nullable: false },
    { name: "name", type: "string" },
    { name: "abv", type: "decimal(4,2)" },
    { name: "ibu", type: "int" },
    { name: "rating", type: "double" },
    { name: "organic", type: "boolean" },
    { name: "launched", type: "date" },
    { name: "updated_at", type: "timestamp" },
  ],
});

export const brewery = tableSpec({
  name: "brewery",
  source: { kind: "batch" },
  format: "csv",
  columns: [
    { name: "brewery_id", type: "bigint", nullable: false },
    { name: "name", type: "string" },
    { name: "city", type: "string" },
    { name: "state", type: "string" },
  ],
});

export const review = tableSpec({
  name: "review",
  source: { kind: "cdc" },
  format: "json",
  columns: [
    { name: "review_id", type: "bigint", nullable: false },
    { name: "overall", type: "double" },
    { name: "text", type: "string" },
  ],
});

/** Bytes as a stream of chunks of `size` bytes (exercises chunk boundaries). */
export async function* chunks(data: Uint8Array | string, size = 7): AsyncGenerator<Uint8Array> {
  const bytes = typeof data === "string" ? Buffer.from(data) : data;
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}
