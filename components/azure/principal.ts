import type * as pulumi from "@pulumi/pulumi";

/** A Microsoft Entra principal that role assignments attach to. */
export interface AzurePrincipal {
  /** Short stable name used in the assignment's logical name (e.g. `ingestion`). */
  readonly name: string;
  /** Object ID of the service principal, managed identity, group or user. */
  readonly principalId: pulumi.Input<string>;
  /** @default "ServicePrincipal" (managed identities are service principals) */
  readonly principalType?: "ServicePrincipal" | "Group" | "User";
}
