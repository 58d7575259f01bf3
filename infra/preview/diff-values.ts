/**
 * Structural comparison of two plan values. Lists are matched by identity, never by position, so an item
 * inserted in the middle shows as one added item instead of every later item "changed": records by a key
 * field (`Sid` of a policy statement, `name` of a table or column, `id` of a lifecycle rule, `key` of a
 * tag), other records and plain values by content.
 */
import { isLongString, textDiff, type TextDiffLine } from "./diff-text";

export type ChangeKind = "changed" | "added" | "removed" | "moved";

/** One changed input, by its path (`policy.Statement[Sid="DenyInsecureTransport"].Effect`). */
export interface InputChange {
  readonly path: string;
  /** `added`/`removed`: a list item or key on one side only; `moved`: the same items in another order. */
  readonly kind: ChangeKind;
  readonly before: unknown;
  readonly after: unknown;
  /** For long strings (SQL, scripts): the changed lines or words, in full. */
  readonly text?: TextDiffLine[];
}

/** Fields that identify a list item, in order of preference; the first one unique on both sides wins. */
export const IDENTITY_KEYS = ["Sid", "name", "Name", "id", "Id", "key", "Key", "urn"] as const;

export function compareValues(before: unknown, after: unknown, path = ""): InputChange[] {
  const out: InputChange[] = [];
  compare(before, after, path, out);
  return out;
}

