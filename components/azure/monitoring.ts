import { ActionGroup } from "@pulumi/azure-native/monitor/actionGroup";
import { DiagnosticSetting } from "@pulumi/azure-native/monitor/diagnosticSetting";
import { ScheduledQueryRule } from "@pulumi/azure-native/monitor/scheduledQueryRule";
import { Workspace } from "@pulumi/azure-native/operationalinsights/workspace";
import * as pulumi from "@pulumi/pulumi";
import type { Monitoring } from "../contracts";
import { azureResourceName } from "../naming";
import {
  DIAGNOSTIC_CATEGORIES,
  LOG_TABLES,
  queryProblems,
  queryReferences,
  unsupportedCategories,
} from "./monitor-catalog";

export interface AzureMonitoringArgs {
  readonly product: string;
  readonly environment: string;
  readonly resourceGroupName: pulumi.Input<string>;
  readonly location: pulumi.Input<string>;
  /** Addresses the action group e-mails (the spec's alert e-mails). */
  readonly emails: readonly string[];
  /** HTTPS endpoints the action group calls. @default none */
  readonly webhooks?: readonly string[];
  /** Log Analytics retention (30-730). @default 30 */
  readonly retentionDays?: number;
  readonly tags: Readonly<Record<string, string>>;
}

/** What a diagnostic setting sends to Log Analytics. */
export interface DiagnosticSelection {
  /**
   * Log categories or category groups (`allLogs`, `audit`). @default ["allLogs"] where the type has that
   * group, else none
   */
  readonly logCategories?: readonly string[];
  /** Send the type's documented metric categories (see `DIAGNOSTIC_CATEGORIES`). @default true */
  readonly metrics?: boolean;
}

/**
 * The lakehouse's single alert channel on Azure: a Log Analytics workspace every diagnostic setting
 * sends to, an action group with the spec's e-mails and webhooks, and a log alert that fires on every
 * failed Databricks job run (the workspace's `jobs` diagnostic category).
 */
export class AzureMonitoring extends pulumi.ComponentResource implements Monitoring {
  readonly workspace: Workspace;
  readonly actionGroup: ActionGroup;
  readonly jobFailureAlert: ScheduledQueryRule;
  readonly alertChannel: pulumi.Output<string>;
  /** ARM ID of the Log Analytics workspace. */
  readonly logAnalyticsWorkspaceId: pulumi.Output<string>;

  private readonly logicalName: string;
  private readonly product: string;
  private readonly environmentName: string;
  private readonly resourceGroupName: pulumi.Input<string>;
  private readonly location: pulumi.Input<string>;
  private readonly tags: Readonly<Record<string, string>>;

