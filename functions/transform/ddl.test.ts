import { spawnSync } from "node:child_process";
import fc from "fast-check";
import { lakehouseSpecProblems } from "../../components/spec";
import { BreakingSchemaChange, schemaChanges } from "./ddl";
import { runPlans } from "./duckdb-runner";
import { buildTransformPlans } from "./index";
import { LocalLake, NAMESPACES, specWith } from "./test-support";

/**
 * Spark owns table DDL (ddl.ts): the plans create silver, quarantine and ledger tables, add a column the
 * spec adds, and refuse a removed or retyped column unless the table's migrations say what to do. DuckDB
 * here; Iceberg and Delta in npm run test:spark (test/spark/evolution.ts), the Python twin below.
 */

const brewery = (columns: { name: string; type: string }[], extra: Record<string, unknown> = {}) => ({
  name: "brewery",
  source: { kind: "batch" },
  columns: [{ name: "brewery_id", type: "bigint", nullable: false }, ...columns],
  primaryKey: ["brewery_id"],
  ...extra,
});

async function lakeWith(columns: { name: string; type: string }[]) {
  const lake = await LocalLake.create(specWith({ tables: [brewery(columns)] as never }));
  await lake.land("brewery", [
    { brewery_id: "1", abv: "5.5", name: "Alpha" },
    { brewery_id: "2", abv: "6.0", name: "Beta" },
  ]);
  await lake.silver();
  return lake;
}

/** The bronze → silver plans of another version of the spec, run on the lake's tables. */
async function rerun(lake: LocalLake, columns: { name: string; type: string }[], extra = {}) {
  const spec = specWith({ tables: [brewery(columns, extra)] as never });
  await runPlans(lake.connection, buildTransformPlans(spec, "duckdb", NAMESPACES).bronzeToSilver);
}

