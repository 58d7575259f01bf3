/**
 * Issue 15's "done when": adding a table in the middle of the dev spec diffs as one added table and its
 * resources, nothing else. Before identity matching, every later table, policy resource and plan step
 * showed as changed by position (`TABLES_JSON[3].pii.username: "hash" => (absent)`).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { diffPlans, formatDiff, hasChanges } from "./diff";
import { previewStack } from "./preview";

const ROOT = path.resolve(__dirname, "..", "..");

const TAPROOM = `      - name: taproom
        description: Taprooms, dropped daily as CSV files.
        source: { kind: batch }
        format: csv
        columns:
          - { name: taproom_id, type: bigint, nullable: false }
          - { name: brewery_id, type: bigint }
          - { name: city, type: string }
        primaryKey: [taproom_id]
`;

function project(devYaml: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "medallion-diff-"));
  fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
  fs.symlinkSync(path.join(ROOT, "infra"), path.join(dir, "infra")); // main: infra/index.ts
  fs.writeFileSync(path.join(dir, "Pulumi.dev.yaml"), devYaml);
  return dir;
}

it("adding a table in the middle of the dev spec diffs as one added table and its resources, nothing else", async () => {
  const dev = fs.readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8");
  const second = dev.indexOf("      - name: beer\n");
  expect(second).toBeGreaterThan(0);
  const dir = project(dev);
  const before = (await previewStack({ root: dir, stack: "dev" })).plan;
  fs.writeFileSync(
    path.join(dir, "Pulumi.dev.yaml"),
    `${dev.slice(0, second)}${TAPROOM}${dev.slice(second)}`,
  );
  const after = (await previewStack({ root: dir, stack: "dev" })).plan;
  const diff = diffPlans(before, after);

  expect(diff.warnings).toEqual([]);
  expect(diff.spec).toEqual([{ subject: "table taproom", message: "added (3 columns)", breaking: false }]);
  expect(diff.removed).toEqual([]);
  expect(diff.moved).toEqual([]);
  expect(diff.protectedRemovals).toEqual([]);
  // Spark creates the table (no catalog resource); the stack adds its two data alarms (issue 16).
  expect(diff.added.map((r) => r.name).sort()).toEqual([
    "brewery-table-taproom-freshness",
    "brewery-table-taproom-quarantine-ratio",
  ]);
  // Every change to an existing resource adds the table (a list item, an ARN, a name) or is the content
  // hash of a function's tables.json, which holds the spec of the tables it serves.
  const changes = diff.changed.flatMap((c) => c.changes.map((change) => ({ urn: c.urn, ...change })));
  expect(changes.length).toBeGreaterThan(0);
  for (const change of changes) {
    const aboutTaproom =
      change.kind === "added" && JSON.stringify([change.path, change.after]).includes("taproom");
    const tablesHash = /^code\.(files\["tables\.json"\]|sha256)$/.test(change.path);
    if (!aboutTaproom && !tablesHash) throw new Error(`unexpected change ${JSON.stringify(change)}`);
  }
  expect(diff.changed.every((c) => c.replaceBy.length === 0)).toBe(true);
  expect(hasChanges(diff)).toBe(true);
  const text = formatDiff(diff);
  expect(text).toContain('TABLES_JSON[name="taproom"]: +');
  expect(text).not.toMatch(/TABLES_JSON\[\d/);
});
