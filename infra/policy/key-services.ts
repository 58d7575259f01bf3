import { runSimulation } from "@cloud-copilot/iam-simulate";
import type { Plan, PlanResource } from "../preview/plan";
import { PREVIEW_ACCOUNT_ID } from "../preview/mocks";

/**
 * Does every AWS service that encrypts with a customer key get what it needs from that key's policy?
 * The mocks accept any key policy, and a real `pulumi up` fails (or, worse, a service silently stops
 * delivering) when the key refuses the service. Each use of a key by a service is turned into the KMS
 * requests the service's documentation says it makes, and an IAM policy simulator decides each one
 * against the plan's key policy, with the service principal and the context the service sends.
 */

export interface KeyServiceUse {
  /** What encrypts: a log group, a topic, ... */
  readonly user: string;
  /** The plan resource of the key. */
  readonly key: string;
  readonly service: string;
  readonly requests: readonly KmsRequest[];
}

export interface KmsRequest {
  readonly action: string;
  /** The request's `kms:EncryptionContext:*` keys. */
  readonly context: Readonly<Record<string, string>>;
  /** Global keys the service sends (aws:SourceAccount, ...). @default none */
  readonly sourceContext?: Readonly<Record<string, string>>;
}

export interface KeyServiceFinding {
  readonly urn: string;
  readonly message: string;
}

const REGION = "us-east-1";
const KEY = "aws:kms/key:Key";
const LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup";
const TOPIC = "aws:sns/topic:Topic";
const TOPIC_POLICY = "aws:sns/topicPolicy:TopicPolicy";

/**
 * The context a publishing service's KMS calls carry when SNS encrypts its message under the topic's key
 * (GenerateDataKey, Decrypt: https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html). CloudWatch
 * alarms name their account; EventBridge's calls carry no aws:SourceAccount (issue 13 item 8, from the
 * SNS/EventBridge guides), so a key statement conditioned on it refuses every EventBridge alert. A service
 * not listed here is simulated with no source keys, which errs towards refusing.
 */
const PUBLISHER_CONTEXT: Record<string, Record<string, string>> = {
  "cloudwatch.amazonaws.com": { "aws:SourceAccount": PREVIEW_ACCOUNT_ID },
  "events.amazonaws.com": {},
  // Budgets: no document found on what its calls through SNS carry, so simulated with none (errs to refusing).
  "budgets.amazonaws.com": {},
};
const SNS_PUBLISH_KMS_ACTIONS = ["kms:GenerateDataKey", "kms:Decrypt"] as const;

/**
 * The KMS calls CloudWatch Logs makes for a log group encrypted with a customer key: the key policy must
 * allow `kms:Encrypt*`, `kms:Decrypt*`, `kms:ReEncrypt*`, `kms:GenerateDataKey*` and `kms:Describe*` to
 * `logs.<region>.amazonaws.com`, with the log group's ARN as encryption context
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html, "Step 2").
 */
export const LOGS_KMS_ACTIONS = [
  "kms:Encrypt",
  "kms:Decrypt",
  "kms:ReEncryptFrom",
  "kms:ReEncryptTo",
  "kms:GenerateDataKey",
  "kms:GenerateDataKeyWithoutPlaintext",
  "kms:DescribeKey",
] as const;

/** Every use of one of the plan's keys by a service, with the requests that use makes. */
export function keyServiceUses(plan: Plan): KeyServiceUse[] {
  const byUrn = new Map(plan.resources.map((r) => [r.urn, r]));
  const keyOf = (resource: PlanResource, input: string): PlanResource | undefined =>
    (resource.dependencies?.[input] ?? []).map((u) => byUrn.get(u)).find((r) => r?.type === KEY);
  const uses: KeyServiceUse[] = [];
  for (const group of plan.resources.filter((r) => r.type === LOG_GROUP)) {
    const key = keyOf(group, "kmsKeyId");
    if (!key || typeof group.inputs.name !== "string") continue;
    const arn = `arn:aws:logs:${REGION}:${PREVIEW_ACCOUNT_ID}:log-group:${group.inputs.name}`;
    uses.push({
      user: group.urn,
      key: key.urn,
      service: `logs.${REGION}.amazonaws.com`,
      requests: LOGS_KMS_ACTIONS.map((action) => ({
        action,
        context: { "kms:EncryptionContext:aws:logs:arn": arn },
      })),
    });
  }
  for (const topic of plan.resources.filter((r) => r.type === TOPIC)) {
    const key = keyOf(topic, "kmsMasterKeyId");
    if (!key) continue;
    const policies = plan.resources.filter(
      (r) => r.type === TOPIC_POLICY && (r.dependencies?.arn ?? []).includes(topic.urn),
    );
    for (const service of publishers(policies)) {
      uses.push({
        user: topic.urn,
        key: key.urn,
        service,
        requests: SNS_PUBLISH_KMS_ACTIONS.map((action) => ({
          action,
          sourceContext: PUBLISHER_CONTEXT[service] ?? {},
          context: {},
        })),
      });
    }
  }
  return uses;
}