describe("table DDL owned by the runners", () => {
  const v1 = [
    { name: "name", type: "string" },
    { name: "abv", type: "decimal(4,2)" },
  ];

  it("adds a column the spec adds, keeping the rows (NULL in them)", async () => {
    const lake = await lakeWith(v1);
    // Bronze gains the column with the first file the converter writes under the new spec.
    await lake.connection.run("ALTER TABLE bronze.brewery ADD COLUMN founded VARCHAR");
    await lake.land("brewery", [{ brewery_id: "3", abv: "4.0", name: "Gamma", founded: "1999" }]);
    await rerun(lake, [...v1, { name: "founded", type: "int" }]);
    const rows = await lake.rows("SELECT brewery_id, name, abv, founded FROM silver.brewery ORDER BY 1");
    expect(rows).toEqual([
      { brewery_id: "1", name: "Alpha", abv: "5.50", founded: null },
      { brewery_id: "2", name: "Beta", abv: "6.00", founded: null },
      { brewery_id: "3", name: "Gamma", abv: "4.00", founded: 1999 },
    ]);
    const quarantine = await lake.rows("SELECT column_name FROM (DESCRIBE quarantine.brewery)");
    expect(quarantine.map((r) => r.column_name)).toContain("founded");
  });

  it("refuses a retyped column naming table and column, and changes nothing", async () => {
    const lake = await lakeWith(v1);
    await expect(rerun(lake, [v1[0], { name: "abv", type: "double" }])).rejects.toThrow(
      /brewery\.create_silver failed: breaking schema change on silver\.brewery, column abv: the table has decimal\(4,2\), the spec says double/,
    );
    const types = await lake.rows(
      "SELECT column_type FROM (DESCRIBE silver.brewery) WHERE column_name = 'abv'",
    );
    expect(types).toEqual([{ column_type: "DECIMAL(4,2)" }]);
  });

  it("refuses a removed column unless a drop migration names it", async () => {
    const lake = await lakeWith(v1);
    await expect(rerun(lake, [v1[0]])).rejects.toThrow(
      /breaking schema change on silver\.brewery, column abv: the spec no longer has it/,
    );
    await rerun(lake, [v1[0]], { migrations: [{ column: "abv", change: "drop" }] });
    const rows = await lake.rows(
      "SELECT * EXCLUDE (_created_at, _updated_at, _ingested_at, _source_file) FROM silver.brewery ORDER BY 1",
    );
    expect(rows.map((r) => Object.keys(r).includes("abv"))).toEqual([false, false]);
    expect(rows.map((r) => r.name)).toEqual(["Alpha", "Beta"]);
  });

  it("recasts a retyped column's values with a recast migration", async () => {
    const lake = await lakeWith(v1);
    await rerun(lake, [v1[0], { name: "abv", type: "double" }], {
      migrations: [{ column: "abv", change: "recast" }],
    });
    expect(await lake.rows("SELECT abv FROM silver.brewery ORDER BY brewery_id")).toEqual([
      { abv: 5.5 },
      { abv: 6 },
    ]);
    // Left in the spec after it ran, the migration changes nothing more.
    await rerun(lake, [v1[0], { name: "abv", type: "double" }], {
      migrations: [{ column: "abv", change: "recast" }],
    });
    expect(await lake.rows("SELECT count(*)::INT AS n FROM silver.brewery")).toEqual([{ n: 2 }]);
  });

  it("refuses a migration of a kept, key or unknown column in the spec, naming the field", () => {
    const problems = lakehouseSpecProblems({
      name: "test",
      alerts: { emails: ["a@example.com"] },
      tables: [
        brewery(v1, {
          migrations: [
            { column: "abv", change: "drop" },
            { column: "brewery_id", change: "recast" },
            { column: "gone", change: "recast" },
          ],
        }),
      ],
    });
    expect(problems.map(({ path, message }) => ({ path, message }))).toEqual([
      {
        path: "lakehouse.tables[0].migrations[0].column",
        message: 'column "abv" is still in columns: only a removed column can be dropped',
      },
      {
        path: "lakehouse.tables[0].migrations[1].column",
        message: '"brewery_id" is a primary-key or partition column: it cannot be migrated in place',
      },
      { path: "lakehouse.tables[0].migrations[2].column", message: 'column "gone" is not in columns' },
    ]);
  });

  it("agrees with spark_runner.py's schema_changes on any pair of schemas (property)", () => {
    const types = ["INT", "BIGINT", "STRING", "DOUBLE", "DECIMAL(4,2)"];
    const schema = fc.uniqueArray(
      fc.record({ name: fc.constantFrom("a", "b", "c", "d"), type: fc.constantFrom(...types) }),
      { selector: (c) => c.name, maxLength: 4 },
    );
    const migrations = fc.uniqueArray(
      fc.record({ column: fc.constantFrom("a", "b", "c", "d"), change: fc.constantFrom("drop", "recast") }),
      { selector: (m) => m.column, maxLength: 4 },
    );
    const cases = fc.sample(fc.tuple(schema, schema, migrations), { numRuns: 200, seed: 12 });
    const ours = cases.map(([existing, wanted, m]) => {
      try {
        const c = schemaChanges("t", existing, wanted, m as never);
        return { add: c.add.map((x) => x.name), drop: c.drop, recast: c.recast.map((x) => x.name) };
      } catch (error) {
        if (!(error instanceof BreakingSchemaChange)) throw error;
        return { error: error.message };
      }
    });
    const script = [
      "import json, sys",
      "sys.path.insert(0, '.')",
      "import spark_runner as r",
      "out = []",
      "for existing, wanted, m in json.load(sys.stdin):",
      "    try:",
      "        a, d, c = r.schema_changes('t', [(x['name'], x['type']) for x in existing], [(x['name'], x['type']) for x in wanted], m)",
      "        out.append({'add': [n for n, _ in a], 'drop': d, 'recast': [n for n, _ in c]})",
      "    except r.BreakingSchemaChange as e:",
      "        out.append({'error': str(e)})",
      "print(json.dumps(out))",
    ].join("\n");
    const run = spawnSync("python3", ["-c", script], {
      cwd: __dirname,
      input: JSON.stringify(cases),
      encoding: "utf8",
      env: { ...process.env, PYTHONDONTWRITEBYTECODE: "1" },
    });
    expect(run.stderr).toBe("");
    expect(JSON.parse(run.stdout)).toEqual(ours);
  });

  it("spark_runner.py's DDL passes its unittest suite (python3 -m unittest test_spark_ddl)", () => {
    const run = spawnSync("python3", ["-m", "unittest", "-v", "test_spark_ddl"], {
      cwd: __dirname,
      encoding: "utf8",
      env: { ...process.env, PYTHONDONTWRITEBYTECODE: "1" },
    });
    expect(run.stderr).toMatch(/Ran 10 tests .*\n\nOK/s);
    expect(run.status).toBe(0);
  });
});
