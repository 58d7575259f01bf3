import { at, deniesInsecureTransport, jsonInput, statementsOf } from "../stack-view";
import type { Rule, RuleResource, StackView } from "../types";

const QUEUE = "aws:sqs/queue:Queue";
const QUEUE_POLICY = "aws:sqs/queuePolicy:QueuePolicy";
const TOPIC = "aws:sns/topic:Topic";
const TOPIC_POLICY = "aws:sns/topicPolicy:TopicPolicy";
const EVENT_SOURCE_MAPPING = "aws:lambda/eventSourceMapping:EventSourceMapping";
const FUNCTION = "aws:lambda/function:Function";
const SCHEDULE = "aws:scheduler/schedule:Schedule";

/** Lambda's default timeout and SQS's default visibility timeout, used when the input is absent. */
const DEFAULT_LAMBDA_TIMEOUT = 3;
const DEFAULT_VISIBILITY_TIMEOUT = 30;

/**
 * A queue is a dead-letter queue when another queue redrives into it, when a resource names it in a
 * `deadLetter…` input, or when a schedule depends on it without targeting it.
 */
export function isDeadLetterQueue(stack: StackView, queue: RuleResource): boolean {
  if (stack.dependents(queue, QUEUE, "redrivePolicy").length > 0) return true;
  const named = stack.resources.some((r) =>
    Object.entries(r.dependencies).some(
      ([input, urns]) => /deadletter/i.test(input) && urns.includes(queue.urn),
    ),
  );
  if (named) return true;
  return stack.dependents(queue, SCHEDULE, "target").some((s) => {
    const targetArn = at(s.inputs, "target", "arn");
    return typeof targetArn !== "string" || !targetArn.startsWith("arn:aws:sqs:");
  });
}

function redrive(
  queue: RuleResource,
): { deadLetterTargetArn?: unknown; maxReceiveCount?: unknown } | undefined {
  const value = jsonInput(queue, "redrivePolicy");
  return value && typeof value === "object"
    ? (value as { deadLetterTargetArn?: unknown; maxReceiveCount?: unknown })
    : undefined;
}

export const sqsDeadLetterQueue: Rule = {
  id: "aws-sqs-dlq",
  kind: "stack",
  description:
    "Every SQS queue that is not itself a dead-letter queue redrives to one. Mirrors cdk-nag AwsSolutions-SQS3.",
  sources: [{ source: "cdk-nag AwsSolutions", id: "SQS3" }],
  enforcement: "mandatory",
  check(stack) {
    return stack
      .ofType(QUEUE)
      .filter((q) => !isDeadLetterQueue(stack, q) && !redrive(q)?.deadLetterTargetArn)
      .map((q) => ({
        urn: q.urn,
        message: `queue ${q.name} is not a dead-letter queue and has no redrive policy`,
      }));
  },
};

interface TlsOnlyRule {
  readonly id: string;
  readonly type: string;
  /** The policy resource type and the input linking it to the resource. */
  readonly policyType: string;
  readonly input: string;
  readonly description: string;
  readonly cdkNag: string;
  readonly problem: (r: RuleResource) => string;
}

/** A stack rule: every resource of a type has a policy denying requests without TLS. */
function tlsOnly(rule: TlsOnlyRule): Rule {
  return {
    id: rule.id,
    kind: "stack",
    description: `${rule.description} Mirrors cdk-nag AwsSolutions-${rule.cdkNag}.`,
    sources: [{ source: "cdk-nag AwsSolutions", id: rule.cdkNag }],
    enforcement: "mandatory",
    check(stack) {
      return stack
        .ofType(rule.type)
        .filter((r) => !stack.dependents(r, rule.policyType, rule.input).some(deniesWithoutTls))
        .map((r) => ({ urn: r.urn, message: rule.problem(r) }));
    },
  };
}

export const sqsTlsOnly = tlsOnly({
  id: "aws-sqs-tls-only",
  type: QUEUE,
  policyType: QUEUE_POLICY,
  input: "queueUrl",
  description: "Every SQS queue's policy denies requests without TLS.",
  cdkNag: "SQS4",
  problem: (q) => `queue ${q.name} has no policy denying non-TLS requests`,
});

export const snsTlsOnly = tlsOnly({
  id: "aws-sns-tls-only",
  type: TOPIC,
  policyType: TOPIC_POLICY,
  input: "arn",
  description: "Every SNS topic's policy denies publishing without TLS.",
  cdkNag: "SNS3",
  problem: (t) => `topic ${t.name} has no policy denying non-TLS publishing`,
});

function deniesWithoutTls(policy: RuleResource): boolean {
  return statementsOf(jsonInput(policy, "policy")).some(deniesInsecureTransport);
}

export const queueRedriveSettings: Rule = {
  id: "medallion-queue-redrive-settings",
  kind: "stack",
  description:
    "A queue's redrive allows at least 5 receives, and its visibility timeout is at least 6x the timeout of every Lambda consuming it (AWS guidance for Lambda event sources), so a slow batch is not redelivered while it runs.",
  sources: [{ source: "medallion", id: "QUEUE-REDRIVE" }],
  enforcement: "mandatory",
  check(stack) {
    const out: { urn: string; message: string }[] = [];
    for (const queue of stack.ofType(QUEUE)) {
      const policy = redrive(queue);
      if (policy?.deadLetterTargetArn && !(Number(policy.maxReceiveCount) >= 5)) {
        out.push({
          urn: queue.urn,
          message: `queue ${queue.name} redrives after ${String(policy.maxReceiveCount)} receives; at least 5 are required`,
        });
      }
      const visibility = Number(queue.inputs.visibilityTimeoutSeconds ?? DEFAULT_VISIBILITY_TIMEOUT);
      for (const mapping of stack.dependents(queue, EVENT_SOURCE_MAPPING, "eventSourceArn")) {
        for (const fnUrn of mapping.dependencies.functionName ?? []) {
          const fn = stack.byUrn(fnUrn);
          if (fn?.type !== FUNCTION) continue;
          const timeout = Number(fn.inputs.timeout ?? DEFAULT_LAMBDA_TIMEOUT);
          if (visibility < 6 * timeout) {
            out.push({
              urn: queue.urn,
              message: `queue ${queue.name} has visibility timeout ${visibility}s, less than 6x the ${timeout}s timeout of its consumer ${fn.name} (${6 * timeout}s)`,
            });
          }
        }
      }
    }
    return out;
  },
};
