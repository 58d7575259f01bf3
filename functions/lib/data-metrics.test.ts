import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { buildTransformPlans } from "../transform";
import { stackSpec } from "../transform/dev-spec";
import {
  DATA_METRIC_DIMENSIONS,
  DATA_METRICS,
  DATA_METRICS_NAMESPACE,
  publishTableRows,
  type TableRows,
} from "./telemetry";

interface EmfDocument {
  _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }[] };
  [field: string]: unknown;
}

/** What one EMF document says: namespace, the one dimension set, each metric's value, each dimension's value. */
function read(document: EmfDocument) {
  const [directive] = document._aws.CloudWatchMetrics;
  return {
    namespace: directive.Namespace,
    dimensions: directive.Dimensions,
    values: Object.fromEntries(directive.Metrics.map((m) => [m.Name, document[m.Name]])),
    labels: Object.fromEntries(directive.Dimensions[0].map((d) => [d, document[d]])),
  };
}

function capture(run: () => void): EmfDocument[] {
  // Powertools writes EMF through its own Console on process.stdout (what Lambda ships to CloudWatch Logs).
  const chunks: string[] = [];
  const spy = jest.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    chunks.push(String(chunk));
    return true;
  });
  try {
    run();
  } finally {
    spy.mockRestore();
  }
  return chunks
    .join("")
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as EmfDocument);
}

describe("per-table data metrics (issue 16 item 2)", () => {
  it("publishes the converter's rows with exactly pipeline, layer and table as dimensions", () => {
    const rows: TableRows = { rowsIn: 10, rowsWritten: 7, rowsQuarantined: 3 };
    const documents = capture(() => publishTableRows("bronze", "orders", rows, "brewery-dev"));
    expect(documents.map(read)).toEqual([
      {
        namespace: DATA_METRICS_NAMESPACE,
        dimensions: [[...DATA_METRIC_DIMENSIONS]],
        values: { RowsIn: 10, RowsWritten: 7, RowsQuarantined: 3 },
        labels: { pipeline: "brewery-dev", layer: "bronze", table: "orders" },
      },
    ]);
  });

  it("publishes nothing without a pipeline (a local run)", () => {
    expect(
      capture(() =>
        publishTableRows("bronze", "orders", { rowsIn: 1, rowsWritten: 1, rowsQuarantined: 0 }, ""),
      ),
    ).toEqual([]);
  });

  it("makes the Spark runner print the same namespace, dimensions and names for every silver table", () => {
    const spec = stackSpec("dev");
    const plans = buildTransformPlans(spec, "spark-delta", {
      bronze: "b",
      silver: "s",
      gold: "g",
      quarantine: "q",
    });
    const dir = mkdtempSync(path.join(tmpdir(), "spark-metrics-"));
    const planFile = path.join(dir, "silver.json");
    writeFileSync(planFile, JSON.stringify(plans.bronzeToSilver));
    // The runner's own unittest fake answers each MERGE as Delta does: num_inserted_rows 0, num_updated_rows 1.
    const script = [
      "import sys, spark_runner, test_spark_runner as t",
      "session = t.FakeSession()",
      "sys.exit(spark_runner.main(['--plan', sys.argv[1], '--metrics-pipeline', 'brewery-dev', '--hash-key-secret', 'env:MEDALLION_TEST_KEY'], lambda: session))",
    ].join("\n");
    const run = spawnSync("python3", ["-c", script, planFile], {
      cwd: path.join(__dirname, "..", "transform"),
      env: { ...process.env, PYTHONDONTWRITEBYTECODE: "1", MEDALLION_TEST_KEY: "k".repeat(32) },
      encoding: "utf8",
    });
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    const documents = run.stdout
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => read(JSON.parse(l) as EmfDocument));
    expect(documents.map((d) => d.labels.table)).toEqual(spec.tables.map((t) => t.name).sort());
    for (const d of documents) {
      expect(d.namespace).toBe(DATA_METRICS_NAMESPACE);
      expect(d.dimensions).toEqual([[...DATA_METRIC_DIMENSIONS]]);
      expect(d.labels).toMatchObject({ pipeline: "brewery-dev", layer: "silver" });
      // The fake stages 2 rows per table; each MERGE reports 0 inserted + 1 updated.
      expect(d.values).toEqual({
        [DATA_METRICS.rowsIn]: 2,
        [DATA_METRICS.rowsQuarantined]: 1,
        [DATA_METRICS.rowsWritten]: 1,
      });
    }
  });
});
