import type { Plan, PlanResource } from "./plan";

/** One changed input, by its path (`rules[0].applyServerSideEncryptionByDefault.sseAlgorithm`). */
export interface InputChange {
  readonly path: string;
  readonly before: unknown;
  readonly after: unknown;
}

export interface PlanDiff {
  readonly added: PlanResource[];
  readonly removed: PlanResource[];
  readonly changed: { readonly urn: string; readonly changes: InputChange[] }[];
  /** Resources whose URN changed with an alias naming the old one: the engine keeps them, nothing is replaced. */
  readonly renamed?: { readonly from: string; readonly to: string }[];
}

/**
 * What `after` adds, removes and changes compared with `before`, matched by URN. Inputs that hold JSON
 * documents (IAM and bucket policies) are compared as parsed JSON, so a changed statement shows by its
 * path instead of as one long string.
 */
export function diffPlans(before: Plan, after: Plan): PlanDiff {
  const old = new Map(before.resources.map((r) => [r.urn, r]));
  // A resource that is not in `before` under its URN may be there under one of its aliases.
  const previousUrn = (r: PlanResource) =>
    old.has(r.urn) ? r.urn : (r.aliases ?? []).find((alias) => old.has(alias));
  const kept = new Set(after.resources.map(previousUrn).filter((u): u is string => u !== undefined));
  const added = after.resources.filter((r) => previousUrn(r) === undefined);
  const removed = before.resources.filter((r) => !kept.has(r.urn));
  const renamed = after.resources
    .filter((r) => !old.has(r.urn) && previousUrn(r) !== undefined)
    .map((r) => ({ from: previousUrn(r) as string, to: r.urn }));
  const changed: PlanDiff["changed"] = [];
  for (const resource of after.resources) {
    const from = previousUrn(resource);
    const previous = from === undefined ? undefined : old.get(from);
    if (!previous) continue;
    const changes: InputChange[] = [];
    compare(expandJson(previous.inputs), expandJson(resource.inputs), "", changes);
    for (const option of ["protect", "retainOnDelete"] as const) {
      if (previous[option] !== resource[option])
        changes.push({ path: `(${option})`, before: previous[option], after: resource[option] });
    }
    if (changes.length > 0) changed.push({ urn: resource.urn, changes });
  }
  return { added, removed, changed, ...(renamed.length > 0 ? { renamed } : {}) };
}

/** Human-readable diff, one line per resource and per changed path. */
export function formatDiff(diff: PlanDiff): string {
  const lines: string[] = [];
  const label = (urn: string) => urn.split("::").slice(-2).join("::");
  for (const r of diff.added) lines.push(`+ ${label(r.urn)}`);
  for (const r of diff.removed) lines.push(`- ${label(r.urn)}`);
  for (const r of diff.renamed ?? [])
    lines.push(`= ${label(r.to)} (was ${label(r.from)}, kept by its alias)`);
  for (const c of diff.changed) {
    lines.push(`~ ${label(c.urn)}`);
    for (const change of c.changes) {
      lines.push(`    ${change.path}: ${show(change.before)} => ${show(change.after)}`);
    }
  }
  lines.push(
    `${diff.added.length} to add, ${diff.changed.length} to change, ${diff.removed.length} to remove`,
  );
  return lines.join("\n");
}

function compare(before: unknown, after: unknown, path: string, out: InputChange[]): void {
  if (isRecord(before) && isRecord(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    for (const key of keys) compare(before[key], after[key], join(path, key), out);
    return;
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    for (let i = 0; i < Math.max(before.length, after.length); i++)
      compare(before[i], after[i], `${path}[${i}]`, out);
    return;
  }
  if (JSON.stringify(before) !== JSON.stringify(after)) out.push({ path: path || "(inputs)", before, after });
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

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function join(path: string, key: string): string {
  const segment = /^[A-Za-z_$][\w$]*$/.test(key) ? key : JSON.stringify(key);
  if (!path) return /^[A-Za-z_$]/.test(segment) ? segment : `[${segment}]`;
  return /^[A-Za-z_$]/.test(segment) ? `${path}.${segment}` : `${path}[${segment}]`;
}

function show(value: unknown): string {
  if (value === undefined) return "(absent)";
  const text = JSON.stringify(value);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}
