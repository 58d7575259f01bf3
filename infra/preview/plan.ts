import type { CapturedResource } from "./harness";

/** The plan file: what a stack would create, for reviewers, diffs and the policy pack. */
export interface Plan {
  readonly project: string;
  readonly stack: string;
  /** Whether the stack is a protected environment (the spec's `protect`); policy rules depend on it. */
  readonly protected?: boolean;
  /**
   * The parsed lakehouse spec the stack was built from, for the diff's spec-level summary; absent in
   * plans of programs that are not built from one stack spec (and in plans written before it was recorded).
   */
  readonly spec?: unknown;
  readonly resources: PlanResource[];
}

/** A resource in the plan: exactly what the harness captured for it (inputs with keys sorted). */
export type PlanResource = CapturedResource;

/** Builds a plan with resources sorted by URN, so the same program always writes the same file. */
export function buildPlan(
  project: string,
  stack: string,
  resources: readonly CapturedResource[],
  isProtected = false,
  spec?: unknown,
): Plan {
  return {
    project,
    stack,
    protected: isProtected,
    ...(spec === undefined ? {} : { spec }),
    resources: [...resources]
      .sort((a, b) => (a.urn < b.urn ? -1 : a.urn > b.urn ? 1 : 0))
      .map((r) => ({
        urn: r.urn,
        type: r.type,
        name: r.name,
        parent: r.parent,
        custom: r.custom,
        protect: r.protect,
        retainOnDelete: r.retainOnDelete,
        inputs: sortKeys(r.inputs) as Record<string, unknown>,
        dependencies: r.dependencies,
        dependsOn: r.dependsOn,
        ...(r.aliases ? { aliases: r.aliases } : {}),
      })),
  };
}

/** Parses a plan file, refusing anything that is not one. */
export function parsePlan(text: string, source: string): Plan {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`${source} is not JSON: ${(error as Error).message}`, { cause: error });
  }
  const plan = value as Partial<Plan>;
  if (!plan || typeof plan !== "object" || !Array.isArray(plan.resources) || typeof plan.stack !== "string") {
    throw new Error(`${source} is not a plan (expected { project, stack, resources: [...] })`);
  }
  return plan as Plan;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}
