import aslValidator from "asl-validator";
import type { TableSpec } from "../spec";
import { rawToBronzeDefinition, routeChoices, type RawToBronzeTargets } from "./raw-arrival-definition";

const TARGETS: RawToBronzeTargets = {
  controlTable: "control",
  converterFunctionArn: "arn:aws:lambda:us-east-1:123456789012:function:converter",
  clusterArn: "arn:aws:ecs:us-east-1:123456789012:cluster/ingestion",
  taskDefinitionArn: "arn:aws:ecs:us-east-1:123456789012:task-definition/converter:1",
  subnetIds: ["subnet-1"],
  securityGroupIds: ["sg-1"],
  assignPublicIp: false,
  alertTopicArn: "arn:aws:sns:us-east-1:123456789012:alerts",
};

const table = (name: string, lambdaMaxRecords?: number) =>
  ({ name, overrides: lambdaMaxRecords === undefined ? {} : { lambdaMaxRecords } }) as TableSpec;

/** Walks the Choice rules the way Step Functions does (first match wins) for one input. */
function route(
  choices: Record<string, unknown>[],
  input: { table: string; estimatedRecords?: unknown },
): string {
  const test = (rule: Record<string, unknown>): boolean => {
    if (rule.Not) {
      const inner = rule.Not as Record<string, unknown>;
      if (inner.IsPresent) return input.estimatedRecords === undefined;
      if (inner.IsNumeric) return typeof input.estimatedRecords !== "number";
    }
    if (rule.And) return (rule.And as Record<string, unknown>[]).every(test);
    if (rule.StringEquals !== undefined) return input.table === rule.StringEquals;
    if (rule.NumericGreaterThan !== undefined)
      return (input.estimatedRecords as number) > (rule.NumericGreaterThan as number);
    throw new Error(`unexpected rule ${JSON.stringify(rule)}`);
  };
  return (choices.find(test)?.Next as string | undefined) ?? "ConvertOnLambda";
}

describe("the raw → bronze workflow definition", () => {
  it("is valid Amazon States Language, with and without per-table thresholds", () => {
    for (const tables of [[], [table("small", 10), table("big", 5_000_000)]]) {
      const result = aslValidator(rawToBronzeDefinition(TARGETS, { lambdaMaxRecords: 100_000, tables }));
      expect(result.errorsText("\n")).toBe("");
    }
  });

  it("routes by the spec's threshold, a table's own threshold first, unknown sizes to ECS", () => {
    const choices = routeChoices({
      lambdaMaxRecords: 100_000,
      tables: [table("beer"), table("review", 1_000)],
    });
    expect(route(choices, { table: "beer", estimatedRecords: 100_000 })).toBe("ConvertOnLambda");
    expect(route(choices, { table: "beer", estimatedRecords: 100_001 })).toBe("ConvertOnEcs");
    expect(route(choices, { table: "review", estimatedRecords: 1_000 })).toBe("ConvertOnLambda");
    expect(route(choices, { table: "review", estimatedRecords: 1_001 })).toBe("ConvertOnEcs");
    expect(route(choices, { table: "beer" })).toBe("ConvertOnEcs");
    expect(route(choices, { table: "beer", estimatedRecords: "many" })).toBe("ConvertOnEcs");
  });

  it("keeps one Choice state however many tables have overrides (no resource per table)", () => {
    const many = Array.from({ length: 50 }, (_, i) => table(`t${i}`, 1_000 + i));
    const definition = rawToBronzeDefinition(TARGETS, { lambdaMaxRecords: 100_000, tables: many }) as {
      States: Record<string, { Type: string }>;
    };
    expect(Object.values(definition.States).filter((s) => s.Type === "Choice")).toHaveLength(1);
    expect(Object.keys(definition.States)).toHaveLength(10);
  });
});
