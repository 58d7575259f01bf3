import * as budgets from "@pulumi/aws/budgets";
import * as pulumi from "@pulumi/pulumi";
import type { ObservabilitySpec } from "../spec/schema";
import { dashedResourceName } from "../naming";

/**
 * The cost-allocation tags the budget filters on. Budgets and Cost Explorer see a user tag only once it is
 * activated as a cost-allocation tag in the payer account's Billing console (an account action, not an API
 * of this stack: https://docs.aws.amazon.com/awsaccountbilling/latest/aboutv2/activating-tags.html).
 */
export const COST_ALLOCATION_TAGS = ["project", "environment"] as const;

export interface AwsStackBudgetArgs {
  readonly product: string;
  readonly environment: string;
  readonly budget: ObservabilitySpec["budget"];
  /** The alert topic; its policy and key admit budgets.amazonaws.com (components/aws/alert-topic.ts). */
  readonly alertTopicArn: pulumi.Input<string>;
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * A monthly cost budget over the resources tagged with this stack's project and environment, notifying
 * the alert topic at each forecast and actual threshold of the spec (percent of the limit).
 */
export function awsStackBudget(
  name: string,
  args: AwsStackBudgetArgs,
  parent: pulumi.Resource,
): budgets.Budget {
  const notify = (notificationType: "FORECASTED" | "ACTUAL", threshold: number) => ({
    notificationType,
    comparisonOperator: "GREATER_THAN",
    threshold,
    thresholdType: "PERCENTAGE",
    subscriberSnsTopicArns: [args.alertTopicArn],
  });
  const stackTags: Record<(typeof COST_ALLOCATION_TAGS)[number], string> = {
    project: args.product,
    environment: args.environment,
  };
  return new budgets.Budget(
    name,
    {
      name: dashedResourceName([args.product, args.environment, "cost"], 100),
      budgetType: "COST",
      timeUnit: "MONTHLY",
      limitAmount: args.budget.monthlyLimit.toFixed(2),
      limitUnit: "USD",
      // Both tags at once (a cost filter's values are OR'ed, so dev and prod of one project need an AND).
      filterExpression: {
        ands: COST_ALLOCATION_TAGS.map((key) => ({
          tags: { key, values: [stackTags[key]], matchOptions: ["EQUALS"] },
        })),
      },
      notifications: [
        ...[...new Set(args.budget.forecastPercents)].map((p) => notify("FORECASTED", p)),
        ...[...new Set(args.budget.actualPercents)].map((p) => notify("ACTUAL", p)),
      ],
      tags: { ...args.tags },
    },
    { parent },
  );
}
