import { Budget } from "@pulumi/azure-native/consumption/budget";
import * as pulumi from "@pulumi/pulumi";
import type { ObservabilitySpec } from "../spec/schema";
import { COST_ALLOCATION_TAGS } from "../aws/budget";

export interface AzureStackBudgetArgs {
  readonly product: string;
  readonly environment: string;
  readonly subscriptionId: pulumi.Input<string>;
  readonly budget: ObservabilitySpec["budget"];
  /** The stack's action group (AzureMonitoring.alertChannel). */
  readonly actionGroupId: pulumi.Input<string>;
  /** The first day of the current month, `YYYY-MM-01`. @default from the clock at preview/up */
  readonly startDate?: string;
}

/**
 * A monthly consumption budget over the subscription's cost tagged with this stack's project and
 * environment, notifying the action group at each forecast and actual threshold. Tag-filtered, not
 * resource-group scoped: Databricks runs its VMs in the workspace's managed resource group, and they (and
 * their DBUs) carry the stack's tags only through the job cluster's custom tags (lakehouse-job.ts).
 */
export function azureStackBudget(name: string, args: AzureStackBudgetArgs, parent: pulumi.Resource): Budget {
  const notify = (thresholdType: "Forecasted" | "Actual", threshold: number) => ({
    enabled: true,
    operator: "GreaterThan",
    threshold,
    thresholdType,
    // The API wants the list even when an action group is the only contact.
    contactEmails: [],
    contactGroups: [args.actionGroupId],
  });
  const stackTags: Record<(typeof COST_ALLOCATION_TAGS)[number], string> = {
    project: args.product,
    environment: args.environment,
  };
  const notifications = Object.fromEntries([
    ...[...new Set(args.budget.forecastPercents)].map((p) => [`forecast-${p}`, notify("Forecasted", p)]),
    ...[...new Set(args.budget.actualPercents)].map((p) => [`actual-${p}`, notify("Actual", p)]),
  ]);
  return new Budget(
    name,
    {
      budgetName: `${args.product}-${args.environment}-cost`,
      scope: pulumi.interpolate`/subscriptions/${args.subscriptionId}`,
      category: "Cost",
      amount: args.budget.monthlyLimit,
      timeGrain: "Monthly",
      // A monthly budget must start on the first of a month within the current period
      // (https://learn.microsoft.com/rest/api/consumption/budgets/create-or-update): set once, then kept.
      timePeriod: { startDate: `${args.startDate ?? currentMonthStart()}T00:00:00Z` },
      filter: {
        and: COST_ALLOCATION_TAGS.map((key) => ({
          tags: { name: key, operator: "In", values: [stackTags[key]] },
        })),
      },
      notifications,
    },
    { parent, ignoreChanges: ["timePeriod"] },
  );
}

function currentMonthStart(now = new Date()): string {
  return `${now.getUTCFullYear()}-${String(now.getUTCMonth() + 1).padStart(2, "0")}-01`;
}
