import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { cli, CUSTOMERS, setClock, write } from "./pipeline-local-test-support";

/** issue 16 item 6: the batch ends with the per-table figures, and --report writes them as HTML with charts. */
describe("pipeline:local per-table figures and --report", () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "pipeline-report-"));
  const raw = write(path.join(tmp, "raw"), { "customers/one.csv": CUSTOMERS });
  const report = path.join(tmp, "out", "report.html");
  let run: Awaited<ReturnType<typeof cli>>;

  beforeAll(async () => {
    setClock("2024-07-01T02:00:00Z");
    run = await cli("--dir", path.join(tmp, "lake"), "--raw", raw, "--report", report);
  });

  it("ends the batch with the figures the dashboard charts, per table", () => {
    expect(run.code).toBe(0);
    const at = run.out.join("\n").split("\n");
    const start = at.findIndex((l) => l.startsWith("per-table figures"));
    expect(start).toBeGreaterThan(0);
    const customers = at.slice(start).find((l) => l.trim().startsWith("customers "))!;
    // 3 records: one is no decimal (converter), one has a CPF of repeated digits (quality gate).
    expect(customers.trim().split(/\s+/)).toEqual(["customers", "3", "2", "1", "1", "0", "1"]);
  });

  it("writes a self-contained HTML report with rows per layer and quarantine reasons as charts", () => {
    const html = fs.readFileSync(report, "utf8");
    expect(run.err).toContain(`pipeline: report written to ${report}`);
    // Self-contained: nothing fetched, nothing run.
    expect(html).not.toMatch(/<script|<link|<img|<iframe|\bsrc=|\bhref=|@import|url\(/i);
    const charts = [...html.matchAll(/<svg[\s\S]*?<\/svg>/g)].map((m) => m[0]);
    expect(charts).toHaveLength(2);
    const bars = (svg: string) => [...svg.matchAll(/<title>([^<]+)<\/title>/g)].map((m) => m[1]);
    expect(bars(charts[0])).toEqual(
      expect.arrayContaining([
        "customers raw: 3",
        "customers bronze: 2",
        "customers quarantined: 1",
        "customers silver: 1",
      ]),
    );
    expect(bars(charts[1]).some((b) => /^quality customers\.format_cpf\(cpf\): 1$/.test(b))).toBe(true);
    expect(bars(charts[1]).some((b) => b.startsWith("convert customers: "))).toBe(true);
    expect(html).toContain(
      "<td>customers</td><td>3</td><td>2</td><td>1</td><td>1</td><td>0</td><td>1</td><td>1</td>",
    );
  });

  it("refuses --report with --dump alone (no batch to report)", async () => {
    const refused = await cli(
      "--dir",
      path.join(tmp, "lake"),
      "--dump",
      "silver.customers",
      "--report",
      report,
    );
    expect(refused.code).toBe(2);
    expect(refused.err.join("\n")).toContain("--report needs a batch");
  });
});
