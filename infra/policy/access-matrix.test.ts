import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { parseLakehouseSpec } from "../../components/spec";
import { runUnderMocks } from "../preview/harness";
import { previewMocks } from "../preview/mocks";
import { buildPlan, type Plan } from "../preview/plan";
import { accessMatrix, formatMatrix, planLocations, planPrincipals } from "./access-matrix";

const ROOT = path.resolve(__dirname, "..", "..");
const devSpec = () =>
  parseLakehouseSpec(
    parse(fs.readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8")).config["medallion:lakehouse"],
  );

/** The dev lakehouse with two workloads granted the way the stack grants them. */
async function lakehouseWithRoles(): Promise<Plan> {
  const { AwsLakehouse } = await import("../../components");
  const { Role } = await import("@pulumi/aws/iam");
  const assume = JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      { Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" },
    ],
  });
  const { resources } = await runUnderMocks({
    project: "medallion",
    stack: "dev",
    config: {},
    mocks: previewMocks(),
    program: () => {
      const lakehouse = new AwsLakehouse("brewery", { spec: devSpec(), environment: "dev" });
      const converter = new Role("converter", { name: "converter", assumeRolePolicy: assume });
      const consumer = new Role("gold-consumer", { name: "gold-consumer", assumeRolePolicy: assume });
      lakehouse.layers.raw.grantRead({ name: "converter", role: converter });
      lakehouse.layers.bronze.grantWrite({ name: "converter", role: converter });
      lakehouse.layers.gold.grantRead({ name: "consumer", role: consumer });
      return {};
    },
  });
  return buildPlan("medallion", "dev", resources);
}

describe("IAM access matrix", () => {
  let table: string;
  let cells: Awaited<ReturnType<typeof accessMatrix>>;

  beforeAll(async () => {
    const plan = await lakehouseWithRoles();
    // The lakehouse's own workload roles are asserted on the dev stack; here, the two granted above.
    const principals = planPrincipals(plan).filter((p) => ["converter", "gold-consumer"].includes(p.label));
    cells = await accessMatrix(principals, planLocations(plan));
    table = formatMatrix(cells);
  });

  it("is readable as a table of principal × layer × read/write", () => {
    expect(table).toBe(
      [
        "| principal     | brewery-raw read | brewery-raw write | brewery-bronze read | brewery-bronze write | brewery-silver read | brewery-silver write | brewery-gold read | brewery-gold write | brewery-artifacts read | brewery-artifacts write |",
        "|---------------|------------------|-------------------|---------------------|----------------------|---------------------|----------------------|-------------------|--------------------|------------------------|-------------------------|",
        "| converter     | allow            | deny              | deny                | allow                | deny                | deny                 | deny              | deny               | deny                   | deny                    |",
        "| gold-consumer | deny             | deny              | deny                | deny                 | deny                | deny                 | allow             | deny               | deny                   | deny                    |",
      ].join("\n"),
    );
  });

  it("shows the gold consumer can neither read nor decrypt raw, bronze or silver", () => {
    for (const layer of ["raw", "bronze", "silver"]) {
      expect(
        cells.find(
          (c) => c.principal === "gold-consumer" && c.location === `brewery-${layer}` && c.access === "read",
        ),
      ).toEqual({
        principal: "gold-consumer",
        location: `brewery-${layer}`,
        access: "read",
        allowed: false,
        deniedBy: "s3:GetObject",
      });
    }
  });

  it("denies decrypting another layer's key even to a role that may read that layer's objects", async () => {
    const plan = await lakehouseWithRoles();
    const [gold, raw] = ["brewery-gold", "brewery-raw"].map((l) =>
      planLocations(plan).find((x) => x.label === l),
    );
    if (!gold || !raw) throw new Error("layers missing");
    // Raw's objects addressed, but encrypted under gold's key: the consumer's grant covers gold's key only through gold.
    const mixed = { ...raw, label: "raw-objects-gold-key", keyArn: gold.keyArn, keyPolicy: gold.keyPolicy };
    const consumer = planPrincipals(plan).filter((p) => p.label === "gold-consumer");
    expect(await accessMatrix(consumer, [mixed])).toContainEqual(
      expect.objectContaining({ access: "read", allowed: false, deniedBy: "s3:GetObject" }),
    );
    const converter = planPrincipals(plan).filter((p) => p.label === "converter");
    const rawUnderGoldKey = await accessMatrix(converter, [mixed]);
    expect(rawUnderGoldKey.find((c) => c.access === "read")).toEqual(
      expect.objectContaining({ allowed: false, deniedBy: "kms:Decrypt" }),
    );
  });
});
