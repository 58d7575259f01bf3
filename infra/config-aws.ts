import type { ConfigLookup } from "./config";
import type { ConfigProblem } from "../components/spec";

/** The keys an AWS stack needs beyond the spec and `aws:region`. */
export interface AwsStackSettings {
  /**
   * `medallion:lakeFormationAdmins`: the IAM roles and users that must be Lake Formation administrators
   * of the account. `DataLakeSettings` replaces the account's whole admin list, so this is every admin
   * the account keeps (the deploying identity is added to it).
   */
  readonly lakeFormationAdmins: readonly string[];
  /**
   * `medallion:converterNetwork`: private subnets and security groups the Fargate converter runs in
   * (reaching ECR, CloudWatch Logs, S3 and DynamoDB through endpoints or NAT).
   * @default a small VPC of the stack with the endpoints the task needs
   */
  readonly converterNetwork?: { readonly subnetIds: string[]; readonly securityGroupIds: string[] };
  /**
   * `medallion:databaseNetwork`: subnets and security groups that reach the source databases (spec
   * `source.kind: database`); the database pulls run there, and the subnets need routes (endpoints or NAT)
   * to S3, DynamoDB, Secrets Manager, CloudWatch Logs and STS. Required when the spec has database pulls.
   */
  readonly databaseNetwork?: { readonly subnetIds: string[]; readonly securityGroupIds: string[] };
}

const ADMINS_KEY = "medallion:lakeFormationAdmins";
const NETWORK_KEY = "medallion:converterNetwork";
const DATABASE_NETWORK_KEY = "medallion:databaseNetwork";

/**
 * An IAM role or user ARN as Lake Formation accepts admins (the path kept: SSO roles live under
 * `/aws-reserved/sso.amazonaws.com/`). STS session ARNs and groups are not principals Lake Formation takes.
 */
const IAM_PRINCIPAL_ARN = /^arn:aws[a-z-]*:iam::\d{12}:(role|user)\/([\w+=,.@-]+\/)*[\w+=,.@-]+$/;
const SUBNET_ID = /^subnet-[0-9a-f]{8,17}$/;
const SECURITY_GROUP_ID = /^sg-[0-9a-f]{8,17}$/;

/**
 * Reads and validates the AWS-only keys; every problem goes to `problems`. `needsDatabaseNetwork`: the spec
 * has database pulls, so `medallion:databaseNetwork` is required.
 */
export function readAwsSettings(
  lookup: ConfigLookup,
  problems: ConfigProblem[],
  needsDatabaseNetwork = false,
): AwsStackSettings {
  const admins = parseList(lookup, ADMINS_KEY, problems);
  if (admins === undefined) {
    problems.push({
      path: ADMINS_KEY,
      message:
        "is required when medallion:cloud is aws: every IAM role/user ARN that must stay a Lake Formation admin of the account (the list replaces the account's admins)",
    });
  } else if (admins !== null && admins.length === 0) {
    problems.push({ path: ADMINS_KEY, message: "must name at least one IAM role or user ARN" });
  }
  (admins ?? []).forEach((arn, i) => {
    if (typeof arn !== "string" || !IAM_PRINCIPAL_ARN.test(arn))
      problems.push({
        path: `${ADMINS_KEY}[${i}]`,
        message: `must be an IAM role or user ARN with its path (arn:aws:iam::<account>:role/<path>/<name>), got ${JSON.stringify(arn)}`,
      });
  });
  const converterNetwork = readNetwork(lookup, NETWORK_KEY, problems);
  const databaseNetwork = readNetwork(lookup, DATABASE_NETWORK_KEY, problems);
  if (needsDatabaseNetwork && lookup(DATABASE_NETWORK_KEY) === undefined)
    problems.push({
      path: DATABASE_NETWORK_KEY,
      message:
        "is required when the spec has database pulls: { subnetIds, securityGroupIds } that reach the databases",
    });
  return {
    lakeFormationAdmins: (admins ?? []).filter((a): a is string => typeof a === "string"),
    ...(converterNetwork ? { converterNetwork } : {}),
    ...(databaseNetwork ? { databaseNetwork } : {}),
  };
}

function readNetwork(
  lookup: ConfigLookup,
  NETWORK_KEY: string,
  problems: ConfigProblem[],
): { subnetIds: string[]; securityGroupIds: string[] } | undefined {
  const raw = lookup(NETWORK_KEY);
  if (raw === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    value = undefined;
  }
  if (!value || typeof value !== "object" || Array.isArray(value)) {
    problems.push({ path: NETWORK_KEY, message: "must be an object { subnetIds, securityGroupIds }" });
    return undefined;
  }
  const { subnetIds, securityGroupIds } = value as { subnetIds?: unknown; securityGroupIds?: unknown };
  const ids = (field: string, list: unknown, pattern: RegExp): string[] | undefined => {
    if (!Array.isArray(list) || list.length === 0) {
      problems.push({ path: `${NETWORK_KEY}.${field}`, message: "must be a non-empty list of IDs" });
      return undefined;
    }
    list.forEach((id, i) => {
      if (typeof id !== "string" || !pattern.test(id))
        problems.push({
          path: `${NETWORK_KEY}.${field}[${i}]`,
          message: `is not an ID, got ${JSON.stringify(id)}`,
        });
    });
    return list as string[];
  };
  const subnets = ids("subnetIds", subnetIds, SUBNET_ID);
  const groups = ids("securityGroupIds", securityGroupIds, SECURITY_GROUP_ID);
  return subnets && groups ? { subnetIds: subnets, securityGroupIds: groups } : undefined;
}

/** The list under `key`: undefined when absent, null (problem reported) when not a list. */
function parseList(
  lookup: ConfigLookup,
  key: string,
  problems: ConfigProblem[],
): unknown[] | null | undefined {
  const raw = lookup(key);
  if (raw === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(raw);
    if (Array.isArray(value)) return value;
  } catch {
    // reported below
  }
  problems.push({ path: key, message: "must be a YAML list" });
  return null;
}