  constructor(name: string, args: AzureMonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
    super("medallion:azure:Monitoring", name, {}, opts);
    const webhooks = args.webhooks ?? [];
    const retentionDays = Math.min(Math.max(args.retentionDays ?? 30, 30), 730);
    if (args.emails.length + webhooks.length === 0) {
      throw new Error(
        `AzureMonitoring ${name}: at least one e-mail or webhook is required, or alerts reach nobody`,
      );
    }
    this.logicalName = name;
    this.product = args.product;
    this.environmentName = args.environment;
    this.resourceGroupName = args.resourceGroupName;
    this.location = args.location;
    this.tags = args.tags;

    this.workspace = new Workspace(
      `${name}-logs`,
      {
        workspaceName: azureResourceName([args.product, args.environment, "logs"]),
        resourceGroupName: args.resourceGroupName,
        location: args.location,
        sku: { name: "PerGB2018" },
        retentionInDays: retentionDays,
        tags: { ...args.tags },
      },
      { parent: this },
    );
    this.actionGroup = new ActionGroup(
      `${name}-action-group`,
      {
        actionGroupName: azureResourceName([args.product, args.environment, "alerts"]),
        resourceGroupName: args.resourceGroupName,
        location: "Global",
        enabled: true,
        groupShortName: shortName(args.product),
        emailReceivers: args.emails.map((email) => ({
          name: slug(email).slice(0, 128),
          emailAddress: email,
          useCommonAlertSchema: true,
        })),
        webhookReceivers: webhooks.map((url) => ({
          name: slug(url.replace(/^https:\/\//, "")).slice(0, 128),
          serviceUri: url,
          useCommonAlertSchema: true,
        })),
        tags: { ...args.tags },
      },
      { parent: this },
    );
    this.jobFailureAlert = this.alertOnQuery(
      "job-failed",
      `${args.product} ${args.environment}: a Databricks job run failed`,
      JOB_FAILURE_QUERY,
    );
    this.alertChannel = this.actionGroup.id;
    this.logAnalyticsWorkspaceId = this.workspace.id;
    this.registerOutputs({
      alertChannel: this.alertChannel,
      logAnalyticsWorkspaceId: this.logAnalyticsWorkspaceId,
    });
  }

  /**
   * A log alert on the workspace: fires to the action group whenever `query` returns a row in the last
   * five minutes. One named child per alert.
   */
  alertOnQuery(part: string, displayName: string, query: string): ScheduledQueryRule {
    const problems = queryProblems(query, true);
    if (problems.length > 0) {
      throw new Error(`AzureMonitoring ${this.logicalName}: alert ${part} query: ${problems.join("; ")}`);
    }
    // A resource-specific table appears with its first record; validating a query over it before then fails.
    const skipQueryValidation = LOG_TABLES[queryReferences(query).table]?.createdOnFirstRecord ?? false;
    return new ScheduledQueryRule(
      `${this.logicalName}-${part}`,
      {
        ruleName: azureResourceName([this.product, this.environmentName, part]),
        resourceGroupName: this.resourceGroupName,
        location: this.location,
        displayName,
        description: `${displayName} (Log Analytics query, every 5 minutes).`,
        severity: 1,
        enabled: true,
        scopes: [this.workspace.id],
        evaluationFrequency: "PT5M",
        windowSize: "PT5M",
        criteria: {
          allOf: [
            {
              query,
              timeAggregation: "Count",
              operator: "GreaterThan",
              threshold: 0,
              failingPeriods: { numberOfEvaluationPeriods: 1, minFailingPeriodsToAlert: 1 },
            },
          ],
        },
        actions: { actionGroups: [this.actionGroup.id] },
        autoMitigate: false,
        skipQueryValidation,
        tags: { ...this.tags },
      },
      { parent: this },
    );
  }

  /**
   * Sends a resource's logs and metrics to the workspace, in resource-specific tables; one named child per
   * resource. `armType` (e.g. `microsoft.storage/storageaccounts`) picks the categories the type documents;
   * asking for one it does not support throws (ARM refuses it at `pulumi up`).
   */
  diagnose(
    part: string,
    resourceUri: pulumi.Input<string>,
    armType: string,
    selection: DiagnosticSelection = {},
    opts: pulumi.CustomResourceOptions = {},
  ): DiagnosticSetting {
    const supported = DIAGNOSTIC_CATEGORIES[armType];
    const categories =
      selection.logCategories ?? (supported?.logGroups.includes("allLogs") ? ["allLogs"] : []);
    const logGroups: string[] = categories.filter((c) => c === "allLogs" || c === "audit");
    const logs = categories.filter((c) => !logGroups.includes(c));
    const metrics = selection.metrics === false ? [] : [...(supported?.metrics ?? [])];
    const problems = unsupportedCategories(armType, { metrics, logs, logGroups });
    if (problems.length > 0) {
      throw new Error(
        `AzureMonitoring ${this.logicalName}: diagnostics ${part}: ${armType} does not support ${problems.join(", ")}`,
      );
    }
    return new DiagnosticSetting(
      `${this.logicalName}-diag-${part}`,
      {
        name: "to-log-analytics",
        resourceUri,
        workspaceId: this.workspace.id,
        // Resource-specific tables (DatabricksJobs, ContainerAppSystemLogs), which the alert queries read.
        logAnalyticsDestinationType: "Dedicated",
        logs: [
          ...logGroups.map((categoryGroup) => ({ categoryGroup, enabled: true })),
          ...logs.map((category) => ({ category, enabled: true })),
        ],
        metrics: metrics.map((category) => ({ category, enabled: true })),
      },
      { parent: this, ...opts },
    );
  }
}

/** Failed runs in the Databricks `jobs` diagnostic log. */
export const JOB_FAILURE_QUERY = [
  "DatabricksJobs",
  '| where ActionName in ("runFailed", "runTimedOut")',
  "| project TimeGenerated, ActionName, RequestParams, Response",
].join("\n");

/** Action group short names are 1-12 characters. */
function shortName(product: string): string {
  return `${product.replace(/[^A-Za-z0-9]/g, "").slice(0, 9)}-lh`;
}

function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
}
