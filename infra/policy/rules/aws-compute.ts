import { at, jsonInput } from "../stack-view";
import type { Rule } from "../types";

const FUNCTION = "aws:lambda/function:Function";
const LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup";
const STATE_MACHINE = "aws:sfn/stateMachine:StateMachine";

/** Lambda runtimes in AWS standard support (not deprecated) as of the pinned provider. */
export const CURRENT_LAMBDA_RUNTIMES = [
  "nodejs22.x",
  "nodejs24.x",
  "python3.12",
  "python3.13",
  "python3.14",
  "java21",
  "java25",
  "dotnet8",
  "ruby3.4",
  "provided.al2023",
] as const;

export const lambdaCurrentRuntime: Rule = {
  id: "aws-lambda-current-runtime",
  kind: "resource",
  types: [FUNCTION],
  description: "Every zip-packaged Lambda function uses a current runtime. Mirrors cdk-nag AwsSolutions-L1.",
  sources: [{ source: "cdk-nag AwsSolutions", id: "L1" }],
  enforcement: "mandatory",
  check(fn) {
    if (fn.inputs.packageType === "Image") return [];
    const runtime = fn.inputs.runtime;
    if (typeof runtime !== "string") return [`function ${fn.name} declares no runtime`];
    return (CURRENT_LAMBDA_RUNTIMES as readonly string[]).includes(runtime)
      ? []
      : [
          `function ${fn.name} uses runtime ${runtime}; current runtimes are ${CURRENT_LAMBDA_RUNTIMES.join(", ")}`,
        ];
  },
};

export const lambdaLogRetention: Rule = {
  id: "medallion-lambda-log-retention",
  kind: "stack",
  description:
    "Every Lambda function has its own log group (named /aws/lambda/<function> or set in loggingConfig) with a finite retention, so logs neither vanish nor grow forever.",
  sources: [{ source: "medallion", id: "LAMBDA-LOGS" }],
  enforcement: "mandatory",
  check(stack) {
    const out: { urn: string; message: string }[] = [];
    const groups = stack.ofType(LOG_GROUP);
    for (const fn of stack.ofType(FUNCTION)) {
      const linked = groups.filter(
        (g) =>
          (fn.dependencies.loggingConfig ?? []).includes(g.urn) ||
          (g.dependencies.name ?? []).includes(fn.urn) ||
          (typeof fn.inputs.name === "string" && g.inputs.name === `/aws/lambda/${fn.inputs.name}`),
      );
      if (linked.length === 0) {
        out.push({ urn: fn.urn, message: `function ${fn.name} has no log group of its own` });
        continue;
      }
      for (const group of linked) {
        const days = Number(group.inputs.retentionInDays ?? 0);
        if (!(days > 0))
          out.push({
            urn: group.urn,
            message: `log group ${group.name} of function ${fn.name} keeps logs forever (retentionInDays unset or 0)`,
          });
      }
    }
    return out;
  },
};

export const stepFunctionsLogging: Rule = {
  id: "aws-sfn-logging",
  kind: "resource",
  types: [STATE_MACHINE],
  description: "Every state machine logs ALL events to CloudWatch Logs. Mirrors cdk-nag AwsSolutions-SF1.",
  sources: [{ source: "cdk-nag AwsSolutions", id: "SF1" }],
  enforcement: "mandatory",
  check(machine) {
    const level = at(machine.inputs, "loggingConfiguration", "level");
    return level === "ALL"
      ? []
      : [`state machine ${machine.name} logs ${String(level ?? "nothing")}, not ALL events`];
  },
};

export const stepFunctionsTracing: Rule = {
  id: "aws-sfn-tracing",
  kind: "resource",
  types: [STATE_MACHINE],
  description: "Every state machine has X-Ray tracing enabled. Mirrors cdk-nag AwsSolutions-SF2.",
  sources: [{ source: "cdk-nag AwsSolutions", id: "SF2" }],
  enforcement: "mandatory",
  check(machine) {
    return at(machine.inputs, "tracingConfiguration", "enabled") === true
      ? []
      : [`state machine ${machine.name} does not enable X-Ray tracing`];
  },
};

export const stepFunctionsErrorHandling: Rule = {
  id: "medallion-sfn-retry-catch-timeout",
  kind: "resource",
  types: [STATE_MACHINE],
  description:
    "Every Task state (also inside Map and Parallel) has Retry and Catch, and every state machine a TimeoutSeconds, so no failure is silent and no execution runs forever.",
  sources: [{ source: "medallion", id: "SFN-ERRORS" }],
  enforcement: "mandatory",
  check(machine) {
    const definition = jsonInput(machine, "definition");
    if (definition === undefined) return [];
    if (!definition || typeof definition !== "object")
      return [`state machine ${machine.name} has an unreadable definition`];
    const problems: string[] = [];
    if (!(Number((definition as { TimeoutSeconds?: unknown }).TimeoutSeconds) > 0)) {
      problems.push(`state machine ${machine.name} has no TimeoutSeconds`);
    }
    for (const [name, state] of taskStates(definition)) {
      if (!nonEmpty(state.Retry))
        problems.push(`state machine ${machine.name}: Task state "${name}" has no Retry`);
      if (!nonEmpty(state.Catch))
        problems.push(`state machine ${machine.name}: Task state "${name}" has no Catch`);
    }
    return problems;
  },
};

/** Every Task state in a definition, walking Map (ItemProcessor/Iterator) and Parallel branches. */
export function taskStates(definition: unknown): [string, Record<string, unknown>][] {
  const found: [string, Record<string, unknown>][] = [];
  const states = at(definition, "States");
  if (!states || typeof states !== "object") return found;
  for (const [name, raw] of Object.entries(states as Record<string, unknown>)) {
    const state = raw as Record<string, unknown>;
    if (state.Type === "Task") found.push([name, state]);
    if (state.Type === "Map") found.push(...taskStates(state.ItemProcessor ?? state.Iterator));
    if (state.Type === "Parallel" && Array.isArray(state.Branches)) {
      for (const branch of state.Branches) found.push(...taskStates(branch));
    }
  }
  return found;
}

function nonEmpty(value: unknown): boolean {
  return Array.isArray(value) && value.length > 0;
}
