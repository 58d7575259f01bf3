import type { RuleResource, StackView } from "./types";

/** Builds the index stack rules query. */
export function stackView(resources: readonly RuleResource[]): StackView {
  const byType = new Map<string, RuleResource[]>();
  const byUrn = new Map<string, RuleResource>();
  for (const r of resources) {
    byUrn.set(r.urn, r);
    const list = byType.get(r.type) ?? [];
    list.push(r);
    byType.set(r.type, list);
  }
  return {
    resources,
    ofType: (type) => byType.get(type) ?? [],
    byUrn: (urn) => byUrn.get(urn),
    dependents: (target, type, input) =>
      (byType.get(type) ?? []).filter((r) =>
        input
          ? (r.dependencies[input] ?? []).includes(target.urn)
          : Object.values(r.dependencies).some((urns) => urns.includes(target.urn)),
      ),
  };
}

/** Parses an input that holds a JSON document (policies, definitions); undefined when absent or unknown. */
export function jsonInput(resource: RuleResource, input: string): unknown {
  const value = resource.inputs[input];
  if (typeof value !== "string") return value ?? undefined;
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}

/** A policy document's statements as a list, whatever its shape. */
export function statementsOf(document: unknown): Record<string, unknown>[] {
  if (!document || typeof document !== "object") return [];
  const statement = (document as { Statement?: unknown }).Statement;
  if (Array.isArray(statement)) return statement as Record<string, unknown>[];
  return statement && typeof statement === "object" ? [statement as Record<string, unknown>] : [];
}

/** A string or list of strings as a list. */
export function asList(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === "string");
  return typeof value === "string" ? [value] : [];
}

/** Reads a nested input by path (`a.b[0].c` as `["a", "b", 0, "c"]`). */
export function at(value: unknown, ...path: (string | number)[]): unknown {
  let current = value;
  for (const key of path) {
    if (current === null || current === undefined || typeof current !== "object") return undefined;
    current = (current as Record<string | number, unknown>)[key];
  }
  return current;
}

/** True when a statement denies every request made without TLS. */
export function deniesInsecureTransport(statement: Record<string, unknown>): boolean {
  return (
    statement.Effect === "Deny" &&
    (statement.Principal === "*" || at(statement, "Principal", "AWS") === "*") &&
    String(at(statement, "Condition", "Bool", "aws:SecureTransport")) === "false"
  );
}
