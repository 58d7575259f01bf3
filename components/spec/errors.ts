/** One problem found in configuration, with a printable path such as `lakehouse.tables[2].pii.cpf`. */
export interface ConfigProblem {
  readonly path: string;
  readonly message: string;
}

/**
 * Thrown before any resource registers when stack config or a spec is invalid.
 * The message lists every problem, one per line, so a single run shows everything to fix.
 */
export class ConfigError extends Error {
  /** Every problem found, in document order. */
  readonly problems: readonly ConfigProblem[];

  constructor(subject: string, problems: readonly ConfigProblem[]) {
    const lines = problems.map((p) => `  - ${p.path}: ${p.message}`);
    super(
      `${subject} has ${problems.length} problem${problems.length === 1 ? "" : "s"}:\n${lines.join("\n")}`,
    );
    this.name = "ConfigError";
    this.problems = problems;
  }
}

/** Renders `["tables", 2, "pii", "cpf"]` under `root` as `root.tables[2].pii.cpf`. */
export function formatPath(root: string, path: readonly PropertyKey[]): string {
  let out = root;
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`;
    else if (typeof segment === "string" && /^[A-Za-z_$][\w$-]*$/.test(segment))
      out += out ? `.${segment}` : segment;
    else out += `[${JSON.stringify(String(segment))}]`;
  }
  return out;
}
