import * as fs from "node:fs";
import * as path from "node:path";
import { CONVERTER_INTERFACE_ENDPOINTS } from "../components/aws/converter-network";
import type { LakehouseSpecInput } from "../components/spec";
import { METRICS_NAMESPACE } from "../functions/lib/telemetry";
import { evaluatePlan } from "../infra/policy/evaluate";
import type { Plan, PlanResource } from "../infra/preview/plan";
import { PREVIEW_DEPLOYER_ROLE_ARN } from "../infra/preview/mocks";
import { readStackConfig } from "../infra/preview/stack-file";
import { named, ofType, preview, ROOT } from "./helpers";

/** The dev spec with an event table, so every ingestion handler (and every metric it emits) is deployed. */
function everySourceKind(): string {
  const spec = JSON.parse(
    readStackConfig(ROOT, "dev").config["medallion:lakehouse"] ?? "null",
  ) as LakehouseSpecInput;
  const payments = {
    name: "payments",
    source: { kind: "event" as const, idField: "payment_id" },
    columns: [{ name: "payment_id", type: "string" as const }],
    primaryKey: ["payment_id"],
  };
  return JSON.stringify({ ...spec, tables: [...spec.tables, payments] });
}

/** Every `kms:ViaService` value in the plan's IAM policies. */
function viaServices(plan: Plan): string[] {
  const found: string[] = [];
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === "object") {
      for (const [key, v] of Object.entries(value)) {
        if (key === "kms:ViaService") found.push(...(Array.isArray(v) ? v : [v]).map(String));
        else walk(v);
      }
    }
  };
  for (const r of plan.resources) {
    for (const input of ["policy", "inlinePolicies"]) {
      const raw = r.inputs[input];
      walk(typeof raw === "string" ? (JSON.parse(raw) as unknown) : raw);
    }
  }
  return found;
}

/**
 * The failure metrics the handlers emit, read from their source: `[service, metric]` for every
 * `addMetric("…Failed|…Skipped|…Quarantined", …)` and the skipped-object constant.
 */
