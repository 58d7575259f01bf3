import { runSimulation } from "@cloud-copilot/iam-simulate";
import type { Plan, PlanResource } from "../preview/plan";
import { LAYERS } from "../../components/naming";
import { PREVIEW_ACCOUNT_ID } from "../preview/mocks";

/**
 * Who can read and write which layer, decided by an IAM policy simulator over the plan's own policies:
 * each role's identity policies (inline and attached customer policies), each bucket's policy and each
 * key's policy. A read needs s3:GetObject on an object and kms:Decrypt of the layer's key through S3; a
 * write needs s3:PutObject under the layer's key and kms:GenerateDataKey through S3.
 */

export type Access = "read" | "write";

/** One storage location: a bucket, an object key prefix in it, and the key its objects are encrypted with. */
export interface Location {
  readonly label: string;
  readonly bucket: string;
  readonly prefix: string;
  readonly keyArn: string;
  readonly bucketPolicy?: unknown;
  readonly keyPolicy?: unknown;
}

export interface Principal {
  readonly label: string;
  readonly arn: string;
  readonly policies: { name: string; policy: unknown }[];
}

export interface MatrixCell {
  readonly principal: string;
  readonly location: string;
  readonly access: Access;
  readonly allowed: boolean;
  /** Which request decided a denial (the object call or the key call). */
  readonly deniedBy?: string;
}

export const REGION = "us-east-1";
const BUCKET = "aws:s3/bucket:Bucket";
const ENCRYPTION = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration";
const BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy";
const KEY = "aws:kms/key:Key";
const ROLE = "aws:iam/role:Role";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment";
const POLICY = "aws:iam/policy:Policy";

/** Every KMS-encrypted bucket of the plan (at its root), with its bucket and key policies. */
export function planLocations(plan: Plan): Location[] {
  const byUrn = new Map(plan.resources.map((r) => [r.urn, r]));
  const dependents = (target: PlanResource, type: string, input: string) =>
    plan.resources.filter((r) => r.type === type && (r.dependencies?.[input] ?? []).includes(target.urn));
  const locations: Location[] = [];
  for (const bucket of plan.resources.filter((r) => r.type === BUCKET)) {
    const encryption = dependents(bucket, ENCRYPTION, "bucket")[0];
    const rule = (
      encryption?.inputs.rules as
        { applyServerSideEncryptionByDefault?: { kmsMasterKeyId?: string } }[] | undefined
    )?.[0];
    const keyArn = rule?.applyServerSideEncryptionByDefault?.kmsMasterKeyId;
    if (typeof keyArn !== "string" || typeof bucket.inputs.bucket !== "string") continue;
    const key = (encryption?.dependencies?.rules ?? []).map((u) => byUrn.get(u)).find((r) => r?.type === KEY);
    const policy = dependents(bucket, BUCKET_POLICY, "bucket")[0];
    locations.push({
      label: bucket.name,
      bucket: bucket.inputs.bucket,
      prefix: "",
      keyArn,
      bucketPolicy: parse(policy?.inputs.policy),
      keyPolicy: parse(key?.inputs.policy),
    });
  }
  // Medallion order (raw → gold) reads best; anything else after, by name.
  const rank = (label: string) => {
    const i = LAYERS.findIndex((layer) => label.endsWith(`-${layer}`));
    return i === -1 ? LAYERS.length : i;
  };
  return locations.sort((a, b) => rank(a.label) - rank(b.label) || a.label.localeCompare(b.label));
}

/** Every role of the plan with its inline and attached customer-managed policies. */
export function planPrincipals(plan: Plan): Principal[] {
  const byUrn = new Map(plan.resources.map((r) => [r.urn, r]));
  return plan.resources
    .filter((r) => r.type === ROLE)
    .map((role) => {
      const name = typeof role.inputs.name === "string" ? role.inputs.name : role.name;
      const inline = plan.resources
        .filter((r) => r.type === ROLE_POLICY && (r.dependencies?.role ?? []).includes(role.urn))
        .map((r) => ({ name: r.name, policy: parse(r.inputs.policy) }));
      const embedded = (Array.isArray(role.inputs.inlinePolicies) ? role.inputs.inlinePolicies : []).map(
        (p: { name?: string; policy?: unknown }, i: number) => ({
          name: p.name ?? `inline-${i}`,
          policy: parse(p.policy),
        }),
      );
      const attached = plan.resources
        .filter((r) => r.type === ATTACHMENT && (r.dependencies?.role ?? []).includes(role.urn))
        .flatMap((a) => (a.dependencies?.policyArn ?? []).map((u) => byUrn.get(u)))
        .filter((p): p is PlanResource => p?.type === POLICY)
        .map((p) => ({ name: p.name, policy: parse(p.inputs.policy) }));
      return {
        label: role.name,
        arn: `arn:aws:iam::${PREVIEW_ACCOUNT_ID}:role/${name}`,
        policies: [...inline, ...embedded, ...attached].filter((p) => p.policy !== undefined),
      };
    });
}