/** The services a topic's policies allow to publish. */
function publishers(policies: readonly PlanResource[]): string[] {
  const services = new Set<string>();
  for (const policy of policies) {
    const document = parsePolicy(policy.inputs.policy) as { Statement?: unknown } | undefined;
    const statements = Array.isArray(document?.Statement) ? document.Statement : [document?.Statement];
    for (const statement of statements as { Effect?: string; Principal?: { Service?: unknown } }[]) {
      if (statement?.Effect !== "Allow") continue;
      const service = statement.Principal?.Service;
      for (const s of Array.isArray(service) ? service : [service])
        if (typeof s === "string") services.add(s);
    }
  }
  return [...services].sort();
}

/** One finding per use whose key policy refuses a request the service makes. */
export async function checkKeyServices(plan: Plan): Promise<KeyServiceFinding[]> {
  const byUrn = new Map(plan.resources.map((r) => [r.urn, r]));
  const findings: KeyServiceFinding[] = [];
  for (const use of keyServiceUses(plan)) {
    const key = byUrn.get(use.key)!;
    const policy = parsePolicy(key.inputs.policy);
    const keyArn = typeof key.inputs.arn === "string" ? key.inputs.arn : keyArnOf(key);
    const refused: string[] = [];
    for (const request of use.requests) {
      const allowed = policy !== undefined && (await serviceMayCall(use.service, request, keyArn, policy));
      if (!allowed) refused.push(request.action);
    }
    if (refused.length > 0) {
      findings.push({
        urn: use.user,
        message: `${byUrn.get(use.user)?.name ?? use.user} is encrypted with ${key.name}, whose key policy refuses ${use.service}: ${refused.join(", ")}`,
      });
    }
  }
  return findings;
}

async function serviceMayCall(
  service: string,
  request: KmsRequest,
  keyArn: string,
  policy: unknown,
): Promise<boolean> {
  const result = await runSimulation(
    {
      request: {
        principal: service,
        action: request.action,
        resource: { resource: keyArn, accountId: PREVIEW_ACCOUNT_ID },
        contextVariables: { "aws:RequestedRegion": REGION, ...request.sourceContext },
      },
      identityPolicies: [],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: withEncryptionContextDecided(policy, request.context),
    },
    { simulationMode: "Strict" },
  );
  if (result.resultType === "error") {
    throw new Error(`simulating ${request.action} for ${service}: ${result.errors.message}`);
  }
  return result.overallResult === "Allowed";
}

const ENCRYPTION_CONTEXT = /^kms:encryptioncontext:(.+)$/i;
const STRING_OPERATORS: Record<string, (pattern: string, value: string) => boolean> = {
  StringEquals: (p, v) => p === v,
  ArnEquals: (p, v) => p === v,
  StringLike: (p, v) => glob(p).test(v),
  ArnLike: (p, v) => glob(p).test(v),
};

/**
 * The simulator (iam-simulate 0.1.x) cannot match `kms:EncryptionContext:<key>` condition keys, whose
 * variable part holds colons (`aws:logs:arn`): it reports them missing. So those conditions are decided
 * here, against the request's encryption context, with IAM's semantics for the operators keys use (a
 * missing context key fails a positive operator); a statement whose context condition holds keeps its
 * other conditions for the simulator, one whose condition fails is dropped. An operator not handled here
 * leaves the statement out, so the check errs towards refusing.
 */
function withEncryptionContextDecided(policy: unknown, context: Readonly<Record<string, string>>): unknown {
  const document = policy as { Statement?: unknown };
  const statements = Array.isArray(document.Statement) ? document.Statement : [document.Statement];
  const kept = statements.flatMap((statement: { Condition?: Record<string, Record<string, unknown>> }) => {
    if (!statement?.Condition) return [statement];
    const condition: Record<string, Record<string, unknown>> = {};
    for (const [operator, entries] of Object.entries(statement.Condition)) {
      for (const [key, expected] of Object.entries(entries)) {
        const match = ENCRYPTION_CONTEXT.exec(key);
        if (!match) {
          condition[operator] = { ...condition[operator], [key]: expected };
          continue;
        }
        const test = STRING_OPERATORS[operator];
        const value = Object.entries(context).find(([k]) => k.toLowerCase() === key.toLowerCase())?.[1];
        const patterns = Array.isArray(expected) ? expected : [expected];
        if (!test || value === undefined || !patterns.some((p) => test(String(p), value))) return [];
      }
    }
    return [{ ...statement, Condition: condition }];
  });
  return { ...document, Statement: kept };
}

/** IAM's `*` and `?` wildcards as a regular expression. */
function glob(pattern: string): RegExp {
  const escaped = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${escaped}$`);
}

function keyArnOf(key: PlanResource): string {
  return `arn:aws:kms:${REGION}:${PREVIEW_ACCOUNT_ID}:key/${key.name}`;
}

function parsePolicy(value: unknown): unknown {
  if (typeof value !== "string") return undefined;
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}
