import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { evaluatePlan } from "../infra/policy/evaluate";
import { checkKeyServices } from "../infra/policy/key-services";
import { LAMBDA_VPC_DESCRIBE_ACTIONS, LAMBDA_VPC_INTERFACE_ACTIONS } from "../components/aws/function";
import { ofType, policyOf, preview, ROOT } from "./helpers";

/**
 * A database table pulled by watermark (issue 17 item 1, `pull`) on the dev stack: its own pull function in
 * the database's subnets, hourly and daily D-1 schedules, read access to that table's connection secret
 * only, an alarm on failed pulls, and the whole plan passing the policy pack.
 */

const NETWORK = { subnetIds: ["subnet-0a1b2c3d4e5f60718"], securityGroupIds: ["sg-0a1b2c3d4e5f60718"] };

function devSpecWith(source: Record<string, unknown>) {
  const stackFile = parse(fs.readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8"));
  const spec = structuredClone(stackFile.config["medallion:lakehouse"]);
  spec.secrets.push({ name: "shop-db", description: "The shop database (RDS secret JSON)" });
  spec.tables.push({
    name: "orders",
    source,
    columns: [
      { name: "order_id", type: "bigint", nullable: false },
      { name: "amount", type: "decimal(12,2)" },
      { name: "updated_at", type: "timestamp", nullable: false },
    ],
    primaryKey: ["order_id"],
    incremental: { strategy: "watermark", watermarkColumn: "updated_at" },
  });
  return JSON.stringify(spec);
}

const pullSource = { kind: "database", engine: "aurora-postgresql", secret: "shop-db", capture: "pull" };

describe("a database pull table on AWS", () => {
  it("previews a pull function in the database network with its schedules, secret and alarm", async () => {
    const { plan } = await preview("dev", {
      overrides: {
        "medallion:lakehouse": devSpecWith(pullSource),
        "medallion:databaseNetwork": JSON.stringify(NETWORK),
      },
    });
    const fn = ofType(plan, "aws:lambda/function:Function").find((f) =>
      String(f.inputs.name).endsWith("-db-pull"),
    );
    expect(fn?.inputs.vpcConfig).toEqual(NETWORK);
    // CreateFunction checks the role may manage network interfaces before it accepts a VPC.
    const vpcPolicy = ofType(plan, "aws:iam/rolePolicy:RolePolicy").find((p) =>
      p.name.endsWith("-db-pulls-puller-vpc-access"),
    );
    const [describe, manage] = policyOf(vpcPolicy!).Statement;
    expect(describe).toMatchObject({ Action: [...LAMBDA_VPC_DESCRIBE_ACTIONS], Resource: "*" });
    expect(manage).toMatchObject({
      Action: [...LAMBDA_VPC_INTERFACE_ACTIONS],
      Resource: [
        "arn:aws:ec2:us-east-1:123456789012:network-interface/*",
        `arn:aws:ec2:us-east-1:123456789012:subnet/${NETWORK.subnetIds[0]}`,
        `arn:aws:ec2:us-east-1:123456789012:security-group/${NETWORK.securityGroupIds[0]}`,
      ],
    });
    expect(fn?.dependsOn).toContain(vpcPolicy?.urn);

    const schedules = ofType(plan, "aws:scheduler/schedule:Schedule").filter((s) =>
      String((s.inputs.target as { input?: string }).input).includes('"orders"'),
    );
    expect(schedules.map((s) => JSON.parse((s.inputs.target as { input: string }).input))).toEqual(
      expect.arrayContaining([
        { table: "orders", mode: "hourly" },
        { table: "orders", mode: "daily" },
      ]),
    );
    expect(schedules).toHaveLength(2);

    const reads = ofType(plan, "aws:iam/rolePolicy:RolePolicy")
      .filter((p) => p.name.endsWith("-read-db-pull"))
      .flatMap((p) => policyOf(p).Statement)
      .filter((s) => JSON.stringify(s.Action).includes("secretsmanager:GetSecretValue"));
    expect(reads).toHaveLength(1);
    expect(JSON.stringify(reads[0].Resource)).toContain("shop-db");
    expect(JSON.stringify(reads[0].Resource)).not.toContain("brewery-api");

    const alarms = ofType(plan, "aws:cloudwatch/metricAlarm:MetricAlarm").filter(
      (a) => a.inputs.metricName === "PullsFailed",
    );
    expect(alarms.map((a) => (a.inputs.dimensions as { service: string }).service).sort()).toEqual([
      "api-pull",
      "db-pull",
    ]);
    const dbAlarm = alarms.find((a) => (a.inputs.dimensions as { service: string }).service === "db-pull");
    // The dimensions the handler publishes: service and function (as test/first-deploy.test.ts checks).
    expect(typeof (dbAlarm?.inputs.dimensions as { function?: string }).function).toBe("string");
    expect((dbAlarm?.inputs.alarmActions as string[]).length).toBeGreaterThan(0);

    expect(evaluatePlan(plan).map((v) => `${v.rule} ${v.urn}: ${v.message}`)).toEqual([]);
    expect(await checkKeyServices(plan)).toEqual([]);
  }, 180_000);

  it("refuses the stack, before anything registers, without the database network", async () => {
    await expect(
      preview("dev", { overrides: { "medallion:lakehouse": devSpecWith(pullSource) } }),
    ).rejects.toThrow(/medallion:databaseNetwork: is required when the spec has database pulls/);
  }, 120_000);

  it("refuses capture cdc on AWS until the DMS replication exists, naming the field", async () => {
    await expect(
      preview("dev", {
        overrides: {
          "medallion:lakehouse": devSpecWith({ ...pullSource, capture: "cdc" }),
          "medallion:databaseNetwork": JSON.stringify(NETWORK),
        },
      }),
    ).rejects.toThrow(/tables\[\d+\]\.source\.capture: "cdc" is not supported on aws yet/);
  }, 120_000);
});
