import { asList, at, jsonInput, statementsOf } from "../stack-view";
import type { Rule, RuleResource } from "../types";

const ATTACHMENTS = [
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
  "aws:iam/policyAttachment:PolicyAttachment",
  "aws:iam/userPolicyAttachment:UserPolicyAttachment",
  "aws:iam/groupPolicyAttachment:GroupPolicyAttachment",
];
const POLICY_DOCUMENTS = [
  "aws:iam/rolePolicy:RolePolicy",
  "aws:iam/policy:Policy",
  "aws:iam/userPolicy:UserPolicy",
  "aws:iam/groupPolicy:GroupPolicy",
];
const ROLE = "aws:iam/role:Role";
const AWS_MANAGED = /^arn:aws[a-z-]*:iam::aws:policy\//;

/**
 * Actions that support no resource-level permissions, so `"Resource": "*"` is the only way to grant
 * them. Kept explicit (and checked against IAM's service reference in the tests) rather than guessed.
 */
export const WILDCARD_ONLY_ACTIONS = new Set([
  "xray:PutTraceSegments",
  "xray:PutTelemetryRecords",
  "xray:GetSamplingRules",
  "xray:GetSamplingTargets",
  "logs:CreateLogDelivery",
  "logs:GetLogDelivery",
  "logs:UpdateLogDelivery",
  "logs:DeleteLogDelivery",
  "logs:ListLogDeliveries",
  "logs:PutResourcePolicy",
  "logs:DescribeResourcePolicies",
  "logs:DescribeLogGroups",
  "ecr:GetAuthorizationToken",
  "glue:GetSecurityConfiguration",
  "glue:GetSecurityConfigurations",
  "lakeformation:GetDataAccess",
  // EC2's Describe actions take no resource types (Service Authorization Reference, Amazon EC2).
  "ec2:DescribeNetworkInterfaces",
  "ec2:DescribeSubnets",
]);

/**
 * Actions whose resource types are all optional: a request naming none of them (CloudWatch PutMetricData
 * without an OTLP dataset, as Glue's job metrics are) matches only `"*"`. Allowed on `"*"` only when a
 * condition key of the action's own service scopes the statement (`cloudwatch:namespace`).
 */
export const OPTIONAL_RESOURCE_ACTIONS = new Set(["cloudwatch:PutMetricData"]);

/** Wildcards that name one container and address what is inside it: objects, log streams, tables, executions. */
const SCOPED_WILDCARDS = [
  /^arn:aws[a-z-]*:s3:::[^*/]+\/[^*]*\*$/, // objects of one bucket (under a prefix)
  /^arn:aws[a-z-]*:logs:[^:*]+:\d{12}:log-group:[^*:]+:(log-stream:)?\*$/, // streams of one log group
  /^arn:aws[a-z-]*:glue:[^:*]+:\d{12}:(table|userDefinedFunction)\/[^*/]+\/\*$/, // tables of one database
  /^arn:aws[a-z-]*:states:[^:*]+:\d{12}:execution:[^*:]+:\*$/, // executions of one state machine
  /^arn:aws[a-z-]*:dynamodb:[^:*]+:\d{12}:table\/[^*/]+\/index\/\*$/, // indexes of one table
  /^arn:aws[a-z-]*:lambda:[^:*]+:\d{12}:function:[^*:]+:\*$/, // versions and aliases of one function
  /^arn:aws[a-z-]*:ecs:[^:*]+:\d{12}:task-definition\/[^*:/]+:\*$/, // revisions of one task family
  /^arn:aws[a-z-]*:ecs:[^:*]+:\d{12}:task\/[^*/]+\/\*$/, // tasks of one cluster
  // Network interfaces Lambda creates for a VPC function: their IDs exist only once created.
  /^arn:aws[a-z-]*:ec2:[^:*]+:\d{12}:network-interface\/\*$/,
];

export const noAwsManagedPolicies: Rule = {
  id: "aws-iam-no-managed-policies",
  kind: "stack",
  description:
    "No AWS-managed policy is attached to any principal: their permissions are broad and change without review. Mirrors cdk-nag AwsSolutions-IAM4.",
  sources: [{ source: "cdk-nag AwsSolutions", id: "IAM4" }],
  enforcement: "mandatory",
  check(stack) {
    const out: { urn: string; message: string }[] = [];
    for (const type of ATTACHMENTS) {
      for (const attachment of stack.ofType(type)) {
        const arn = attachment.inputs.policyArn;
        if (typeof arn === "string" && AWS_MANAGED.test(arn)) {
          out.push({
            urn: attachment.urn,
            message: `${attachment.name} attaches the AWS-managed policy ${arn}`,
          });
        }
      }
    }
    for (const role of stack.ofType(ROLE)) {
      for (const arn of asList(role.inputs.managedPolicyArns).filter((a) => AWS_MANAGED.test(a))) {
        out.push({ urn: role.urn, message: `role ${role.name} attaches the AWS-managed policy ${arn}` });
      }
    }
    return out;
  },
};