function compare(before: unknown, after: unknown, path: string, out: InputChange[]): void {
  if (isRecord(before) && isRecord(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    for (const key of keys) compare(before[key], after[key], joinKey(path, key), out);
    return;
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    compareLists(before, after, path, out);
    return;
  }
  if (canonical(before) === canonical(after)) return;
  const kind: ChangeKind = before === undefined ? "added" : after === undefined ? "removed" : "changed";
  const change: InputChange = { path: path || "(inputs)", kind, before, after };
  out.push(
    isLongString(before) && isLongString(after) ? { ...change, text: textDiff(before, after) } : change,
  );
}

/** How the items of two lists correspond: pairs to compare, items on one side only, and the order. */
export interface ListMatch {
  /** The key field matched on, or undefined when items were matched by content. */
  readonly key?: string;
  readonly pairs: { readonly before: number; readonly after: number; readonly label: string }[];
  readonly added: number[];
  readonly removed: number[];
}

/** Matches list items by identity (see {@link IDENTITY_KEYS}), else by content. */
export function matchLists(before: readonly unknown[], after: readonly unknown[]): ListMatch {
  const key = identityKey(before, after);
  if (key !== undefined) {
    const index = new Map(before.map((item, i) => [String((item as Record<string, unknown>)[key]), i]));
    const pairs: ListMatch["pairs"] = [];
    const added: number[] = [];
    const matched = new Set<number>();
    after.forEach((item, i) => {
      const id = String((item as Record<string, unknown>)[key]);
      const j = index.get(id);
      if (j === undefined) added.push(i);
      else {
        pairs.push({ before: j, after: i, label: `[${key}=${JSON.stringify(id)}]` });
        matched.add(j);
      }
    });
    return { key, pairs, added, removed: before.map((_, j) => j).filter((j) => !matched.has(j)) };
  }
  // By content: equal items pair up (duplicates in order), then leftover records pair by similarity so a
  // statement with one changed field shows that field instead of one statement removed and one added.
  const free = new Map<string, number[]>();
  before.forEach((item, j) => {
    const c = canonical(item);
    free.set(c, [...(free.get(c) ?? []), j]);
  });
  const pairs: ListMatch["pairs"] = [];
  const leftAfter: number[] = [];
  after.forEach((item, i) => {
    const slot = free.get(canonical(item));
    if (slot && slot.length > 0)
      pairs.push({ before: slot.shift() as number, after: i, label: itemLabel(item, i) });
    else leftAfter.push(i);
  });
  const leftBefore = [...free.values()].flat().sort((a, b) => a - b);
  const added: number[] = [];
  for (const i of leftAfter) {
    let best = -1;
    let bestScore = 0;
    for (const j of leftBefore) {
      const score = similarity(before[j], after[i]);
      if (score > bestScore) [best, bestScore] = [j, score];
    }
    if (best < 0) added.push(i);
    else {
      pairs.push({ before: best, after: i, label: itemLabel(after[i], i) });
      leftBefore.splice(leftBefore.indexOf(best), 1);
    }
  }
  pairs.sort((a, b) => a.after - b.after);
  return { pairs, added, removed: leftBefore };
}

function compareLists(before: unknown[], after: unknown[], path: string, out: InputChange[]): void {
  const match = matchLists(before, after);
  for (const pair of match.pairs) {
    compare(before[pair.before], after[pair.after], `${path}${pair.label}`, out);
  }
  const label = (item: unknown) =>
    match.key !== undefined
      ? `${path}[${match.key}=${JSON.stringify(String((item as Record<string, unknown>)[match.key]))}]`
      : `${path}${itemLabel(item)}`;
  for (const i of match.added)
    out.push({ path: label(after[i]), kind: "added", before: undefined, after: after[i] });
  for (const j of match.removed)
    out.push({ path: label(before[j]), kind: "removed", before: before[j], after: undefined });
  // Order matters to the provider (columns of a table, steps of a plan): report a reorder once.
  const byBefore = [...match.pairs].sort((a, b) => a.before - b.before).map((p) => p.after);
  if (byBefore.some((a, k) => k > 0 && a < byBefore[k - 1])) {
    const name = (k: number, list: unknown[]) =>
      match.key !== undefined ? (list[k] as Record<string, unknown>)[match.key] : list[k];
    out.push({
      path: path || "(inputs)",
      kind: "moved",
      before: [...match.pairs].sort((a, b) => a.before - b.before).map((p) => name(p.before, before)),
      after: match.pairs.map((p) => name(p.after, after)),
    });
  }
}

/**
 * How a path names a list item matched by content: by its own identity field when it has one (a
 * statement with a `Sid` among statements without), else by its position in the new list (`[]` for an
 * added or removed plain value).
 */
function itemLabel(item: unknown, index?: number): string {
  if (isRecord(item)) {
    const key = IDENTITY_KEYS.find((k) => typeof item[k] === "string");
    if (key) return `[${key}=${JSON.stringify(item[key])}]`;
  }
  return index === undefined ? "[]" : `[${index}]`;
}

/** The first identity key every record on both sides has (string or number), unique on each side. */
function identityKey(before: readonly unknown[], after: readonly unknown[]): string | undefined {
  const all = [...before, ...after];
  if (all.length === 0 || !all.every(isRecord)) return undefined;
  return IDENTITY_KEYS.find((key) =>
    [before, after].every((list) => {
      const ids = list.map((item) => (item as Record<string, unknown>)[key]);
      return (
        ids.every((id) => typeof id === "string" || typeof id === "number") &&
        new Set(ids.map(String)).size === ids.length
      );
    }),
  );
}

/** How many top-level fields two records share with equal values (0 for anything else). */
function similarity(a: unknown, b: unknown): number {
  if (!isRecord(a) || !isRecord(b)) return 0;
  return Object.keys(a).filter((k) => k in b && canonical(a[k]) === canonical(b[k])).length;
}

/** JSON with keys sorted, so equal values compare equal whatever their key order. */
export function canonical(value: unknown): string {
  if (value === undefined) return "undefined";
  return JSON.stringify(value, (_, v: unknown) =>
    isRecord(v)
      ? Object.fromEntries(
          Object.keys(v)
            .sort()
            .map((k) => [k, v[k]]),
        )
      : v,
  );
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function joinKey(path: string, key: string): string {
  const identifier = /^[A-Za-z_$][\w$]*$/.test(key);
  if (!identifier) return `${path}[${JSON.stringify(key)}]`;
  return path ? `${path}.${key}` : key;
}
