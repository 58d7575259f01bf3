import { RoleAssignment } from "@pulumi/azure-native/authorization/roleAssignment";
import * as pulumi from "@pulumi/pulumi";
import { roleDefinitionId, type RoleName } from "./perms";
import type { AzurePrincipal } from "./principal";

export interface RoleGrant {
  /** ARM ID of the resource the role applies to (a container, a table, a vault, an account). */
  readonly scope: pulumi.Input<string>;
  readonly role: RoleName;
  readonly principal: AzurePrincipal;
  readonly subscriptionId: pulumi.Input<string>;
  readonly description: string;
  /** An ABAC condition narrowing the role (version 2.0). @default none */
  readonly condition?: string;
}

/** One role assignment, named after the grant; the only way the components assign Azure roles. */
export function assignRole(
  name: string,
  grant: RoleGrant,
  opts: pulumi.CustomResourceOptions,
): RoleAssignment {
  return new RoleAssignment(
    name,
    {
      scope: grant.scope,
      principalId: grant.principal.principalId,
      principalType: grant.principal.principalType ?? "ServicePrincipal",
      roleDefinitionId: pulumi.output(grant.subscriptionId).apply((sub) => roleDefinitionId(sub, grant.role)),
      description: grant.description,
      ...(grant.condition ? { condition: grant.condition, conditionVersion: "2.0" } : {}),
    },
    opts,
  );
}

/**
 * Seconds to wait after a role assignment is created before something uses it: Azure RBAC changes can
 * take up to 10 minutes to apply, usually a minute or two (learn.microsoft.com/azure/role-based-access-control/
 * troubleshooting#symptom---role-assignment-changes-are-not-being-detected).
 */
export const ROLE_PROPAGATION_SECONDS = 120;

/** How long `afterPropagation` waits: nothing on preview (nothing is used then), the propagation time on `up`. */
export function propagationDelayMs(dryRun: boolean, seconds: number = ROLE_PROPAGATION_SECONDS): number {
  return dryRun ? 0 : seconds * 1000;
}

/**
 * A `dependsOn` that resolves once every role assignment exists and the propagation time has passed,
 * then lists them (and `others`): what depends on it is created only when the roles work.
 */
export function afterPropagation(
  roles: readonly RoleAssignment[],
  others: readonly pulumi.Resource[] = [],
  seconds: number = ROLE_PROPAGATION_SECONDS,
): pulumi.Output<pulumi.Resource[]> {
  return pulumi.all(roles.map((r) => r.id)).apply(async () => {
    const delay = propagationDelayMs(pulumi.runtime.isDryRun(), seconds);
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    return [...roles, ...others];
  });
}