/** Simulates read and write for every principal on every location. */
export async function accessMatrix(
  principals: readonly Principal[],
  locations: readonly Location[],
): Promise<MatrixCell[]> {
  const cells: MatrixCell[] = [];
  for (const principal of principals) {
    for (const location of locations) {
      for (const access of ["read", "write"] as const) {
        cells.push(await decide(principal, location, access));
      }
    }
  }
  return cells;
}

/** Simulates one read or write of one object of `location`. */
export async function decide(principal: Principal, location: Location, access: Access): Promise<MatrixCell> {
  const object = `arn:aws:s3:::${location.bucket}/${location.prefix}part-0000.parquet`;
  const viaS3 = { "kms:ViaService": `s3.${REGION}.amazonaws.com`, "kms:CallerAccount": PREVIEW_ACCOUNT_ID };
  const requests =
    access === "read"
      ? [
          {
            action: "s3:GetObject",
            resource: object,
            policy: location.bucketPolicy,
            context: { "aws:SecureTransport": "true" },
          },
          { action: "kms:Decrypt", resource: location.keyArn, policy: location.keyPolicy, context: viaS3 },
        ]
      : [
          {
            action: "s3:PutObject",
            resource: object,
            policy: location.bucketPolicy,
            context: {
              "aws:SecureTransport": "true",
              "s3:x-amz-server-side-encryption": "aws:kms",
              "s3:x-amz-server-side-encryption-aws-kms-key-id": location.keyArn,
            },
          },
          {
            action: "kms:GenerateDataKey",
            resource: location.keyArn,
            policy: location.keyPolicy,
            context: viaS3,
          },
        ];
  for (const request of requests) {
    if (!(await allows(principal, request.action, request.resource, request.policy, request.context))) {
      return {
        principal: principal.label,
        location: location.label,
        access,
        allowed: false,
        deniedBy: request.action,
      };
    }
  }
  return { principal: principal.label, location: location.label, access, allowed: true };
}

/**
 * Whether IAM allows `principal` one request, under its identity policies and the resource's policy (Strict
 * mode: a condition key the request does not carry fails its condition).
 */
export async function allows(
  principal: Principal,
  action: string,
  resource: string,
  resourcePolicy?: unknown,
  context: Record<string, string> = {},
): Promise<boolean> {
  const result = await runSimulation(
    {
      request: {
        principal: principal.arn,
        action,
        resource: { resource, accountId: PREVIEW_ACCOUNT_ID },
        contextVariables: {
          "aws:PrincipalArn": principal.arn,
          "aws:PrincipalAccount": PREVIEW_ACCOUNT_ID,
          "aws:RequestedRegion": REGION,
          ...context,
        },
      },
      identityPolicies: principal.policies,
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(resourcePolicy ? { resourcePolicy } : {}),
    },
    { simulationMode: "Strict" },
  );
  if (result.resultType === "error") {
    throw new Error(`simulating ${action} for ${principal.label}: ${result.errors.message}`);
  }
  return result.overallResult === "Allowed";
}

/** The matrix as a table: one row per principal, one column per location and access. */
export function formatMatrix(cells: readonly MatrixCell[]): string {
  const principals = [...new Set(cells.map((c) => c.principal))];
  const columns = [...new Set(cells.map((c) => `${c.location} ${c.access}`))];
  const cell = (p: string, column: string) => {
    const found = cells.find((c) => c.principal === p && `${c.location} ${c.access}` === column);
    return found?.allowed ? "allow" : "deny";
  };
  const header = ["principal", ...columns];
  const rows = principals.map((p) => [p, ...columns.map((c) => cell(p, c))]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (values: string[]) => `| ${values.map((v, i) => v.padEnd(widths[i])).join(" | ")} |`;
  return [line(header), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...rows.map(line)].join("\n");
}

function parse(value: unknown): unknown {
  if (typeof value !== "string") return value ?? undefined;
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}
