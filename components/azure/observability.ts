import type { Budget } from "@pulumi/azure-native/consumption/budget";
import type { Workbook } from "@pulumi/azure-native/applicationinsights/workbook";
import type * as pulumi from "@pulumi/pulumi";
import type { LakehouseSpec } from "../spec";
import { azureStackBudget } from "./budget";
import type { AzureMonitoring } from "./monitoring";
import { azureWorkbook } from "./workbook";

export interface AzureObservabilityArgs {
  readonly spec: LakehouseSpec;
  readonly environment: string;
  readonly subscriptionId: pulumi.Input<string>;
  readonly resourceGroupName: pulumi.Input<string>;
  readonly location: pulumi.Input<string>;
  readonly monitoring: AzureMonitoring;
  readonly tags: Readonly<Record<string, string>>;
}

/** The stack's consumption budget (to the action group) and its workbook over Log Analytics. */
export interface AzureObservability {
  readonly budget: Budget;
  readonly workbook: Workbook;
}

export function addAzureObservability(
  parent: pulumi.Resource,
  name: string,
  args: AzureObservabilityArgs,
): AzureObservability {
  const product = args.spec.name;
  const budget = azureStackBudget(
    `${name}-budget`,
    {
      product,
      environment: args.environment,
      subscriptionId: args.subscriptionId,
      budget: args.spec.observability.budget,
      actionGroupId: args.monitoring.alertChannel,
    },
    parent,
  );
  const workbook = azureWorkbook(
    `${name}-workbook`,
    {
      product,
      environment: args.environment,
      resourceGroupName: args.resourceGroupName,
      location: args.location,
      workspaceId: args.monitoring.logAnalyticsWorkspaceId,
      budgetName: budget.name,
      monthlyLimit: args.spec.observability.budget.monthlyLimit,
      tags: args.tags,
    },
    parent,
  );
  return { budget, workbook };
}
