/**
 * The policy pack's own model, independent of how resources reach it: the offline plan
 * (`npm run policy`) and CrossGuard (`pulumi preview --policy-pack infra/policy`) both adapt to it.
 */

/** A resource as rules see it. */
export interface RuleResource {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  readonly parent?: string | null;
  readonly protect: boolean;
  /** Unknown (undefined) under CrossGuard, which does not pass it to policies. */
  readonly retainOnDelete?: boolean;
  /** Inputs (offline) or planned properties (CrossGuard); computed values may be absent. */
  readonly inputs: Readonly<Record<string, unknown>>;
  /** Input name → URNs of the resources its value came from. */
  readonly dependencies: Readonly<Record<string, readonly string[]>>;
  /** What it waits for beyond its inputs (`dependsOn`); absent in plans written before it was recorded. */
  readonly dependsOn?: readonly string[];
}

/** Settings rules may depend on. */
export interface RuleContext {
  /** The stack is a protected environment (spec `protect: true`). */
  readonly protectedEnvironment: boolean;
}

export type Enforcement = "mandatory" | "advisory";

/** A published rule a rule mirrors, e.g. `{ source: "cdk-nag AwsSolutions", id: "S1" }`. */
export interface Source {
  readonly source:
    | "cdk-nag AwsSolutions"
    | "Checkov"
    | "Azure Policy"
    | "PSRule for Azure"
    | "Microsoft Learn"
    | "medallion";
  readonly id: string;
}

interface RuleBase {
  /** Unique ID, e.g. `aws-s3-access-logs`. */
  readonly id: string;
  /** What the rule requires and why; the published IDs it mirrors are listed in `sources`. */
  readonly description: string;
  readonly sources: readonly Source[];
  readonly enforcement: Enforcement;
}

/** Checks one resource of the given types; returns one message per problem. */
export interface ResourceRule extends RuleBase {
  readonly kind: "resource";
  readonly types: readonly string[];
  check(resource: RuleResource, context: RuleContext): string[];
}

/** Checks relations between resources (a bucket and its policy, a queue and its DLQ). */
export interface StackRule extends RuleBase {
  readonly kind: "stack";
  check(stack: StackView, context: RuleContext): { urn: string; message: string }[];
}

export type Rule = ResourceRule | StackRule;

/** One violation, as printed and asserted. */
export interface Violation {
  readonly rule: string;
  readonly enforcement: Enforcement;
  readonly urn: string;
  readonly message: string;
}

/** Index over a stack's resources for stack rules. */
export interface StackView {
  readonly resources: readonly RuleResource[];
  ofType(type: string): RuleResource[];
  byUrn(urn: string): RuleResource | undefined;
  /** Resources of `type` whose input `input` depends on `target`. */
  dependents(target: RuleResource, type: string, input?: string): RuleResource[];
}
