import { ConfigError, formatPath, type ConfigProblem } from "./errors";
import { checkReferences } from "./references";
import { lakehouseSpec, type LakehouseSpec } from "./schema";

/**
 * Parses and validates a LakehouseSpec once, at the edge. Throws a {@link ConfigError} listing every
 * problem with its path under `root` (`lakehouse.tables[2].pii.cpf: column "cpf" is not in columns`).
 */
export function parseLakehouseSpec(input: unknown, root = "lakehouse"): LakehouseSpec {
  const problems = lakehouseSpecProblems(input, root);
  if (problems.length > 0) throw new ConfigError(`The lakehouse spec (${root})`, problems);
  return lakehouseSpec.parse(input);
}

/** Every problem in a candidate spec, or an empty list; never throws. */
export function lakehouseSpecProblems(input: unknown, root = "lakehouse"): ConfigProblem[] {
  const shape = lakehouseSpec.safeParse(input);
  if (!shape.success) {
    return shape.error.issues.map((issue) => ({
      path: formatPath(root, issue.path),
      message: issueMessage(issue),
    }));
  }
  return checkReferences(shape.data).map((issue) => ({
    path: formatPath(root, issue.path),
    message: issue.message,
  }));
}

type ZodIssue = import("zod").ZodError["issues"][number];

/** zod's defaults say "Invalid input"; say what was expected instead. */
function issueMessage(issue: ZodIssue): string {
  switch (issue.code) {
    case "invalid_type":
      // zod 4 does not keep the input on issues; its message says "received undefined" when absent.
      return /received undefined$/.test(issue.message)
        ? `is required (${issue.expected})`
        : `must be ${article(issue.expected)}`;
    case "unrecognized_keys":
      return `unknown field${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `"${k}"`).join(", ")}`;
    case "invalid_value":
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
    case "invalid_union":
      if ("discriminator" in issue && issue.discriminator) {
        const options = DISCRIMINATOR_VALUES[issue.discriminator];
        return options ? `must be one of ${options.map((v) => `"${v}"`).join(", ")}` : issue.message;
      }
      return issue.message;
    default:
      return issue.message;
  }
}

/** zod does not report a discriminated union's options, so name them here. */
const DISCRIMINATOR_VALUES: Record<string, readonly string[]> = {
  kind: ["cdc", "batch", "api", "event"],
  rule: ["required", "format", "regex", "domain", "range"],
};

function article(expected: string): string {
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}
