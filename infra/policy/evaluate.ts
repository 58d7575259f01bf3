import type { Plan, PlanResource } from "../preview/plan";
import { RULES } from "./rules";
import { stackView } from "./stack-view";
import type { Rule, RuleContext, RuleResource, Violation } from "./types";

/** Runs rules over a stack's resources; violations in rule order, then resource order. */
export function evaluate(
  resources: readonly RuleResource[],
  context: RuleContext,
  rules: readonly Rule[] = RULES,
): Violation[] {
  const view = stackView(resources);
  const violations: Violation[] = [];
  for (const rule of rules) {
    const found =
      rule.kind === "resource"
        ? resources
            .filter((r) => rule.types.includes(r.type))
            .flatMap((r) => rule.check(r, context).map((message) => ({ urn: r.urn, message })))
        : rule.check(view, context);
    for (const v of found)
      violations.push({ rule: rule.id, enforcement: rule.enforcement, urn: v.urn, message: v.message });
  }
  return violations;
}

/** The plan's resources as rules see them. */
export function planResources(plan: Plan): RuleResource[] {
  return plan.resources.map((r: PlanResource) => ({
    urn: r.urn,
    type: r.type,
    name: r.name,
    parent: r.parent,
    protect: r.protect,
    retainOnDelete: r.retainOnDelete,
    inputs: r.inputs,
    dependencies: r.dependencies ?? {},
    dependsOn: r.dependsOn ?? [],
  }));
}

/** Evaluates a whole plan with its own protection setting (overridable). */
export function evaluatePlan(plan: Plan, protectedEnvironment = plan.protected ?? false): Violation[] {
  return evaluate(planResources(plan), { protectedEnvironment });
}

/** One line per violation: `[mandatory] rule-id  resource  message`. */
export function formatViolations(violations: readonly Violation[]): string {
  return violations
    .map((v) => `[${v.enforcement}] ${v.rule}  ${v.urn.split("::").slice(-2).join("::")}\n    ${v.message}`)
    .join("\n");
}
