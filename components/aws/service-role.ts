import * as iam from "@pulumi/aws/iam";
import * as pulumi from "@pulumi/pulumi";
import { SERVICE_TRUST, serviceTrustPolicy, type TrustContext, type TrustedUse } from "./service-trust";

export interface ServiceRoleArgs {
  /** Physical role name (from naming.ts). */
  readonly roleName: string;
  /**
   * The AWS service that assumes the role: a use of `SERVICE_TRUST` (`"glue"`), or its principal
   * (`glue.amazonaws.com`) when one use has that principal.
   */
  readonly service: TrustedUse | string;
  /** The role's account; its trust conditions are the ones the service documents (`SERVICE_TRUST`). */
  readonly accountId: pulumi.Input<string>;
  /** Partition and region, needed by services whose documented trust names an `aws:SourceArn`. */
  readonly context?: Omit<TrustContext, "accountId">;
  readonly description: string;
  readonly tags: Readonly<Record<string, string>>;
}

/** An IAM role a service assumes on this account's behalf; permissions are added as inline grants. */
export function serviceRole(name: string, args: ServiceRoleArgs, parent: pulumi.Resource): iam.Role {
  const use = trustedUse(name, args.service);
  const needsArn = (SERVICE_TRUST[use].keys as readonly string[]).includes("aws:SourceArn");
  if (needsArn && !args.context) {
    throw new Error(`${name}: context is required: ${args.service} is trusted on aws:SourceArn`);
  }
  const where = args.context ?? { partition: pulumi.output("aws"), region: pulumi.output("") };
  return new iam.Role(
    name,
    {
      name: args.roleName,
      description: args.description,
      assumeRolePolicy: serviceTrustPolicy(use, { ...where, accountId: pulumi.output(args.accountId) }),
      tags: { ...args.tags },
    },
    { parent },
  );
}

function trustedUse(name: string, service: string): TrustedUse {
  if (Object.hasOwn(SERVICE_TRUST, service)) return service as TrustedUse;
  const uses = (Object.keys(SERVICE_TRUST) as TrustedUse[]).filter(
    (u) => SERVICE_TRUST[u].principal === service,
  );
  if (uses.length !== 1) {
    throw new Error(
      `${name}: service ${service} must name one use of SERVICE_TRUST (${uses.length ? uses.join(", ") : "none has that principal"})`,
    );
  }
  return uses[0];
}
