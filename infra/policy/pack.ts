import type {
  PolicyResource,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationPolicy,
} from "@pulumi/policy";
import { RULES } from "./rules";
import { stackView } from "./stack-view";
import type { Rule, RuleContext, RuleResource } from "./types";

/** Policy config for `pulumi preview --policy-pack infra/policy --policy-pack-config <file>`. */
export interface PackConfig {
  /** Apply the protected-environment rules (set for prod stacks). @default false */
  readonly protectedEnvironment?: boolean;
}

const CONFIG_SCHEMA = {
  properties: { protectedEnvironment: { type: "boolean" as const, default: false } },
};

/** The rules as CrossGuard policies; `index.ts` builds the PolicyPack from them. */
export function crossGuardPolicies(
  rules: readonly Rule[] = RULES,
): (ResourceValidationPolicy | StackValidationPolicy)[] {
  return rules.map((rule) =>
    rule.kind === "resource"
      ? {
          name: rule.id,
          description: `${rule.description} [${rule.sources.map((s) => `${s.source} ${s.id}`).join("; ")}]`,
          enforcementLevel: rule.enforcement,
          configSchema: CONFIG_SCHEMA,
          validateResource: (
            args: ResourceValidationArgs,
            reportViolation: (message: string, urn?: string) => void,
          ) => {
            if (!rule.types.includes(args.type)) return;
            const context: RuleContext = {
              protectedEnvironment: args.getConfig<PackConfig>().protectedEnvironment ?? false,
            };
            for (const message of rule.check(fromCrossGuard(args), context)) reportViolation(message);
          },
        }
      : {
          name: rule.id,
          description: `${rule.description} [${rule.sources.map((s) => `${s.source} ${s.id}`).join("; ")}]`,
          enforcementLevel: rule.enforcement,
          configSchema: CONFIG_SCHEMA,
          validateStack: (args, reportViolation) => {
            const context: RuleContext = {
              protectedEnvironment: args.getConfig<PackConfig>().protectedEnvironment ?? false,
            };
            for (const v of rule.check(stackView(args.resources.map(fromCrossGuard)), context))
              reportViolation(v.message, v.urn);
          },
        },
  );
}

/** CrossGuard's view of a resource, adapted: planned properties as inputs, dependencies as URNs. */
export function fromCrossGuard(resource: PolicyResource | ResourceValidationArgs): RuleResource {
  const dependencies: Record<string, string[]> =
    "propertyDependencies" in resource
      ? Object.fromEntries(
          Object.entries(resource.propertyDependencies).map(([k, rs]) => [k, rs.map((r) => r.urn)]),
        )
      : {};
  const fromInputs = new Set(Object.values(dependencies).flat());
  const dependsOn =
    "dependencies" in resource
      ? resource.dependencies.map((r) => r.urn).filter((urn) => !fromInputs.has(urn))
      : [];
  return {
    urn: resource.urn,
    type: resource.type,
    name: resource.name,
    parent: resource.opts.parent ?? null,
    protect: resource.opts.protect,
    // CrossGuard does not pass retainOnDelete; rules treat undefined as unknown.
    inputs: resource.props,
    dependencies,
    dependsOn,
  };
}
