import fc from "fast-check";
import { lakehouseSpecProblems, type LakehouseSpecInput } from "../spec";
import { freshnessWindow } from "./table-alarms";

const spec = (table: Record<string, unknown> = {}, observability?: unknown): LakehouseSpecInput =>
  ({
    name: "shop",
    alerts: { emails: ["data@example.com"] },
    tables: [
      {
        name: "orders",
        source: { kind: "batch" },
        columns: [{ name: "order_id", type: "bigint" }],
        primaryKey: ["order_id"],
        ...table,
      },
    ],
    ...(observability ? { observability } : {}),
  }) as LakehouseSpecInput;

const PUT_METRIC_ALARM_MAX = (period: number) => (period < 3600 ? 86_400 : 604_800);

describe("the data alarms' spec fields (issue 16 item 2)", () => {
  it("covers every accepted expectedEvery with one window PutMetricAlarm accepts, exactly as long", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 11_000 }), fc.constantFrom("m", "h", "d"), (n, unit) => {
        const expectedEvery = `${n}${unit}`;
        const accepted = lakehouseSpecProblems(spec({ monitoring: { expectedEvery } })).length === 0;
        const seconds = n * { m: 60, h: 3600, d: 86_400 }[unit];
        if (!accepted) return;
        const { period, evaluationPeriods } = freshnessWindow(expectedEvery);
        expect(period % 60).toBe(0);
        expect(period * evaluationPeriods).toBe(seconds);
        expect(period * evaluationPeriods).toBeLessThanOrEqual(PUT_METRIC_ALARM_MAX(period));
      }),
    );
  });

  it("fails if expectedEvery is longer than CloudWatch can evaluate, naming the field", () => {
    expect(brief(lakehouseSpecProblems(spec({ monitoring: { expectedEvery: "8d" } })))).toEqual([
      { path: "lakehouse.tables[0].monitoring.expectedEvery", message: "must be at most 7 days (7d)" },
    ]);
    expect(brief(lakehouseSpecProblems(spec({ monitoring: { expectedEvery: "1441m" } })))).toEqual([
      {
        path: "lakehouse.tables[0].monitoring.expectedEvery",
        message: "must be whole hours when longer than 1 day",
      },
    ]);
    expect(lakehouseSpecProblems(spec({ monitoring: { expectedEvery: "1h30m" } }))[0]?.path).toBe(
      "lakehouse.tables[0].monitoring.expectedEvery",
    );
  });

  it("fails if the quarantine ratio is not a share in (0, 1]", () => {
    expect(lakehouseSpecProblems(spec({ monitoring: { maxQuarantineRatio: 5 } })).map((p) => p.path)).toEqual(
      ["lakehouse.tables[0].monitoring.maxQuarantineRatio"],
    );
  });

  it("fails if a budget has more than the 5 notifications both clouds allow", () => {
    expect(
      brief(
        lakehouseSpecProblems(
          spec({}, { budget: { forecastPercents: [50, 100], actualPercents: [50, 80, 90, 100] } }),
        ),
      ),
    ).toEqual([
      {
        path: "lakehouse.observability.budget",
        message: "a budget takes at most 5 notifications (forecast and actual thresholds together)",
      },
    ]);
  });
});

/** The path and message of each problem (the named path and location are checked in components/spec). */
function brief(problems: readonly { path: string; message: string }[]) {
  return problems.map(({ path, message }) => ({ path, message }));
}
