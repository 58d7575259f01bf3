import { ConfigError, formatPath, type ConfigProblem } from "./errors";
import { checkReferences, type ParsedParts } from "./references";
import {
  goldModel,
  lakehouseSpec,
  secret,
  table,
  view,
  type GoldModelSpec,
  type LakehouseSpec,
  type SecretSpec,
  type TableSpec,
  type ViewSpec,
} from "./schema";

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
  const shapeProblems = shape.success
    ? []
    : shape.error.issues.map((issue) => ({
        path: formatPath(root, issue.path),
        message: issueMessage(issue),
      }));
  const referenceProblems = checkReferences(shape.success ? shape.data : parsedParts(input)).map((issue) => ({
    path: formatPath(root, issue.path),
    message: issue.message,
  }));
  return [...shapeProblems, ...referenceProblems];
}

/** Parses each list entry on its own, so one bad table does not hide reference problems in the others. */
function parsedParts(input: unknown): ParsedParts {
  const record = (input && typeof input === "object" ? input : {}) as Record<string, unknown>;
  const secrets = eachParsed<SecretSpec>(secret, record.secrets);
  const tables = eachParsed<TableSpec>(table, record.tables);
  const views = eachParsed<ViewSpec>(view, record.views);
  return {
    // With an invalid secret list, secret references cannot be judged, so none are checked.
    secrets: secrets.every((s) => s !== undefined) ? (secrets as SecretSpec[]) : [],
    tables,
    views,
    gold: eachParsed<GoldModelSpec>(goldModel, record.gold),
    unparsedRelations: new Set([
      ...unparsedNames(record.tables, tables),
      ...unparsedNames(record.views, views),
    ]),
  };
}

/** Names (where readable) of the entries that did not parse. */
function unparsedNames(raw: unknown, parsed: readonly unknown[]): string[] {
  if (!Array.isArray(raw)) return [];
  return raw
    .filter((_, i) => parsed[i] === undefined)
    .map((entry) => (entry as { name?: unknown } | null)?.name)
    .filter((name): name is string => typeof name === "string");
}

function eachParsed<T>(
  schema: { safeParse(value: unknown): { success: boolean; data?: unknown } },
  value: unknown,
): (T | undefined)[] {
  if (!Array.isArray(value)) return [];
  return value.map((entry) => {
    const result = schema.safeParse(entry);
    return result.success ? (result.data as T) : undefined;
  });
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
  kind: ["cdc", "batch", "api", "event", "database"],
  rule: ["required", "format", "regex", "domain", "range"],
};

function article(expected: string): string {
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}
