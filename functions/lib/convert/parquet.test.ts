import { Field, makeData, RecordBatch, Schema, Struct, Table, tableToIPC } from "apache-arrow";
import type { Converted } from "./coerce";
import { columnBuffer, type ColumnBuffer } from "./columns";
import { ipcStream } from "./parquet";

/** Every column kind, nullable, with `rows` rows of which every third value is null. */
function batch(rows: number): RecordBatch {
  const columns: [ColumnBuffer, (i: number) => Converted][] = [
    [columnBuffer("s", { kind: "string" }, true), (i) => `text ${i} é ✓`.repeat(i % 4)],
    [columnBuffer("i", { kind: "int" }, true), (i) => i - 50],
    [columnBuffer("b", { kind: "bigint" }, true), (i) => (i % 2 ? 9007199254740993n : -i)],
    [columnBuffer("d", { kind: "double" }, true), (i) => i / 7],
    [columnBuffer("t", { kind: "boolean" }, true), (i) => i % 2 === 0],
    [columnBuffer("day", { kind: "date" }, true), (i) => 18000 + i],
    [columnBuffer("ts", { kind: "timestamp" }, true), (i) => 1795163400123456 + i],
    [columnBuffer("m", { kind: "decimal", precision: 20, scale: 2 }, true), (i) => (i % 2 ? -i : 10n ** 19n)],
  ];
  for (let i = 0; i < rows; i++)
    for (const [column, value] of columns) column.append(i % 3 ? value(i) : null);
  const fields: Field[] = columns.map(([c]) => c.field);
  return new RecordBatch(
    new Schema(fields),
    makeData({
      type: new Struct(fields),
      length: rows,
      nullCount: 0,
      children: columns.map(([c]) => c.toData()),
    }),
  );
}

describe("ipcStream", () => {
  it("writes the same bytes as apache-arrow's tableToIPC, also after a larger batch reused its buffer", () => {
    for (const rows of [1000, 10, 0, 333]) {
      const data = batch(rows);
      const expected = tableToIPC(new Table([data]), "stream");
      expect(Buffer.from(ipcStream(data)).equals(Buffer.from(expected))).toBe(true);
    }
  });
});
