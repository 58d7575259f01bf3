import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import fc from "fast-check";
import { parseDocument } from "yaml";
import { initStackFile, printValidation, validateStackFile } from ".";

const root = path.join(__dirname, "..", "..");
const work = fs.mkdtempSync(path.join(os.tmpdir(), "medallion-stack-file-"));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

/** Writes `text` as a stack file and validates it. */
function validate(text: string, name = "Pulumi.test.yaml") {
  const file = path.join(work, name);
  fs.writeFileSync(file, text);
  return validateStackFile(file).problems;
}

/** 1-based line of the first line containing `marker`: an oracle independent of the YAML parser. */
const lineOf = (text: string, marker: string) => text.split("\n").findIndex((l) => l.includes(marker)) + 1;

const devText = fs.readFileSync(path.join(root, "Pulumi.dev.yaml"), "utf8");
const devTables = (
  parseDocument(devText).toJS() as {
    config: { "medallion:lakehouse": { tables: { name: string; columns: { name: string }[] }[] } };
  }
).config["medallion:lakehouse"].tables;

describe("validateStackFile", () => {
  it.each(["Pulumi.dev.yaml", "Pulumi.prod.yaml", "Pulumi.azure-dev.yaml"])("finds nothing in %s", (file) => {
    expect(validateStackFile(path.join(root, file)).problems).toEqual([]);
  });

  it("points a mistyped column type at its file, line and named path, with a suggestion", () => {
    const text = devText.replace('{ name: abv, type: "decimal(4,2)" }', "{ name: abv, type: strng }");
    const [problem, ...rest] = validate(text);
    expect(rest).toEqual([]);
    expect(problem).toMatchObject({
      at: 'medallion:lakehouse.tables[1] "beer".columns[4] "abv".type',
      location: { file: expect.stringContaining("Pulumi.test.yaml"), line: lineOf(text, "type: strng") },
    });
    expect(problem?.message).toContain('(did you mean "string"?)');
  });

  it("names an unknown medallion: key with a suggestion, at its line", () => {
    const text = devText.replace("  medallion:environment: dev", "  medallion:enviroment: dev");
    expect(validate(text)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          path: "medallion:enviroment",
          message: 'unknown key (did you mean "medallion:environment"?)',
          location: expect.objectContaining({ line: lineOf(text, "medallion:enviroment") }),
        }),
        expect.objectContaining({ path: "medallion:environment", message: "is required" }),
      ]),
    );
  });

  it("reports YAML syntax errors with their line", () => {
    const problems = validate("config:\n  medallion:cloud: aws\n   bad: [\n");
    expect(problems[0]?.location?.line).toBeGreaterThanOrEqual(2);
  });

  it("prints problems and returns exit code 1, or 0 for a valid file", () => {
    const out: string[] = [];
    expect(printValidation(path.join(root, "Pulumi.dev.yaml"), (t) => out.push(t))).toBe(0);
    const bad = path.join(work, "Pulumi.bad.yaml");
    fs.writeFileSync(bad, devText.replace('daily: "0 2 * * *"', 'daily: "30 25 * * *"'));
    expect(printValidation(bad, (t) => out.push(t))).toBe(1);
    expect(out.join("")).toMatch(
      /Pulumi\.bad\.yaml:\d+:\d+: medallion:lakehouse\.schedules\.daily: hour "25"/,
    );
  });

  it("property: a bad column type anywhere is reported at its table and column names and its own line", () => {
    const cells = devTables.flatMap((t, i) =>
      t.columns.map((c, j) => ({ i, j, table: t.name, column: c.name })),
    );
    fc.assert(
      fc.property(
        fc.constantFrom(...cells),
        fc.integer({ min: 0, max: 1e6 }),
        ({ i, j, table, column }, n) => {
          const document = parseDocument(devText);
          const marker = `bogus_type_${n}`;
          document.setIn(["config", "medallion:lakehouse", "tables", i, "columns", j, "type"], marker);
          const text = document.toString();
          const problems = validate(text);
          expect(problems).toHaveLength(1);
          expect(problems[0]).toMatchObject({
            at: `medallion:lakehouse.tables[${i}] ${JSON.stringify(table)}.columns[${j}] ${JSON.stringify(column)}.type`,
            location: { line: lineOf(text, marker) },
          });
        },
      ),
      { numRuns: 25 },
    );
  });

  it("property: an unknown field anywhere in a table is named with a suggestion at its own line", () => {
    const fields = ["description", "format", "columns", "primaryKey", "partitionBy", "quality"];
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: devTables.length - 1 }),
        fc.constantFrom(...fields),
        (i, field) => {
          const document = parseDocument(devText);
          const typo = `${field}x`;
          document.setIn(["config", "medallion:lakehouse", "tables", i, typo], "oops");
          const text = document.toString();
          const problems = validate(text);
          expect(problems).toEqual([
            expect.objectContaining({
              at: `medallion:lakehouse.tables[${i}] ${JSON.stringify(devTables[i]?.name)}.${typo}`,
              message: `unknown field "${typo}" (did you mean "${field}"?)`,
              location: expect.objectContaining({ line: lineOf(text, `${typo}:`) }),
            }),
          ]);
        },
      ),
      { numRuns: 20 },
    );
  });
});

describe("initStackFile", () => {
  it.each(["aws", "azure"] as const)(
    "writes a minimal %s stack file that validates, and refuses to overwrite it",
    (cloud) => {
      const dir = fs.mkdtempSync(path.join(work, `${cloud}-`));
      const file = initStackFile(cloud, { dir, stack: "dev" });
      expect(path.basename(file)).toBe("Pulumi.dev.yaml");
      expect(fs.readFileSync(file, "utf8").split("\n")[0]).toMatch(/^# yaml-language-server: \$schema=/);
      expect(validateStackFile(file).problems).toEqual([]);
      expect(() => initStackFile(cloud, { dir, stack: "dev" })).toThrow("exists; pass --force");
    },
  );
});
