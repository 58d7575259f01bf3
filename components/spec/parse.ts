import { closest, ConfigError, describePath, formatPath, type ConfigProblem } from "./errors";
import { enumValues, knownKeys, schemaAt, valueAt } from "./schema-walk";
import type { LakehouseSpec } from "./types.generated";
import { checkReferences, type ParsedParts } from "./references";
import {
  goldModel,
  lakehouseSpec,
  secret,
  table,
  view,
  type GoldModelSpec,
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

/**
 * Every problem in a candidate spec, or an empty list; never throws. Each problem keeps the index path
 * (`path`), says it with the items' names (`at`: `tables[5] "orders".columns[3].type`) and keeps its
 * `segments` so a caller that read the spec from a file can point at the line ({@link locateProblems}).
 */
export function lakehouseSpecProblems(input: unknown, root = "lakehouse"): ConfigProblem[] {
  const shape = lakehouseSpec.safeParse(input);
  const located = (segments: readonly PropertyKey[], message: string): ConfigProblem => ({
    path: formatPath(root, segments),
    at: describePath(root, segments, input),
    message,
    segments: segments.filter((s): s is string | number => typeof s !== "symbol"),
    key: root,
  });
  const shapeProblems = shape.success
    ? []
    : shape.error.issues.flatMap((issue) =>
        issue.code === "unrecognized_keys"
          ? // One problem per unknown key, at the key itself, each with its own suggestion.
            issue.keys.map((key) =>
              located([...issue.path, key], unknownKeyMessage(key, knownKeys(schemaAt(issue.path, input)))),
            )
          : [located(issue.path, issueMessage(issue, input))],
      );
  const referenceProblems = checkReferences(shape.success ? shape.data : parsedParts(input)).map((issue) =>
    located(issue.path, issue.message),
  );
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

/** zod's defaults say "Invalid input"; say what was expected instead, and what was probably meant. */
function issueMessage(issue: ZodIssue, input: unknown): string {
  const given = valueAt(input, issue.path);
  const didYouMean = (options: readonly unknown[]) => {
    const strings = options.filter((o): o is string => typeof o === "string");
    const guess = typeof given === "string" ? closest(given, strings) : undefined;
    return guess === undefined ? "" : ` (did you mean "${guess}"?)`;
  };
  switch (issue.code) {
    case "invalid_type":
      // zod 4 does not keep the input on issues; its message says "received undefined" when absent.
      return /received undefined$/.test(issue.message)
        ? `is required (${issue.expected})`
        : `must be ${article(issue.expected)}`;
    case "invalid_value":
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}${didYouMean(issue.values)}`;
    case "invalid_union":
      if ("discriminator" in issue && issue.discriminator) {
        const options =
          ("options" in issue && Array.isArray(issue.options) ? issue.options : undefined) ??
          DISCRIMINATOR_VALUES[issue.discriminator] ??
          [];
        return options.length > 0
          ? `must be one of ${options.map((v: unknown) => JSON.stringify(v)).join(", ")}${didYouMean(options)}`
          : issue.message;
      }
      return issue.message;
    default: {
      // A union of names and a pattern (a column type) fails on the pattern: still suggest the names.
      const names = enumValues(schemaAt(issue.path, input));
      return `${issue.message}${names.length > 0 ? didYouMean(names) : ""}`;
    }
  }
}

function unknownKeyMessage(key: string, known: readonly string[]): string {
  const guess = closest(key, known);
  return `unknown field "${key}"${guess ? ` (did you mean "${guess}"?)` : known.length > 0 ? `; fields here: ${known.join(", ")}` : ""}`;
}

/** zod does not report a discriminated union's options, so name them here. */
const DISCRIMINATOR_VALUES: Record<string, readonly string[]> = {
  kind: ["cdc", "batch", "api", "event", "database"],
  rule: ["required", "format", "regex", "domain", "range"],
};

function article(expected: string): string {
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}
