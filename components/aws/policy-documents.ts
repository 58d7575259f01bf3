import * as pulumi from "@pulumi/pulumi";

/** An IAM policy statement with typed fields (a subset of the IAM grammar the components use). */
export interface Statement {
  readonly Sid?: string;
  readonly Effect: "Allow" | "Deny";
  readonly Principal?: "*" | Readonly<Record<string, pulumi.Input<string> | readonly pulumi.Input<string>[]>>;
  readonly Action: string | readonly string[];
  readonly Resource: pulumi.Input<string> | readonly pulumi.Input<string>[] | pulumi.Output<string[]>;
  readonly Condition?: Readonly<
    Record<string, Readonly<Record<string, pulumi.Input<string> | readonly pulumi.Input<string>[]>>>
  >;
}

/** Serialises a policy document whose fields may be Outputs; the result is what reviewers read in the plan. */
export function policyJson(statements: readonly Statement[]): pulumi.Output<string> {
  return pulumi.jsonStringify({ Version: "2012-10-17", Statement: statements });
}

/** Denies every request that does not use TLS (cdk-nag S10 / SNS3 / SQS4). */
export function denyInsecureTransport(action: string, resources: readonly pulumi.Input<string>[]): Statement {
  return {
    Sid: "DenyInsecureTransport",
    Effect: "Deny",
    Principal: "*",
    Action: action,
    Resource: resources,
    Condition: { Bool: { "aws:SecureTransport": "false" } },
  };
}