function emittedFailureMetrics(): [string, string][] {
  const functionsDir = path.join(ROOT, "functions");
  const control = fs.readFileSync(path.join(functionsDir, "lib", "control.ts"), "utf8");
  const constants = Object.fromEntries(
    [...control.matchAll(/export const ([A-Z_]+) = "([^"]+)"/g)].map((m) => [m[1], m[2]]),
  );
  const value = (token: string) => (token.startsWith('"') ? token.slice(1, -1) : constants[token]);
  const found: [string, string][] = [];
  for (const dir of fs.readdirSync(functionsDir)) {
    for (const file of ["handler.ts", "task.ts"]) {
      const source = path.join(functionsDir, dir, file);
      if (!fs.existsSync(source)) continue;
      const text = fs.readFileSync(source, "utf8");
      const service = /telemetry\(("[\w-]+"|[A-Z_]+)\)/.exec(text)?.[1];
      if (!service) continue;
      for (const m of text.matchAll(/addMetric\(\s*(?:[^,]*\?\s*)?("[A-Za-z]+"|[A-Z_]+)/g)) {
        const metric = value(m[1]);
        if (metric && /Failed|Skipped|Quarantined|Errors/.test(metric)) found.push([value(service), metric]);
      }
    }
  }
  return found.sort();
}

describe("the first pulumi up of dev (issue 13)", () => {
  let plan: Plan;

  beforeAll(async () => {
    ({ plan } = await preview("dev", { overrides: { "medallion:lakehouse": everySourceKind() } }));
  });

  it("passes the policy pack with every ingestion handler deployed", () => {
    expect(evaluatePlan(plan, false).map((v) => `${v.rule} ${v.urn} ${v.message}`)).toEqual([]);
  });

  it("makes the configured admins and the deployer's SSO role, path kept, the Lake Formation admins (item 4)", () => {
    const configured = JSON.parse(
      readStackConfig(ROOT, "dev").config["medallion:lakeFormationAdmins"],
    ) as string[];
    const settings = ofType(plan, "aws:lakeformation/dataLakeSettings:DataLakeSettings");
    expect(settings).toHaveLength(1);
    expect(PREVIEW_DEPLOYER_ROLE_ARN).toContain(":role/aws-reserved/sso.amazonaws.com/");
    expect(settings[0].inputs.admins).toEqual([...new Set([...configured, PREVIEW_DEPLOYER_ROLE_ARN])]);
  });

  it("reserves no Lambda concurrency, which accounts at the default quota of 10 refuse (item 6)", () => {
    const reserving = ofType(plan, "aws:lambda/function:Function").filter(
      (f) => f.inputs.reservedConcurrentExecutions !== undefined,
    );
    expect(reserving.map((f) => f.name)).toEqual([]);
  });

  it("runs the converter in private subnets of the stack's VPC with the endpoints the task needs (item 5)", () => {
    const definition = named(plan, "brewery-ingestion-raw-arrival-workflow-raw-to-bronze").inputs
      .definition as string;
    const subnets = ofType(plan, "aws:ec2/subnet:Subnet");
    expect(subnets.map((s) => s.inputs.mapPublicIpOnLaunch)).toEqual([false, false]);
    expect(new Set(subnets.map((s) => s.inputs.availabilityZone)).size).toBe(2);
    const vpcConfig = [...definition.matchAll(/"AwsvpcConfiguration":(\{[^}]*\})/g)].map(
      (m) => JSON.parse(m[1]) as { Subnets: string[]; AssignPublicIp: string },
    );
    expect(vpcConfig.length).toBeGreaterThan(0);
    for (const config of vpcConfig) {
      expect(config.AssignPublicIp).toBe("DISABLED");
      // The stack's two subnets (the preview has no default VPC to look up: its mocks answer no getVpc).
      expect(config.Subnets).toHaveLength(subnets.length);
    }
    const endpoints = ofType(plan, "aws:ec2/vpcEndpoint:VpcEndpoint").map(
      (e) => `${String(e.inputs.vpcEndpointType)} ${String(e.inputs.serviceName)}`,
    );
    expect(endpoints.sort()).toEqual(
      [
        "Gateway com.amazonaws.us-east-1.dynamodb",
        "Gateway com.amazonaws.us-east-1.s3",
        ...CONVERTER_INTERFACE_ENDPOINTS.map((s) => `Interface com.amazonaws.us-east-1.${s}`),
      ].sort(),
    );
    // Nothing may leave for the internet: the subnets have no route there and the task group no 0.0.0.0/0.
    const task = named(plan, "brewery-ingestion-raw-arrival-converter-task-network-task");
    expect(JSON.stringify(task.inputs.egress)).not.toContain("0.0.0.0/0");
    expect(ofType(plan, "aws:ec2/route:Route")).toEqual([]);
    expect(ofType(plan, "aws:ec2/internetGateway:InternetGateway")).toEqual([]);
  });

  it("alarms on every failure metric a handler emits, on the dimensions it publishes (item 11)", () => {
    const emitted = emittedFailureMetrics();
    expect(emitted.map(([, metric]) => metric)).toEqual(
      expect.arrayContaining([
        "ObjectsSkipped",
        "RecordsFailed",
        "PullsFailed",
        "MessagesFailed",
        "RowsQuarantined",
      ]),
    );
    const alarms = ofType(plan, "aws:cloudwatch/metricAlarm:MetricAlarm").filter(
      (a) => a.inputs.namespace === METRICS_NAMESPACE,
    );
    // The database pull is deployed only with database tables: test/database-pull-stack.test.ts checks its alarm.
    const unalarmed = emitted.filter(
      ([service, metric]) =>
        service !== "db-pull" &&
        !alarms.some((a) => {
          const dimensions = a.inputs.dimensions as Record<string, string>;
          return (
            a.inputs.metricName === metric &&
            dimensions.service === service &&
            typeof dimensions.function === "string" &&
            (a.inputs.alarmActions as string[]).length > 0
          );
        }),
    );
    expect(unalarmed).toEqual([]);
  });

  it("gives the ECS converter's metrics the task family as scope, as its alarm selects (item 11)", () => {
    const task = named(plan, "brewery-ingestion-raw-arrival-converter-task-task");
    const [container] = JSON.parse(task.inputs.containerDefinitions as string) as {
      environment: { name: string; value: string }[];
    }[];
    const scope = container.environment.find((e) => e.name === "METRICS_SCOPE")?.value;
    expect(scope).toBe(task.inputs.family);
    const alarm = named(plan, "brewery-ingestion-raw-arrival-converter-task-rows-quarantined");
    expect(alarm.inputs.dimensions).toEqual({ service: "converter-task", function: scope });
  });

  it("creates the Firehose DestinationDelivery log stream and dead-letters the _errors/ alert (items 8, 11)", () => {
    const stream = named(plan, "brewery-ingestion-cdc-delivery-log-stream");
    expect(stream.inputs.name).toBe("DestinationDelivery");
    const target = named(plan, "brewery-ingestion-raw-arrival-errors-alert");
    expect((target.inputs.deadLetterConfig as { arn: string }).arn).toMatch(/raw-errors-alert-dlq$/);
  });
});

describe("kms:ViaService in another partition (issue 13 item 12)", () => {
  let plan: Plan;

  beforeAll(async () => {
    ({ plan } = await preview("dev", { overrides: { "aws:region": "cn-north-1" } }));
  });

  it("uses the partition's DNS suffix in every condition", () => {
    const values = viaServices(plan);
    expect(values.length).toBeGreaterThan(5);
    expect(values.filter((v) => !/^[a-z0-9-]+\.cn-north-1\.amazonaws\.com\.cn$/.test(v))).toEqual([]);
  });

  it("names the converter's VPC endpoints in the partition's reverse DNS", () => {
    const names = ofType(plan, "aws:ec2/vpcEndpoint:VpcEndpoint").map(
      (e: PlanResource) => e.inputs.serviceName,
    );
    expect(names).toContain("cn.com.amazonaws.cn-north-1.s3");
  });
});
