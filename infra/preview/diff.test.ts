import { recordArchive } from "./assets";
import { diffPlans, formatDiff, hasChanges } from "./diff";
import type { Plan, PlanResource } from "./plan";

function resource(
  name: string,
  inputs: Record<string, unknown>,
  extra: Partial<PlanResource> = {},
): PlanResource {
  return {
    urn: `urn:pulumi:dev::medallion::aws:s3/bucketPolicy:BucketPolicy::${name}`,
    type: "aws:s3/bucketPolicy:BucketPolicy",
    name,
    parent: null,
    custom: true,
    protect: false,
    retainOnDelete: false,
    inputs,
    dependencies: {},
    ...extra,
  };
}

const plan = (...resources: PlanResource[]): Plan => ({ project: "medallion", stack: "dev", resources });

describe("diffPlans", () => {
  it("keeps a resource whose alias names its old URN: no add, no remove, its input changes still shown", () => {
    const old = resource("a", { policy: "x" });
    const moved = resource(
      "b",
      { policy: "y" },
      { urn: "urn:pulumi:dev::medallion::c:Comp$aws:s3/bucketPolicy:BucketPolicy::b", aliases: [old.urn] },
    );
    const diff = diffPlans(plan(old), plan(moved));
    expect(diff).toMatchObject({
      added: [],
      removed: [],
      moved: [],
      changed: [{ urn: moved.urn, changes: [{ path: "policy", kind: "changed", before: "x", after: "y" }] }],
      renamed: [{ from: old.urn, to: moved.urn }],
    });
    expect(formatDiff(diff)).toContain("0 to add, 1 to change, 0 to remove");
    // Without the alias the same move is a replacement.
    const replaced = diffPlans(plan(old), plan({ ...moved, aliases: undefined }));
    expect([replaced.added.length, replaced.removed.length]).toEqual([1, 1]);
  });

  it("lists added and removed resources by URN", () => {
    const diff = diffPlans(
      plan(resource("a", {}), resource("b", {})),
      plan(resource("b", {}), resource("c", {})),
    );
    expect(diff.added.map((r) => r.name)).toEqual(["c"]);
    expect(diff.removed.map((r) => r.name)).toEqual(["a"]);
    expect(diff.changed).toEqual([]);
  });

  it("shows a change inside a JSON policy document by its path", () => {
    const policy = (effect: string) =>
      JSON.stringify({ Statement: [{ Effect: "Deny" }, { Effect: effect, Action: "s3:GetObject" }] });
    const diff = diffPlans(
      plan(resource("p", { policy: policy("Deny") })),
      plan(resource("p", { policy: policy("Allow") })),
    );
    expect(diff.changed).toEqual([
      {
        urn: expect.stringContaining("::p"),
        type: "aws:s3/bucketPolicy:BucketPolicy",
        changes: [{ path: "policy.Statement[1].Effect", kind: "changed", before: "Deny", after: "Allow" }],
        replaceBy: [],
      },
    ]);
  });

  it("reports added and removed inputs as absent on one side", () => {
    const diff = diffPlans(plan(resource("p", { a: 1 })), plan(resource("p", { b: [1, 2] })));
    expect(diff.changed[0].changes).toEqual([
      { path: "a", kind: "removed", before: 1, after: undefined },
      { path: "b", kind: "added", before: undefined, after: [1, 2] },
    ]);
  });

  it("quotes keys that are not identifiers", () => {
    const diff = diffPlans(
      plan(resource("p", { tags: { "managed-by": "x" } })),
      plan(resource("p", { tags: { "managed-by": "y" } })),
    );
    expect(diff.changed[0].changes[0].path).toBe('tags["managed-by"]');
  });

  it("reports a change of protection", () => {
    const diff = diffPlans(plan(resource("p", {})), plan(resource("p", {}, { protect: true })));
    expect(diff.changed[0].changes).toEqual([
      { path: "(protect)", kind: "changed", before: false, after: true },
    ]);
  });

  it("formats one line per resource and per changed path, with totals", () => {
    const diff = diffPlans(
      plan(resource("a", { x: 1 }), resource("gone", {})),
      plan(resource("a", { x: 2 }), resource("new", {})),
    );
    expect(formatDiff(diff)).toBe(
      [
        "+ aws:s3/bucketPolicy:BucketPolicy::new",
        "- aws:s3/bucketPolicy:BucketPolicy::gone",
        "~ aws:s3/bucketPolicy:BucketPolicy::a",
        "    x: 1 => 2",
        "1 to add, 1 to change, 1 to remove",
      ].join("\n"),
    );
  });

  it("warns when the two plans belong to different stacks", () => {
    const prod: Plan = { project: "medallion", stack: "prod", resources: [] };
    const diff = diffPlans(plan(), prod);
    expect(diff.warnings).toEqual([
      expect.stringContaining("different stacks (medallion/dev and medallion/prod)"),
    ]);
    expect(formatDiff(diff).split("\n")[0]).toMatch(/^warning: the plans belong to different stacks/);
    expect(diffPlans(plan(), plan()).warnings).toEqual([]);
  });

  it("flags the removal of a protected or retained resource loudly, and still counts it as a change", () => {
    const bucket = (name: string, extra: Partial<PlanResource>) =>
      resource(
        name,
        {},
        {
          type: "aws:s3/bucket:Bucket",
          urn: `urn:pulumi:dev::medallion::aws:s3/bucket:Bucket::${name}`,
          ...extra,
        },
      );
    const diff = diffPlans(
      plan(bucket("gold", { protect: true }), bucket("logs", { retainOnDelete: true }), bucket("tmp", {})),
      plan(),
    );
    expect(diff.protectedRemovals.map((r) => r.name)).toEqual(["gold", "logs"]);
    expect(hasChanges(diff)).toBe(true);
    const text = formatDiff(diff);
    expect(text).toContain("!!! DANGER: this change deletes 2 protected or retained resource(s)");
    expect(text).toContain("!!!   aws:s3/bucket:Bucket::gold  [protected]");
    expect(text).toContain("!!!   aws:s3/bucket:Bucket::logs  [retained]");
    expect(text).toContain("- aws:s3/bucket:Bucket::tmp\n");
  });

  it("marks a change of an input that forces a new resource as a replacement", () => {
    const table = (name: string, inputs: Record<string, unknown>) =>
      resource("t", inputs, {
        type: "aws:glue/catalogTable:CatalogTable",
        urn: `urn:pulumi:dev::medallion::aws:glue/catalogTable:CatalogTable::${name}`,
      });
    const diff = diffPlans(
      plan(table("t", { databaseName: "silver", description: "a" })),
      plan(table("t", { databaseName: "gold", description: "b" })),
    );
    expect(diff.changed[0].replaceBy).toEqual(["databaseName"]);
    expect(formatDiff(diff)).toContain(
      "+- aws:glue/catalogTable:CatalogTable::t  [replace: databaseName forces a new resource]",
    );
    expect(formatDiff(diff)).toContain("0 to add, 1 to change (1 replaced), 0 to remove");
    const update = diffPlans(plan(table("t", { description: "a" })), plan(table("t", { description: "b" })));
    expect(update.changed[0].replaceBy).toEqual([]);
  });

  it("pairs a resource whose parent changed (new URN, same type and name) as one replacement", () => {
    const before = resource(
      "q",
      {},
      {
        urn: "urn:pulumi:dev::medallion::a$aws:s3/bucketPolicy:BucketPolicy::q",
        parent: "urn:a",
        protect: true,
      },
    );
    const after = resource(
      "q",
      {},
      {
        urn: "urn:pulumi:dev::medallion::b$aws:s3/bucketPolicy:BucketPolicy::q",
        parent: "urn:b",
        protect: true,
      },
    );
    const diff = diffPlans(plan(before), plan(after));
    expect(diff.moved).toEqual([{ before, after }]);
    expect(diff.added).toEqual([]);
    expect(diff.removed).toEqual([]);
    expect(diff.protectedRemovals).toEqual([before]);
    expect(formatDiff(diff)).toContain(
      "-/+ b$aws:s3/bucketPolicy:BucketPolicy::q  [protected]  [replace: its URN changed (parent urn:a → urn:b)",
    );
  });

  it("shows changed function code as a changed content hash", () => {
    const archive = (code: string) =>
      recordArchive({ assets: { "index.js": { text: code }, "tables.json": { text: "[]" } } });
    const diff = diffPlans(
      plan(resource("f", { code: archive("a") })),
      plan(resource("f", { code: archive("b") })),
    );
    expect(diff.changed[0].changes.map((c) => c.path)).toEqual(['code.files["index.js"]', "code.sha256"]);
    expect(
      diffPlans(plan(resource("f", { code: archive("a") })), plan(resource("f", { code: archive("a") })))
        .changed,
    ).toEqual([]);
  });

  it("puts the spec-level summary first, with breaking changes flagged", () => {
    const spec = (columns: unknown[], pii: Record<string, string>, schedule: string) => ({
      name: "brewery",
      protect: false,
      schedules: { ingestion: schedule },
      tables: [
        { name: "keep", columns: [{ name: "id", type: "bigint" }], primaryKey: ["id"], pii: {}, quality: [] },
        { name: "orders", columns, primaryKey: ["id"], pii, quality: [] },
      ],
    });
    const before: Plan = {
      ...plan(),
      spec: spec(
        [
          { name: "id", type: "int" },
          { name: "amount", type: "double" },
          { name: "email", type: "string" },
        ],
        { email: "email" },
        "0 * * * *",
      ),
    };
    const after: Plan = {
      ...plan(),
      spec: spec(
        [
          { name: "id", type: "bigint" },
          { name: "amount", type: "string" },
          { name: "email", type: "string" },
          { name: "note", type: "string" },
        ],
        {},
        "5 * * * *",
      ),
    };
    const diff = diffPlans(before, after);
    expect(formatDiff(diff).split("\n").slice(0, 8)).toEqual([
      "spec:",
      '  * schedules: ingestion: "0 * * * *" → "5 * * * *"',
      "  * table orders: column id retyped int → bigint",
      "  ! table orders: column amount retyped double → string  [breaking]",
      "  * table orders: column note added (string)",
      "  ! table orders: masking of email removed (was email): the column is stored in clear  [breaking]",
      "resources:",
      "0 to add, 0 to change, 0 to remove",
    ]);
  });
});