export const noWildcardPermissions: Rule = {
  id: "aws-iam-no-wildcards",
  kind: "resource",
  types: [...POLICY_DOCUMENTS, ROLE],
  description:
    'No identity policy allows wildcard actions ("s3:*", "s3:Get*", NotAction), "*" resources for actions that support resource-level permissions, or wildcard data resources beyond one named container (objects of one bucket, tables of one database, streams of one log group). Mirrors cdk-nag AwsSolutions-IAM5 and Checkov CKV_AWS_355/CKV_AWS_290.',
  sources: [
    { source: "cdk-nag AwsSolutions", id: "IAM5" },
    { source: "Checkov", id: "CKV_AWS_355" },
  ],
  enforcement: "mandatory",
  check(resource) {
    const documents =
      resource.type === ROLE
        ? (Array.isArray(resource.inputs.inlinePolicies) ? resource.inputs.inlinePolicies : []).map((p) =>
            parse(at(p, "policy")),
          )
        : [jsonInput(resource, "policy")];
    return documents.flatMap((document) => statementProblems(resource, document));
  },
};

function parse(value: unknown): unknown {
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}

function statementProblems(resource: RuleResource, document: unknown): string[] {
  const problems: string[] = [];
  statementsOf(document).forEach((statement, index) => {
    if (statement.Effect !== "Allow") return;
    const label = `policy ${resource.name} statement ${typeof statement.Sid === "string" ? statement.Sid : index}`;
    if (statement.NotAction !== undefined)
      problems.push(`${label} allows NotAction, which grants everything else`);
    if (statement.NotResource !== undefined)
      problems.push(`${label} allows NotResource, which grants everything else`);
    const actions = asList(statement.Action);
    for (const action of actions.filter((a) => a.includes("*") || a.includes("?"))) {
      problems.push(`${label} allows wildcard action "${action}"`);
    }
    for (const resourceArn of asList(statement.Resource)) {
      if (resourceArn === "*") {
        const scoped = actions.filter(
          (a) =>
            !WILDCARD_ONLY_ACTIONS.has(a) &&
            !(OPTIONAL_RESOURCE_ACTIONS.has(a) && hasServiceCondition(statement.Condition, a)),
        );
        if (scoped.length > 0)
          problems.push(
            `${label} allows "*" resources for ${scoped.join(", ")}, which support resource-level permissions`,
          );
      } else if (
        resourceArn.includes("*") &&
        !SCOPED_WILDCARDS.some((pattern) => pattern.test(resourceArn))
      ) {
        problems.push(`${label} allows wildcard data resource "${resourceArn}"`);
      }
    }
  });
  return problems;
}

/** Whether a statement's condition uses a key of the action's service (`cloudwatch:namespace` for `cloudwatch:…`). */
function hasServiceCondition(condition: unknown, action: string): boolean {
  const service = `${action.split(":")[0]}:`.toLowerCase();
  if (typeof condition !== "object" || condition === null) return false;
  return Object.values(condition).some(
    (entries) =>
      typeof entries === "object" &&
      entries !== null &&
      Object.keys(entries).some((k) => k.toLowerCase().startsWith(service)),
  );
}

/** IAM's quotas (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html), white space not counted. */
export const IAM_ROLE_INLINE_POLICY_CHARACTERS = 10_240;
export const IAM_MANAGED_POLICY_CHARACTERS = 6_144;

/** A policy's size as IAM counts it: its characters without white space. */
function policySize(document: unknown): number {
  const text = typeof document === "string" ? document : JSON.stringify(document ?? "");
  return text.replace(/\s/g, "").length;
}

export const iamPolicySize: Rule = {
  id: "aws-iam-policy-size",
  kind: "stack",
  description:
    "Every role's inline policies together fit IAM's 10,240-character quota and every managed policy its 6,144 characters (white space not counted), so a bigger spec cannot fail at `pulumi up` with LimitExceeded.",
  sources: [{ source: "medallion", id: "IAM-SIZE" }],
  enforcement: "mandatory",
  check(stack) {
    const out: { urn: string; message: string }[] = [];
    for (const role of stack.ofType(ROLE)) {
      const embedded = (Array.isArray(role.inputs.inlinePolicies) ? role.inputs.inlinePolicies : []).map(
        (p) => at(p, "policy"),
      );
      const attached = stack
        .dependents(role, "aws:iam/rolePolicy:RolePolicy", "role")
        .map((p) => p.inputs.policy);
      const size = [...embedded, ...attached].reduce((sum: number, p) => sum + policySize(p), 0);
      if (size > IAM_ROLE_INLINE_POLICY_CHARACTERS) {
        out.push({
          urn: role.urn,
          message: `role ${role.name} has ${size} characters of inline policies; IAM allows ${IAM_ROLE_INLINE_POLICY_CHARACTERS}`,
        });
      }
    }
    for (const policy of stack.ofType("aws:iam/policy:Policy")) {
      const size = policySize(policy.inputs.policy);
      if (size > IAM_MANAGED_POLICY_CHARACTERS) {
        out.push({
          urn: policy.urn,
          message: `managed policy ${policy.name} has ${size} characters; IAM allows ${IAM_MANAGED_POLICY_CHARACTERS}`,
        });
      }
    }
    return out;
  },
};
