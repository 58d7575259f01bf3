import { Workbook } from "@pulumi/azure-native/applicationinsights/workbook";
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "node:crypto";
import { CAPABILITIES } from "../capabilities";
import { LOG_TABLES, queryReferences, WORKBOOK_LOG_TABLES } from "./monitor-catalog";

/** One Log Analytics query of the workbook: what it shows and the KQL (checked against monitor-catalog.ts). */
export interface WorkbookQuery {
  readonly title: string;
  readonly query: string;
  readonly visualization: "timechart" | "barchart" | "table";
}

/**
 * The workbook's queries over the stack's Log Analytics workspace: Databricks job runs and task failures
 * (DatabricksJobs, from the workspace's `jobs` diagnostic logs), run durations, ingestion job executions
 * (ContainerAppSystemLogs) and storage transactions (StorageBlobLogs, from the blob service's logs).
 */
export const WORKBOOK_QUERIES: readonly WorkbookQuery[] = [
  {
    title: "Databricks job runs by outcome",
    visualization: "timechart",
    query: [
      "DatabricksJobs",
      '| where ActionName in ("runStart", "runSucceeded", "runFailed", "runTimedOut")',
      "| summarize runs = count() by ActionName, bin(TimeGenerated, 1h)",
    ].join("\n"),
  },
  {
    title: "Task failures",
    visualization: "table",
    query: [
      "DatabricksJobs",
      '| where ActionName in ("runFailed", "runTimedOut")',
      "| project TimeGenerated, ActionName, RequestParams, Response",
    ].join("\n"),
  },
  {
    title: "Run durations (minutes)",
    visualization: "barchart",
    query: [
      "DatabricksJobs",
      '| where ActionName in ("runStart", "runSucceeded", "runFailed", "runTimedOut")',
      "| extend runId = tostring(parse_json(RequestParams).runId)",
      '| summarize started = minif(TimeGenerated, ActionName == "runStart"), ended = maxif(TimeGenerated, ActionName != "runStart") by runId',
      "| extend minutes = datetime_diff('second', ended, started) / 60.0",
      "| order by started desc",
    ].join("\n"),
  },
  {
    title: "Ingestion job executions",
    visualization: "timechart",
    query: [
      "ContainerAppSystemLogs",
      '| where JobName != ""',
      "| summarize events = count() by JobName, Reason, bin(TimeGenerated, 1h)",
    ].join("\n"),
  },
  {
    title: "Storage transactions by operation",
    visualization: "timechart",
    query: [
      "StorageBlobLogs",
      '| where Category in ("StorageRead", "StorageWrite", "StorageDelete")',
      "| summarize transactions = count() by OperationName, bin(TimeGenerated, 1h)",
    ].join("\n"),
  },
];

export interface AzureWorkbookArgs {
  readonly product: string;
  readonly environment: string;
  readonly resourceGroupName: pulumi.Input<string>;
  readonly location: pulumi.Input<string>;
  readonly workspaceId: pulumi.Input<string>;
  /** The consumption budget's name, for the cost section. */
  readonly budgetName: pulumi.Input<string>;
  readonly monthlyLimit: number;
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * The stack's Azure Monitor workbook over its Log Analytics workspace. Rows per table are not charted:
 * the Databricks job's per-table rows reach no Azure Monitor table yet (the capability table says so).
 */
export function azureWorkbook(name: string, args: AzureWorkbookArgs, parent: pulumi.Resource): Workbook {
  const text = (markdown: string, id: string) => ({ type: 1, name: id, content: { json: markdown } });
  const rowsSupport = CAPABILITIES["tables.monitoring"].azure;
  const items = pulumi.output(args.budgetName).apply((budgetName) => [
    text(
      `# ${args.product} ${args.environment}\nJob runs, task failures and durations, ingestion jobs, storage.`,
      "title",
    ),
    ...WORKBOOK_QUERIES.map((q, i) => ({
      type: 3,
      name: `query-${i}`,
      content: {
        version: "KqlItem/1.0",
        title: q.title,
        query: q.query,
        size: 0,
        timeContext: { durationMs: 7 * 86_400_000 },
        queryType: 0,
        resourceType: "microsoft.operationalinsights/workspaces",
        visualization: q.visualization,
      },
    })),
    text(
      `## Rows per table\n${rowsSupport.supported ? rowsSupport.by : `Not shown: ${rowsSupport.reason}.`}`,
      "rows-per-table",
    ),
    text(
      `## Cost against budget\nBudget **${budgetName}**: ${args.monthlyLimit} a month over resources tagged project=${args.product}, environment=${args.environment}; alerts go to the action group. Spend against it: Cost Management → Budgets.`,
      "cost",
    ),
  ]);
  return new Workbook(
    name,
    {
      resourceName: deterministicUuid(`${args.product}/${args.environment}/workbook`),
      resourceGroupName: args.resourceGroupName,
      location: args.location,
      kind: "shared",
      category: "workbook",
      displayName: `${args.product} ${args.environment} lakehouse`,
      sourceId: args.workspaceId,
      serializedData: pulumi.jsonStringify({
        version: "Notebook/1.0",
        items,
        fallbackResourceIds: [args.workspaceId],
        $schema:
          "https://github.com/Microsoft/Application-Insights-Workbooks/blob/master/schema/workbook.json",
      }),
      tags: { ...args.tags },
    },
    { parent },
  );
}

/** A workbook's resource name must be a GUID; derived from the stack so it is stable across runs. */
export function deterministicUuid(seed: string): string {
  const hex = createHash("sha256").update(seed).digest("hex");
  const variant = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** Problems of a workbook query against the documented tables (the alert tables and the workbook's own). */
export function workbookQueryProblems(query: string): string[] {
  const { table, columns } = queryReferences(query);
  const schema = LOG_TABLES[table] ?? WORKBOOK_LOG_TABLES[table];
  if (!schema) return [`table ${table} is not in the documented table catalog`];
  return columns.filter((c) => !schema.columns.includes(c)).map((c) => `table ${table} has no column ${c}`);
}
