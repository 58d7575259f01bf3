import type { Rule, RuleResource, StackView } from "../types";

const STATE_MACHINE = "aws:sfn/stateMachine:StateMachine";
const ROLE = "aws:iam/role:Role";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const ROLE_POLICY_ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment";
const LF_PERMISSIONS = "aws:lakeformation/permissions:Permissions";
const LF_RESOURCE = "aws:lakeformation/resource:Resource";
const LF_SETTINGS = "aws:lakeformation/dataLakeSettings:DataLakeSettings";
const DATABASE = "aws:glue/catalogDatabase:CatalogDatabase";

/** Every resource `resource` waits for, directly or through others: its inputs' sources and `dependsOn`. */
function waitsFor(stack: StackView, resource: RuleResource): Set<string> {
  const seen = new Set<string>();
  const pending = [resource];
  while (pending.length > 0) {
    const current = pending.pop()!;
    for (const urn of [...Object.values(current.dependencies).flat(), ...(current.dependsOn ?? [])]) {
      if (seen.has(urn)) continue;
      seen.add(urn);
      const next = stack.byUrn(urn);
      if (next) pending.push(next);
    }
  }
  return seen;
}

/** The resources that `input` of `resource` came from, of one type. */
function sources(stack: StackView, resource: RuleResource, input: string, type: string): RuleResource[] {
  return (resource.dependencies[input] ?? [])
    .map((urn) => stack.byUrn(urn))
    .filter((r): r is RuleResource => r?.type === type);
}

/**
 * Pairs the engine cannot order by itself, because nothing flows from one to the other: Pulumi creates them
 * in parallel and the cloud refuses the one that comes first.
 * - A state machine and its role's policies: CreateStateMachine checks that the role may deliver logs
 *   (https://docs.aws.amazon.com/step-functions/latest/dg/cw-logs.html#cloudwatch-iam-policy).
 * - A Lake Formation data-location grant and the registration of that location: GrantPermissions on an
 *   unregistered location fails (https://docs.aws.amazon.com/lake-formation/latest/dg/granting-location-permissions.html).
 * - A Glue database and the stack's data lake settings: a new database gets the `IAMAllowedPrincipals`
 *   grant the account's CreateDatabaseDefaultPermissions hold when it is created
 *   (https://docs.aws.amazon.com/lake-formation/latest/dg/change-settings.html), so it must wait for ours.
 */
export const deployOrder: Rule = {
  id: "medallion-deploy-order",
  kind: "stack",
  description:
    "Resources the cloud checks against each other at creation wait for them: a state machine for its role's policies, a Lake Formation data-location grant for the registration of its location, a Glue database for the stack's data lake settings.",
  sources: [{ source: "medallion", id: "DEPLOY-ORDER" }],
  enforcement: "mandatory",
  check(stack) {
    const problems: { urn: string; message: string }[] = [];
    for (const machine of stack.ofType(STATE_MACHINE)) {
      const waits = waitsFor(stack, machine);
      for (const role of sources(stack, machine, "roleArn", ROLE)) {
        const policies = [
          ...stack.dependents(role, ROLE_POLICY, "role"),
          ...stack.dependents(role, ROLE_POLICY_ATTACHMENT, "role"),
        ];
        for (const policy of policies.filter((p) => !waits.has(p.urn))) {
          problems.push({
            urn: machine.urn,
            message: `state machine ${machine.name} does not wait for ${policy.name}, a policy of its role ${role.name} (CreateStateMachine checks the role's log delivery permissions)`,
          });
        }
      }
    }
    const registrations = stack.ofType(LF_RESOURCE);
    for (const grant of stack.ofType(LF_PERMISSIONS)) {
      const location = grant.inputs.dataLocation as { arn?: unknown } | undefined;
      if (!location) continue;
      const waits = waitsFor(stack, grant);
      const locationSources = new Set(grant.dependencies["dataLocation"] ?? []);
      const registration = registrations.find(
        (r) =>
          (typeof location.arn === "string" && r.inputs.arn === location.arn) ||
          (r.dependencies["arn"] ?? []).some((urn) => locationSources.has(urn)),
      );
      if (!registration) {
        problems.push({
          urn: grant.urn,
          message: `Lake Formation grant ${grant.name} is on a data location no lakeformation.Resource of the stack registers`,
        });
      } else if (!waits.has(registration.urn)) {
        problems.push({
          urn: grant.urn,
          message: `Lake Formation grant ${grant.name} does not wait for ${registration.name}, the registration of its location`,
        });
      }
    }
    for (const settings of stack.ofType(LF_SETTINGS)) {
      for (const database of stack.ofType(DATABASE).filter((d) => !waitsFor(stack, d).has(settings.urn))) {
        problems.push({
          urn: database.urn,
          message: `Glue database ${database.name} does not wait for ${settings.name}, so whether it gets IAMAllowedPrincipals depends on creation order`,
        });
      }
    }
    return problems;
  },
};
