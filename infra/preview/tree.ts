import type { Plan, PlanResource } from "./plan";

/**
 * The resource tree grouped by component: each component with the count of its direct custom
 * children per type, nested components below it, then totals per type.
 */
export function formatTree(plan: Plan): string {
  const children = new Map<string | null, PlanResource[]>();
  for (const r of plan.resources) {
    const list = children.get(r.parent) ?? [];
    list.push(r);
    children.set(r.parent, list);
  }
  const lines: string[] = [];
  const walk = (resource: PlanResource, depth: number) => {
    const indent = "  ".repeat(depth);
    const kids = children.get(resource.urn) ?? [];
    const components = kids.filter((k) => !k.custom);
    const counts = countByType(kids.filter((k) => k.custom));
    lines.push(`${indent}${resource.type} ${resource.name}${resource.protect ? "  [protected]" : ""}`);
    for (const [type, count] of counts) lines.push(`${indent}    ${String(count).padStart(3)} × ${type}`);
    for (const component of components) walk(component, depth + 1);
  };
  for (const root of children.get(null) ?? []) walk(root, 0);
  const totals = countByType(plan.resources.filter((r) => r.custom));
  lines.push(
    "",
    `${plan.resources.length} resources (${plan.resources.filter((r) => r.custom).length} custom) in ${plan.project}/${plan.stack}:`,
  );
  for (const [type, count] of totals) lines.push(`  ${String(count).padStart(3)} × ${type}`);
  return lines.join("\n");
}

function countByType(resources: readonly PlanResource[]): [string, number][] {
  const counts = new Map<string, number>();
  for (const r of resources) counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
  return [...counts.entries()].sort(([a], [b]) => a.localeCompare(b));
}
