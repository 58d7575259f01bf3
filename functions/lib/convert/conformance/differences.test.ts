import { DIFFERENCES } from "./differences";
import { comparable, duckCsv, duckJson, duckJsonDeclared } from "./duck-reference";
import { corpusTable, Harness } from "./harness";
import { caseTest } from "./known-defects";

/** Each intended difference from DuckDB (differences.ts), shown on both sides. */
let h: Harness;
beforeAll(async () => {
  h = await Harness.open();
});
afterAll(() => h.close());

describe.each(DIFFERENCES)("$id ($kind)", (d) => {
  const input = typeof d.input === "string" ? Buffer.from(d.input) : d.input;

  const converter = caseTest(`difference:${d.id}#converter`);
  converter.run(`the converter${converter.name.replace(`difference:${d.id}#converter`, "")}`, async () => {
    const outcome = await h.convert({
      table: corpusTable(d.format, d.columns),
      input,
      select: comparable(d.columns),
    });
    // Records here are one line each: a record's position is its line, less the CSV header.
    const refused = outcome.quarantined.map((q) => q.line - (d.format === "csv" ? 1 : 0));
    expect({ rows: outcome.rows, refused }).toEqual(d.converter);
  });

  test("DuckDB", async () => {
    const file = h.file(`difference.${d.format}`, input);
    if ("error" in d.duckdb) {
      await expect(duckCsv(h, file, d.columns)).rejects.toThrow(d.duckdb.error);
      return;
    }
    const read =
      d.format === "csv"
        ? await duckCsv(h, file, d.columns, { timestampsAsText: !d.declared })
        : d.declared
          ? await duckJsonDeclared(h, file, d.columns)
          : await duckJson(h, file, d.columns);
    expect(read).toEqual(d.duckdb);
  });
});

test('DuckDB, its dialect sniffed, without strict_mode reads a """" field as two quotes (RFC 4180 §2.7: one)', async () => {
  const file = h.file("quotes.csv", Buffer.from('a,b\n"""",x\n1,2\n'));
  const rows = await h.query(`SELECT a FROM read_csv('${file}', strict_mode = false)`);
  expect(rows).toEqual([{ a: '""' }, { a: "1" }]);
});
