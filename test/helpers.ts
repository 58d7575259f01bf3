import * as path from "node:path";
import { previewStack, type PreviewOptions } from "../infra/preview/preview";
import type { Plan, PlanResource } from "../infra/preview/plan";

export const ROOT = path.resolve(__dirname, "..");

/** Previews a stack of this repository under mocks, optionally overriding config keys. */
export async function preview(stack: string, extra: Omit<PreviewOptions, "root" | "stack"> = {}) {
  return previewStack({ root: ROOT, stack, ...extra });
}

export function ofType(plan: Plan, type: string): PlanResource[] {
  return plan.resources.filter((r) => r.type === type);
}

/** The single resource with this logical name, failing clearly when absent. */
export function named(plan: Plan, name: string, type?: string): PlanResource {
  const found = plan.resources.filter((r) => r.name === name && (!type || r.type === type));
  if (found.length !== 1)
    throw new Error(`expected one resource named ${name}${type ? ` of ${type}` : ""}, found ${found.length}`);
  return found[0];
}

/** The parsed policy document of a resource's `policy` input. */
export function policyOf(resource: PlanResource): { Statement: Record<string, unknown>[] } {
  return JSON.parse(resource.inputs.policy as string);
}

/** Counts custom resources per type. */
export function countsByType(plan: Plan): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of plan.resources) if (r.custom) counts[r.type] = (counts[r.type] ?? 0) + 1;
  return counts;
}

/** A bundle's content-addressed folder in a checkout, relative to the repository (components/aws/bundle.ts). */
export const BUNDLE_FOLDER = /^node_modules\/\.cache\/medallion-bundles\/[0-9a-f]{32}$/;
