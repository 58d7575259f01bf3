/**
 * What a change does to a stack, from two offline plans: the spec-level summary first, then resources
 * matched by URN with each changed input by its path (lists matched by identity, see diff-values.ts),
 * replacements marked, and the removal of a protected or retained resource flagged loudly.
 */
import { diffSpecs, formatSpecChanges, type SpecChange } from "./diff-spec";
import { replacingInputs } from "./diff-replace";
import { canonical, compareValues, isRecord, type InputChange } from "./diff-values";
import type { Plan, PlanResource } from "./plan";

export type { InputChange } from "./diff-values";

export interface ChangedResource {
  readonly urn: string;
  readonly type: string;
  readonly changes: InputChange[];
  /** Top-level inputs whose change makes the provider replace the resource (empty: an update). */
  readonly replaceBy: string[];
}

/** A resource whose URN changed (same type and name, another parent): Pulumi deletes and re-creates it. */
export interface MovedResource {
  readonly before: PlanResource;
  readonly after: PlanResource;
}

export interface PlanDiff {
  readonly from: { readonly project: string; readonly stack: string };
  readonly to: { readonly project: string; readonly stack: string };
  /** Said before anything else (plans of different stacks or projects). */
  readonly warnings: string[];
  /** The spec-level summary; empty when either plan has no spec. */
  readonly spec: SpecChange[];
  readonly added: PlanResource[];
  readonly removed: PlanResource[];
  readonly moved: MovedResource[];
  readonly changed: ChangedResource[];
  /** Removed (or moved) resources that are protected or retained on delete: data stores, keys, secrets. */
  readonly protectedRemovals: PlanResource[];
  /** Resources whose URN changed with an alias naming the old one: the engine keeps them, nothing is replaced. */
  readonly renamed: { readonly from: string; readonly to: string }[];
}

