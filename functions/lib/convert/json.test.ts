import { columnType } from "./coerce";
import { columnBuffer } from "./columns";
import { JsonRecordReader } from "./json";

const columns = [
  ["id", "bigint", false],
  ["name", "string", true],
  ["score", "double", true],
  ["at", "timestamp", true],
] as const;

function setup(operationField?: string) {
  const buffers = columns.map(([name, type, nullable]) => columnBuffer(name, columnType(type), nullable));
  const reader = new JsonRecordReader(
    columns.map(([name]) => name),
    operationField,
  );
  const read = (line: string): boolean => reader.read(Buffer.from(`${line}\n`), 0, buffers);
  return { buffers, reader, read };
}

describe("JsonRecordReader (the fast path declines rather than guesses)", () => {
  it("reads flat objects in column order: simple escapes, missing and extra keys, spaces", () => {
    const { read, buffers, reader } = setup();
    expect(
      read('{"id":1,"name":"a \\"quoted\\" \\\\ \\/ \\n","score":4.5,"at":"2026-11-20T08:30:00Z"}'),
    ).toBe(true);
    expect(reader.next).toBe(
      Buffer.byteLength(
        '{"id":1,"name":"a \\"quoted\\" \\\\ \\/ \\n","score":4.5,"at":"2026-11-20T08:30:00Z"}',
      ) + 1,
    );
    expect(read('{"id":2,"extra":[],"score":-0.5}')).toBe(false);
    expect(read('{"id":2,"extra":"x","skip":null,"score":-0.5}')).toBe(true);
    expect(read(' \t{ "id" : 3 , "name" : "é€" }  \r')).toBe(true);
    expect(read("{}")).toBe(false);
    expect(buffers.map((b) => b.length)).toEqual([3, 3, 3, 3]);
  });

  it("declines, with nothing appended, whatever JSON.parse must decide", () => {
    const { read, buffers } = setup();
    for (const line of [
      '{"name":"x","id":1}',
      '{"id":1,"id":2}',
      '{"id":1,"name":"\\u00e9"}',
      '{"id":1,"name":{"a":1}}',
      '{"id":1,"score":"not a number"}',
      '{"id":01}',
      '{"id":1,}',
      '{"id":1',
      '{"id":1}x',
      '{"id":1,"name":"tab\tinside"}',
      "[1]",
      '"text"',
      '{"i\\u0064":1}',
    ]) {
      expect([line, read(line)]).toEqual([line, false]);
    }
    expect(buffers.map((b) => b.length)).toEqual([0, 0, 0, 0]);
  });

  it("keeps a CDC table's operation values (the field's and `operation`'s), last one wins", () => {
    const { read, reader } = setup("op");
    expect(read('{"id":1,"op":"insert","operation":"x","op":"update"}')).toBe(true);
    expect(reader.operation).toEqual({ op: "update", operation: "x" });
    expect(read('{"id":2}')).toBe(true);
    expect(reader.operation).toEqual({ op: undefined, operation: undefined });
  });
});
