import { SERVICE_TRUST, type ServiceTrust, type TrustedUse } from "../../../components/aws/service-trust";
import { asList, jsonInput, statementsOf } from "../stack-view";
import type { Rule, RuleResource, StackView } from "../types";

const ROLE = "aws:iam/role:Role";
const TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition";
/** The confused-deputy keys; a service that does not send one fails every AssumeRole conditioned on it. */
const SOURCE_KEYS = ["aws:sourceaccount", "aws:sourcearn", "aws:sourceorgid", "aws:sourceorgpaths"];

/**
 * Services that share a principal, told apart by what the plan uses the role as: an ECS task definition's
 * task role (its containers' credentials) or execution role (the agent's image pulls and logs).
 */
const USED_AS: Partial<Record<TrustedUse, { readonly type: string; readonly input: string }>> = {
  "ecs-task": { type: TASK_DEFINITION, input: "taskRoleArn" },
  "ecs-task-execution": { type: TASK_DEFINITION, input: "executionRoleArn" },
};

/**
 * Every role a service assumes trusts that one service principal and nobody else, with exactly the
 * confused-deputy conditions (`aws:SourceAccount`, `aws:SourceArn`) its documentation gives for its trust
 * policy (`SERVICE_TRUST`, each entry citing its page). A condition on a key the service does not send is
 * as wrong as a missing one: IAM then refuses the service's AssumeRole and the role never works.
 */
export const serviceRoleTrust: Rule = {
  id: "aws-iam-service-trust",
  kind: "stack",
  description:
    "Every role a service assumes trusts only that service principal, with exactly the aws:SourceAccount / aws:SourceArn conditions the service documents for its trust policy (confused-deputy protection where the service sends them, none where it does not, since a condition on a key the service does not send refuses its AssumeRole).",
  sources: [{ source: "medallion", id: "SERVICE-TRUST" }],
  enforcement: "mandatory",
  check(stack) {
    const out: { urn: string; message: string }[] = [];
    for (const role of stack.ofType(ROLE)) {
      for (const message of roleProblems(stack, role)) out.push({ urn: role.urn, message });
    }
    return out;
  },
};

function roleProblems(stack: StackView, role: RuleResource): string[] {
  const assumes = statementsOf(jsonInput(role, "assumeRolePolicy")).filter(
    (s) => s.Effect === "Allow" && asList(s.Action).some((a) => a.toLowerCase() === "sts:assumerole"),
  );
  const services = assumes.flatMap((s) =>
    asList((s.Principal as { Service?: unknown } | undefined)?.Service),
  );
  if (services.length === 0) return []; // not a service role (the gold consumer trusts the account)
  const problems: string[] = [];
  const others = assumes.filter((s) => {
    const principal = s.Principal;
    if (typeof principal !== "object" || principal === null) return true;
    return Object.keys(principal).some((k) => k !== "Service");
  });
  if (new Set(services).size > 1 || others.length > 0) {
    problems.push(`role ${role.name} trusts more than one principal; a service role trusts its service only`);
  }
  for (const statement of assumes) {
    for (const service of asList((statement.Principal as { Service?: unknown } | undefined)?.Service)) {
      const use = useOf(stack, role, service);
      if (typeof use !== "string" || !(use in SERVICE_TRUST)) {
        problems.push(`role ${role.name} trusts ${service}: ${use}`);
        continue;
      }
      problems.push(
        ...conditionProblems(role, service, SERVICE_TRUST[use as TrustedUse], statement.Condition),
      );
    }
  }
  return problems;
}

/** Which use of `SERVICE_TRUST` a role trusting `service` is, or why none can be told. */
function useOf(stack: StackView, role: RuleResource, service: string): string {
  const uses = (Object.keys(SERVICE_TRUST) as TrustedUse[]).filter(
    (u) => SERVICE_TRUST[u].principal === service,
  );
  if (uses.length === 0)
    return "a service SERVICE_TRUST does not list (add it with the page showing its trust policy)";
  if (uses.length === 1) return uses[0];
  const used = uses.filter((u) => {
    const as = USED_AS[u];
    return as !== undefined && stack.dependents(role, as.type, as.input).length > 0;
  });
  if (used.length === 1) return used[0];
  return `the role is used as ${used.length ? used.join(" and ") : "none"} of ${uses.join(", ")}, whose trust differs`;
}

function conditionProblems(
  role: RuleResource,
  service: string,
  trust: ServiceTrust,
  condition: unknown,
): string[] {
  const entries = conditionEntries(condition);
  const problems: string[] = [];
  const documented = trust.keys.map((k) => k.toLowerCase());
  for (const key of SOURCE_KEYS.filter((k) => !documented.includes(k))) {
    if (entries.some((e) => e.key === key)) {
      problems.push(
        `role ${role.name} conditions its trust on ${displayKey(key)}, which ${service} does not send when it assumes a role (${trust.doc}): AssumeRole would fail`,
      );
    }
  }
  const account = entries.find((e) => e.key === "aws:sourceaccount" && e.operator === "stringequals");
  if (
    documented.includes("aws:sourceaccount") &&
    (!account || !account.values.every((v) => /^\d{12}$/.test(v)))
  ) {
    problems.push(
      `role ${role.name} does not confine ${service} to its account with StringEquals aws:SourceAccount (${trust.doc})`,
    );
  }
  if (documented.includes("aws:sourcearn") && trust.sourceArn) {
    const arnService = trust.sourceArn.split(":")[0];
    const arn = entries.find(
      (e) => e.key === "aws:sourcearn" && ["arnlike", "arnequals"].includes(e.operator),
    );
    const accountOk = (v: string) => !account || account.values.includes(v.split(":")[4] ?? "");
    if (!arn || !arn.values.every((v) => v.split(":")[2] === arnService && accountOk(v))) {
      problems.push(
        `role ${role.name} does not confine ${service} to its own ${arnService} resources with ArnLike aws:SourceArn in its account (${trust.doc})`,
      );
    }
  }
  return problems;
}

interface ConditionEntry {
  readonly operator: string;
  readonly key: string;
  readonly values: string[];
}

/** A condition block as (operator, key, values), operators and keys lower-cased (IAM compares them so). */
function conditionEntries(condition: unknown): ConditionEntry[] {
  if (typeof condition !== "object" || condition === null) return [];
  return Object.entries(condition).flatMap(([operator, block]) =>
    typeof block === "object" && block !== null
      ? Object.entries(block).map(([key, value]) => ({
          operator: operator.toLowerCase(),
          key: key.toLowerCase(),
          values: asList(value),
        }))
      : [],
  );
}

function displayKey(key: string): string {
  return { "aws:sourceaccount": "aws:SourceAccount", "aws:sourcearn": "aws:SourceArn" }[key] ?? key;
}
