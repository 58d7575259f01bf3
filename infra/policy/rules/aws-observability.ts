import { asList, at, jsonInput, statementsOf } from "../stack-view";
import type { Rule, RuleResource, StackView } from "../types";

const LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup";
const LOG_STREAM = "aws:cloudwatch/logStream:LogStream";
const EVENT_TARGET = "aws:cloudwatch/eventTarget:EventTarget";
const QUEUE = "aws:sqs/queue:Queue";
const QUEUE_POLICY = "aws:sqs/queuePolicy:QueuePolicy";
const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const FIREHOSE = "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream";
const STATE_MACHINE = "aws:sfn/stateMachine:StateMachine";

export const logGroupRetention: Rule = {
  id: "medallion-log-retention",
  kind: "resource",
  types: [LOG_GROUP],
  description:
    "Every CloudWatch log group (Lambda, Firehose, ECS, Step Functions, Glue) has a finite retention: CloudWatch keeps logs forever when retentionInDays is unset or 0.",
  sources: [{ source: "medallion", id: "LOG-RETENTION" }],
  enforcement: "mandatory",
  check(group) {
    const days = Number(group.inputs.retentionInDays ?? 0);
    return days > 0 ? [] : [`log group ${group.name} keeps logs forever (retentionInDays unset or 0)`];
  },
};

/** Whether the queue's policy lets EventBridge send to it (what a target DLQ needs). */
function admitsEventBridge(stack: StackView, queue: RuleResource): boolean {
  return stack
    .dependents(queue, QUEUE_POLICY, "queueUrl")
    .some((policy) =>
      statementsOf(jsonInput(policy, "policy")).some(
        (s) =>
          s.Effect === "Allow" &&
          asList(at(s, "Principal", "Service")).includes("events.amazonaws.com") &&
          asList(s.Action).some((a) => a === "sqs:SendMessage" || a === "sqs:*"),
      ),
    );
}

export const eventTargetDeadLetter: Rule = {
  id: "medallion-event-target-dlq",
  kind: "stack",
  description:
    "Every EventBridge target has a dead-letter queue of the stack whose policy admits events.amazonaws.com and whose depth is alarmed: without one, an event EventBridge cannot deliver (a refused publish, a key it may not use) is dropped after its retries with no trace.",
  sources: [{ source: "medallion", id: "EVENTS-DLQ" }],
  enforcement: "mandatory",
  check(stack) {
    const out: { urn: string; message: string }[] = [];
    for (const target of stack.ofType(EVENT_TARGET)) {
      const queues = (target.dependencies.deadLetterConfig ?? [])
        .map((urn) => stack.byUrn(urn))
        .filter((r): r is RuleResource => r?.type === QUEUE);
      if (!at(target.inputs, "deadLetterConfig", "arn") || queues.length === 0) {
        out.push({ urn: target.urn, message: `event target ${target.name} has no dead-letter queue` });
        continue;
      }
      for (const queue of queues) {
        if (!admitsEventBridge(stack, queue))
          out.push({
            urn: target.urn,
            message: `dead-letter queue ${queue.name} of event target ${target.name} does not let events.amazonaws.com send to it`,
          });
        if (stack.dependents(queue, ALARM, "dimensions").length === 0)
          out.push({
            urn: target.urn,
            message: `dead-letter queue ${queue.name} of event target ${target.name} has no alarm`,
          });
      }
    }
    return out;
  },
};

export const firehoseLogStream: Rule = {
  id: "medallion-firehose-log-stream",
  kind: "stack",
  description:
    "A delivery stream that logs errors names a log stream the stack creates: Firehose creates the group and stream only when logging is enabled in the console (https://docs.aws.amazon.com/firehose/latest/dev/monitoring-with-cloudwatch-logs.html).",
  sources: [{ source: "medallion", id: "FIREHOSE-LOGS" }],
  enforcement: "mandatory",
  check(stack) {
    const out: { urn: string; message: string }[] = [];
    const streams = stack.ofType(LOG_STREAM);
    for (const delivery of stack.ofType(FIREHOSE)) {
      for (const destination of ["extendedS3Configuration", "s3Configuration"]) {
        const logging = at(delivery.inputs, destination, "cloudwatchLoggingOptions");
        if (!logging || at(logging, "enabled") !== true) continue;
        const group = at(logging, "logGroupName");
        const stream = at(logging, "logStreamName");
        const created = streams.some((s) => s.inputs.name === stream && s.inputs.logGroupName === group);
        if (!created)
          out.push({
            urn: delivery.urn,
            message: `delivery stream ${delivery.name} logs to ${String(group)}:${String(stream)}, a log stream the stack does not create`,
          });
      }
    }
    return out;
  },
};

/** ECS RunTask states of a state machine definition (any nesting: Map iterators, Parallel branches). */
function runTaskStates(value: unknown, found: Record<string, unknown>[] = []): Record<string, unknown>[] {
  if (Array.isArray(value)) value.forEach((v) => runTaskStates(v, found));
  else if (value && typeof value === "object") {
    const record = value as Record<string, unknown>;
    if (typeof record.Resource === "string" && /:states:::ecs:runTask/.test(record.Resource))
      found.push(record);
    Object.values(record).forEach((v) => runTaskStates(v, found));
  }
  return found;
}

export const ecsTaskPrivateNetwork: Rule = {
  id: "medallion-ecs-private-network",
  kind: "resource",
  types: [STATE_MACHINE],
  description:
    "Fargate tasks a state machine runs get no public IP and name their subnets and security groups: the task reaches AWS through the subnets' VPC endpoints (or NAT), never from the internet.",
  sources: [{ source: "medallion", id: "ECS-NETWORK" }],
  enforcement: "mandatory",
  check(machine) {
    const definition = jsonInput(machine, "definition");
    return runTaskStates(definition).flatMap((state) => {
      const vpc = at(state, "Parameters", "NetworkConfiguration", "AwsvpcConfiguration");
      const problems: string[] = [];
      if (at(vpc, "AssignPublicIp") !== "DISABLED")
        problems.push(`state machine ${machine.name} runs an ECS task without AssignPublicIp DISABLED`);
      if (asList(at(vpc, "Subnets")).length === 0 || asList(at(vpc, "SecurityGroups")).length === 0)
        problems.push(`state machine ${machine.name} runs an ECS task without subnets and security groups`);
      return problems;
    });
  },
};
