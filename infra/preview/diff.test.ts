import { diffPlans, formatDiff } from "./diff";
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
    expect(diff).toEqual({
      added: [],
      removed: [],
      changed: [{ urn: moved.urn, changes: [{ path: "policy", before: "x", after: "y" }] }],
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
        changes: [{ path: "policy.Statement[1].Effect", before: "Deny", after: "Allow" }],
      },
    ]);
  });

  it("reports added and removed inputs as absent on one side", () => {
    const diff = diffPlans(plan(resource("p", { a: 1 })), plan(resource("p", { b: [1, 2] })));
    expect(diff.changed[0].changes).toEqual([
      { path: "a", before: 1, after: undefined },
      { path: "b", before: undefined, after: [1, 2] },
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
    expect(diff.changed[0].changes).toEqual([{ path: "(protect)", before: false, after: true }]);
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
});
