/** One problem found in configuration, with a printable path such as `lakehouse.tables[2].pii.cpf`. */
export interface ConfigProblem {
  /** Where, by index (`medallion:lakehouse.tables[2].pii.cpf`): stable for programs to match on. */
  readonly path: string;
  readonly message: string;
  /** Where, for a person: indices followed by the item's name (`medallion:lakehouse.tables[2] "customers".pii.cpf`). */
  readonly at?: string;
  /** The path's segments below the stack config key (`["tables", 2, "pii", "cpf"]`), to find it in a file. */
  readonly segments?: readonly (string | number)[];
  /** The stack config key the segments start from (`medallion:lakehouse`). */
  readonly key?: string;
  /** File, line and column (1-based) of the value in the stack file, when it was read from one. */
  readonly location?: { readonly file: string; readonly line: number; readonly column: number };
}

/**
 * Thrown before any resource registers when stack config or a spec is invalid.
 * The message lists every problem, one per line, so a single run shows everything to fix.
 */
export class ConfigError extends Error {
  /** Every problem found, in document order. */
  readonly problems: readonly ConfigProblem[];

  constructor(subject: string, problems: readonly ConfigProblem[]) {
    const lines = problems.map((p) => `  - ${formatProblem(p)}`);
    super(
      `${subject} has ${problems.length} problem${problems.length === 1 ? "" : "s"}:\n${lines.join("\n")}`,
    );
    this.name = "ConfigError";
    this.problems = problems;
  }
}

/** `Pulumi.dev.yaml:42:9: medallion:lakehouse.tables[1] "beer".format: must be one of "json", "csv"`. */
export function formatProblem(problem: ConfigProblem): string {
  const where = problem.location
    ? `${problem.location.file}:${problem.location.line}:${problem.location.column}: `
    : "";
  return `${where}${problem.at ?? problem.path}: ${problem.message}`;
}

/** Renders `["tables", 2, "pii", "cpf"]` under `root` as `root.tables[2].pii.cpf`. */
export function formatPath(root: string, path: readonly PropertyKey[]): string {
  let out = root;
  for (const segment of path) out = appendSegment(out, segment);
  return out;
}

/**
 * Like {@link formatPath}, naming each list item that has a `name` in `input`:
 * `root.tables[5] "orders".columns[3] "amount".type`, so the reader finds the item without counting.
 */
export function describePath(root: string, path: readonly PropertyKey[], input: unknown): string {
  let out = root;
  let node: unknown = input;
  for (const segment of path) {
    out = appendSegment(out, segment);
    node =
      node !== null && typeof node === "object" ? (node as Record<PropertyKey, unknown>)[segment] : undefined;
    const name = typeof segment === "number" ? (node as { name?: unknown } | undefined)?.name : undefined;
    if (typeof name === "string" && name !== "") out += ` ${JSON.stringify(name)}`;
  }
  return out;
}

function appendSegment(out: string, segment: PropertyKey): string {
  if (typeof segment === "number") return `${out}[${segment}]`;
  if (typeof segment === "string" && /^[A-Za-z_$][\w$-]*$/.test(segment))
    return out ? `${out}.${segment}` : segment;
  return `${out}[${JSON.stringify(String(segment))}]`;
}

/**
 * The closest of `candidates` to a mistyped `value`, when it is close enough to be what was meant: same
 * letters ignoring case, or an edit distance of at most a third of the word (at least 1).
 */
export function closest(value: string, candidates: readonly string[]): string | undefined {
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    if (candidate === value) continue;
    const distance = candidate.toLowerCase() === value.toLowerCase() ? 0 : editDistance(value, candidate);
    if (!best || distance < best.distance) best = { candidate, distance };
  }
  const limit = Math.max(1, Math.floor(Math.max(value.length, 1) / 3));
  return best && best.distance <= limit ? best.candidate : undefined;
}

/** Levenshtein distance, with a swap of two neighbours counted as one edit (`nulalble`, `nmae`). */
function editDistance(a: string, b: string): number {
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const row = rows[i] as number[];
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row[j] = Math.min(
        (rows[i - 1] as number[])[j]! + 1,
        row[j - 1]! + 1,
        (rows[i - 1] as number[])[j - 1]! + cost,
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        row[j] = Math.min(row[j]!, (rows[i - 2] as number[])[j - 2]! + 1);
      }
    }
  }
  return (rows[a.length] as number[])[b.length]!;
}
