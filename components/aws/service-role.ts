import * as iam from "@pulumi/aws/iam";
import * as pulumi from "@pulumi/pulumi";

export interface ServiceRoleArgs {
  /** Physical role name (from naming.ts). */
  readonly roleName: string;
  /** The AWS service that assumes the role, e.g. `glue.amazonaws.com`. */
  readonly service: string;
  /** Only this account's use of the service may assume it (confused-deputy guard). */
  readonly accountId: pulumi.Input<string>;
  readonly description: string;
  readonly tags: Readonly<Record<string, string>>;
}

/** An IAM role a service assumes on this account's behalf; permissions are added as inline grants. */
export function serviceRole(name: string, args: ServiceRoleArgs, parent: pulumi.Resource): iam.Role {
  return new iam.Role(
    name,
    {
      name: args.roleName,
      description: args.description,
      assumeRolePolicy: pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Principal: { Service: args.service },
            Action: "sts:AssumeRole",
            Condition: { StringEquals: { "aws:SourceAccount": args.accountId } },
          },
        ],
      }),
      tags: { ...args.tags },
    },
    { parent },
  );
}