export function diffPlans(before: Plan, after: Plan): PlanDiff {
  const warnings: string[] = [];
  if (before.stack !== after.stack || before.project !== after.project) {
    warnings.push(
      `the plans belong to different stacks (${before.project}/${before.stack} and ${after.project}/${after.stack}): URNs hold the stack and project, so every resource shows as removed and added. Compare two plans of the same stack.`,
    );
  }
  const old = new Map(before.resources.map((r) => [r.urn, r]));
  // A resource that is not in `before` under its URN may be there under one of its aliases.
  const previousUrn = (r: PlanResource) =>
    old.has(r.urn) ? r.urn : (r.aliases ?? []).find((alias) => old.has(alias));
  const kept = new Set(after.resources.map(previousUrn).filter((u): u is string => u !== undefined));
  let added = after.resources.filter((r) => previousUrn(r) === undefined);
  let removed = before.resources.filter((r) => !kept.has(r.urn));
  const renamed = after.resources
    .filter((r) => !old.has(r.urn) && previousUrn(r) !== undefined)
    .map((r) => ({ from: previousUrn(r) as string, to: r.urn }));
  const moved = pairMoved(removed, added);
  const movedUrns = new Set(moved.flatMap((m) => [m.before.urn, m.after.urn]));
  added = added.filter((r) => !movedUrns.has(r.urn));
  removed = removed.filter((r) => !movedUrns.has(r.urn));

  const changed: ChangedResource[] = [];
  for (const resource of after.resources) {
    const from = previousUrn(resource);
    const previous = from === undefined ? undefined : old.get(from);
    if (!previous) continue;
    const changes = compareValues(expandJson(previous.inputs), expandJson(resource.inputs));
    for (const option of ["protect", "retainOnDelete"] as const) {
      if (previous[option] !== resource[option])
        changes.push({
          path: `(${option})`,
          kind: "changed",
          before: previous[option],
          after: resource[option],
        });
    }
    if (canonical(previous.dependsOn ?? []) !== canonical(resource.dependsOn ?? []))
      changes.push(...compareValues(previous.dependsOn ?? [], resource.dependsOn ?? [], "(dependsOn)"));
    if (changes.length === 0) continue;
    const topLevel = changes.map((c) => /^[^.[]+/.exec(c.path)?.[0] ?? c.path);
    changed.push({
      urn: resource.urn,
      type: resource.type,
      changes,
      replaceBy: replacingInputs(resource.type, topLevel),
    });
  }
  const retained = (r: PlanResource) => r.protect || r.retainOnDelete;
  const protectedRemovals = [...removed.filter(retained), ...moved.map((m) => m.before).filter(retained)];
  return {
    from: { project: before.project, stack: before.stack },
    to: { project: after.project, stack: after.stack },
    warnings,
    spec: diffSpecs(before.spec, after.spec),
    added,
    removed,
    moved,
    renamed,
    changed,
    protectedRemovals,
  };
}

/** Whether applying the change would do anything (what `--detailed-exitcode` reports as 2). */
export function hasChanges(diff: PlanDiff): boolean {
  return diff.added.length + diff.removed.length + diff.moved.length + diff.changed.length > 0;
}

/** Counts for the totals line and the JSON output. */
export function diffTotals(diff: PlanDiff) {
  const replaced = diff.changed.filter((c) => c.replaceBy.length > 0).length + diff.moved.length;
  return {
    add: diff.added.length,
    change: diff.changed.length + diff.moved.length,
    replace: replaced,
    remove: diff.removed.length,
    protectedRemovals: diff.protectedRemovals.length,
  };
}

/** The diff as text: warnings, spec summary, one line per resource and per changed path, totals last. */
export function formatDiff(diff: PlanDiff): string {
  const lines: string[] = [];
  const label = (urn: string) => urn.split("::").slice(-2).join("::");
  for (const warning of diff.warnings) lines.push(`warning: ${warning}`);
  if (diff.protectedRemovals.length > 0) {
    lines.push(
      `!!! DANGER: this change deletes ${diff.protectedRemovals.length} protected or retained resource(s) (data stores, keys, secrets). \`pulumi up\` refuses to delete a protected resource; a retained one is dropped from the state but left in the cloud, orphaned:`,
      ...diff.protectedRemovals.map(
        (r) => `!!!   ${label(r.urn)}  [${r.protect ? "protected" : "retained"}]`,
      ),
    );
  }
  if (diff.spec.length > 0) {
    lines.push("spec:", ...formatSpecChanges(diff.spec).map((l) => `  ${l}`), "resources:");
  }
  const mark = (r: PlanResource) => (r.protect ? "  [protected]" : r.retainOnDelete ? "  [retained]" : "");
  for (const r of diff.added) lines.push(`+ ${label(r.urn)}`);
  for (const r of diff.removed) lines.push(`- ${label(r.urn)}${mark(r)}`);
  for (const r of diff.renamed) lines.push(`= ${label(r.to)} (was ${label(r.from)}, kept by its alias)`);
  for (const m of diff.moved) {
    lines.push(
      `-/+ ${label(m.after.urn)}${mark(m.before)}  [replace: its URN changed (parent ${m.before.parent ?? "stack"} → ${m.after.parent ?? "stack"}); without an alias Pulumi deletes and re-creates it]`,
    );
  }
  for (const c of diff.changed) {
    const replace =
      c.replaceBy.length > 0 ? `  [replace: ${c.replaceBy.join(", ")} forces a new resource]` : "";
    lines.push(`${replace ? "+-" : "~"} ${label(c.urn)}${replace}`);
    for (const change of c.changes) lines.push(...formatChange(change));
  }
  const t = diffTotals(diff);
  lines.push(
    `${t.add} to add, ${t.change} to change${t.replace > 0 ? ` (${t.replace} replaced)` : ""}, ${t.remove} to remove`,
  );
  return lines.join("\n");
}

/** The diff as JSON for `--json`: everything in {@link PlanDiff} plus the totals. */
export function diffJson(diff: PlanDiff): Record<string, unknown> {
  const brief = (r: PlanResource) => ({
    urn: r.urn,
    type: r.type,
    protect: r.protect,
    retainOnDelete: r.retainOnDelete,
  });
  return {
    from: diff.from,
    to: diff.to,
    hasChanges: hasChanges(diff),
    totals: diffTotals(diff),
    warnings: diff.warnings,
    spec: diff.spec,
    protectedRemovals: diff.protectedRemovals.map(brief),
    added: diff.added.map(brief),
    removed: diff.removed.map(brief),
    moved: diff.moved.map((m) => ({ before: m.before.urn, after: m.after.urn })),
    changed: diff.changed,
  };
}

function formatChange(change: InputChange): string[] {
  const at = `    ${change.path}`;
  switch (change.kind) {
    case "added":
      return block(`${at}: +`, change.after);
    case "removed":
      return block(`${at}: -`, change.before);
    case "moved":
      return [`${at}: reordered ${show(change.before)} => ${show(change.after)}`];
    default:
      if (change.text) return [`${at}:`, ...change.text.map((line) => `      ${line.op} ${line.text}`)];
      return [`${at}: ${show(change.before)} => ${show(change.after)}`];
  }
}

/** An added or removed value: one line, or its pretty JSON below the path when long. Never truncated. */
function block(head: string, value: unknown): string[] {
  const text = show(value);
  if (text.length <= 100) return [`${head} ${text}`];
  return [
    head,
    ...JSON.stringify(value, null, 2)
      .split("\n")
      .map((l) => `        ${l}`),
  ];
}

function show(value: unknown): string {
  return value === undefined ? "(absent)" : JSON.stringify(value);
}

/** Removed and added resources with the same type and name: only the URN (parent) changed. */
function pairMoved(removed: readonly PlanResource[], added: readonly PlanResource[]): MovedResource[] {
  const key = (r: PlanResource) => `${r.type}\u0000${r.name}`;
  const byKey = new Map<string, PlanResource[]>();
  for (const r of added) byKey.set(key(r), [...(byKey.get(key(r)) ?? []), r]);
  const moved: MovedResource[] = [];
  for (const r of removed) {
    const candidates = byKey.get(key(r));
    // Only an unambiguous pair: one removed and one added of that type and name.
    if (candidates?.length === 1 && removed.filter((o) => key(o) === key(r)).length === 1)
      moved.push({ before: r, after: candidates[0] });
  }
  return moved;
}

/** Strings that hold JSON objects or arrays (policies, definitions) are compared structurally. */
function expandJson(value: unknown): unknown {
  if (typeof value === "string" && /^\s*[[{]/.test(value)) {
    try {
      return expandJson(JSON.parse(value));
    } catch {
      return value;
    }
  }
  if (Array.isArray(value)) return value.map(expandJson);
  if (isRecord(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, expandJson(v)]));
  return value;
}
