import { capabilityProblems, CAPABILITIES } from "../components/capabilities";
import { WORKBOOK_QUERIES, workbookQueryProblems } from "../components/azure/workbook";
import { parseLakehouseSpec, type LakehouseSpecInput } from "../components/spec";
import type { Plan } from "../infra/preview/plan";
import { readStackConfig } from "../infra/preview/stack-file";
import { named, ofType, preview, ROOT } from "./helpers";

const azureSpecInput = () =>
  JSON.parse(
    readStackConfig(ROOT, "azure-dev").config["medallion:lakehouse"] ?? "null",
  ) as LakehouseSpecInput;

describe("the azure-dev stack's workbook and budget (issue 16 items 4, 5)", () => {
  let plan: Plan;

  beforeAll(async () => {
    ({ plan } = await preview("azure-dev"));
  });

  it("builds a workbook over the stack's Log Analytics workspace whose queries read documented tables and columns", () => {
    const [workbook] = ofType(plan, "azure-native:applicationinsights:Workbook");
    const workspace = ofType(plan, "azure-native:operationalinsights:Workspace")[0];
    expect(workbook.dependencies?.sourceId).toEqual([workspace.urn]);
    expect(workbook.inputs.resourceName).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    const data = JSON.parse(workbook.inputs.serializedData as string) as {
      items: { type: number; content: { title?: string; query?: string; json?: string } }[];
    };
    const queries = data.items.filter((i) => i.type === 3).map((i) => i.content);
    expect(queries.map((q) => q.title)).toEqual(WORKBOOK_QUERIES.map((q) => q.title));
    expect(queries.flatMap((q) => workbookQueryProblems(q.query!))).toEqual([]);
    const tables = new Set(queries.map((q) => q.query!.split("\n")[0]));
    expect([...tables].sort()).toEqual(["ContainerAppSystemLogs", "DatabricksJobs", "StorageBlobLogs"]);
    const texts = data.items.filter((i) => i.type === 1).map((i) => i.content.json ?? "");
    expect(
      texts.some((t) => t.includes((CAPABILITIES["tables.monitoring"].azure as { reason: string }).reason)),
    ).toBe(true);
  });

  it("flags a workbook query on an undocumented table or column", () => {
    expect(workbookQueryProblems("StorageBlobLogs\n| where Container == 'x'")).toEqual([
      "table StorageBlobLogs has no column Container",
    ]);
    expect(workbookQueryProblems("DatabricksRuns\n| where x == 1")).toEqual([
      "table DatabricksRuns is not in the documented table catalog",
    ]);
  });

  it("budgets the subscription's cost tagged with the stack, alerting the action group, with the job clusters tagged alike", () => {
    const [budget] = ofType(plan, "azure-native:consumption:Budget");
    const actionGroup =
      ofType(plan, "azure-native:monitor:ActionGroup")[0] ??
      ofType(plan, "azure-native:insights:ActionGroup")[0];
    expect(budget.inputs).toMatchObject({
      category: "Cost",
      amount: 100,
      timeGrain: "Monthly",
      filter: {
        and: [
          { tags: { name: "project", operator: "In", values: ["brewery"] } },
          { tags: { name: "environment", operator: "In", values: ["dev"] } },
        ],
      },
    });
    expect(String(budget.inputs.scope)).toMatch(/^\/subscriptions\/[^/]+$/);
    expect((budget.inputs.timePeriod as { startDate: string }).startDate).toMatch(
      /^\d{4}-\d{2}-01T00:00:00Z$/,
    );
    const notifications = budget.inputs.notifications as Record<
      string,
      { thresholdType: string; threshold: number }
    >;
    expect(
      Object.entries(notifications)
        .map(([k, n]) => `${k} ${n.thresholdType} ${n.threshold}`)
        .sort(),
    ).toEqual(["actual-100 Actual 100", "actual-80 Actual 80", "forecast-100 Forecasted 100"]);
    expect(budget.dependencies?.notifications).toContain(actionGroup.urn);
    const jobs = ofType(plan, "databricks:index/job:Job");
    expect(jobs.length).toBeGreaterThan(0);
    for (const job of jobs) {
      for (const cluster of job.inputs.jobClusters as {
        newCluster: { customTags: Record<string, string> };
      }[]) {
        expect(cluster.newCluster.customTags).toMatchObject({ project: "brewery", environment: "dev" });
      }
    }
  });

  it("refuses, naming the field, what a cloud does not build: Grafana, the cost report, per-table data alarms on Azure", () => {
    const input = azureSpecInput();
    const spec = parseLakehouseSpec({
      ...input,
      observability: { grafana: true, costReport: true },
      tables: input.tables.map((t, i) => (i === 0 ? { ...t, monitoring: { expectedEvery: "2h" } } : t)),
    });
    expect(capabilityProblems(spec, "azure").map((p) => p.path)).toEqual([
      "medallion:lakehouse.tables[0].monitoring",
      "medallion:lakehouse.observability.costReport",
      "medallion:lakehouse.observability.grafana",
    ]);
    // Not built on AWS either yet: refused there too, rather than accepted and silently dropped.
    expect(capabilityProblems(spec, "aws").map((p) => p.path)).toEqual([
      "medallion:lakehouse.observability.costReport",
      "medallion:lakehouse.observability.grafana",
    ]);
  });
});

export { named };
