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
