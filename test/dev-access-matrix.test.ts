import { runSimulation } from "@cloud-copilot/iam-simulate";
import { accessMatrix, formatMatrix, planLocations, planPrincipals } from "../infra/policy/access-matrix";
import {
  athenaMatrix,
  athenaModel,
  formatAthenaMatrix,
  IAM_ALLOWED_PRINCIPALS,
  type AthenaCell,
} from "../infra/policy/access-matrix-athena";
import type { Plan } from "../infra/preview/plan";
import { PREVIEW_ACCOUNT_ID } from "../infra/preview/mocks";
import { preview } from "./helpers";

/**
 * The dev stack's IAM access matrix: every role the stack creates × every encrypted bucket × read/write,
 * as an IAM policy simulator decides it from the plan's identity, bucket and key policies. A change that
 * widens or narrows any role's data access changes this table, and a reviewer sees it here.
 */
describe("the dev stack's access matrix", () => {
  it("grants each workload exactly the layers it works on, and the gold consumer gold only", async () => {
    const { plan } = await preview("dev");
    const table = formatMatrix(await accessMatrix(planPrincipals(plan), planLocations(plan)));
    expect(table).toBe(
      [
        "| principal                                                   | brewery-raw read | brewery-raw write | brewery-bronze read | brewery-bronze write | brewery-silver read | brewery-silver write | brewery-gold read | brewery-gold write | brewery-artifacts read | brewery-artifacts write |",
        "|-------------------------------------------------------------|------------------|-------------------|---------------------|----------------------|---------------------|----------------------|-------------------|--------------------|------------------------|-------------------------|",
        "| brewery-ingestion-api-pulls-scheduler-role                  | deny             | deny              | deny                | deny                 | deny                | deny                 | deny              | deny               | deny                   | deny                    |",
        "| brewery-ingestion-cdc-delivery-role                         | deny             | allow             | deny                | deny                 | deny                | deny                 | deny              | deny               | deny                   | deny                    |",
        "| brewery-ingestion-raw-arrival-converter-task-execution-role | deny             | deny              | deny                | deny                 | deny                | deny                 | deny              | deny               | deny                   | deny                    |",
        "| brewery-ingestion-raw-arrival-converter-task-task-role      | allow            | deny              | deny                | allow                | deny                | deny                 | deny              | deny               | deny                   | deny                    |",
        "| brewery-ingestion-api-pulls-puller-role                     | deny             | allow             | deny                | deny                 | deny                | deny                 | deny              | deny               | deny                   | deny                    |",
        "| brewery-ingestion-cdc-transformer-role                      | deny             | deny              | deny                | deny                 | deny                | deny                 | deny              | deny               | deny                   | deny                    |",
        "| brewery-ingestion-raw-arrival-control-record-role           | deny             | deny              | deny                | deny                 | deny                | deny                 | deny              | deny               | deny                   | deny                    |",
        "| brewery-ingestion-raw-arrival-converter-role                | allow            | deny              | deny                | allow                | deny                | deny                 | deny              | deny               | deny                   | deny                    |",
        "| brewery-lake-formation-gold-consumer                        | deny             | deny              | deny                | deny                 | deny                | deny                 | allow             | deny               | deny                   | deny                    |",
        "| brewery-lake-formation-registration-role                    | deny             | deny              | allow               | deny                 | allow               | allow                | allow             | allow              | deny                   | deny                    |",
        "| brewery-ingestion-raw-arrival-workflow-role                 | deny             | deny              | deny                | deny                 | deny                | deny                 | deny              | deny               | deny                   | deny                    |",
        "| brewery-workflows-machines-role                             | deny             | deny              | deny                | deny                 | deny                | deny                 | deny              | deny               | deny                   | deny                    |",
        "| brewery-transform-role                                      | deny             | deny              | allow               | deny                 | allow               | allow                | allow             | allow              | deny                   | deny                    |",
        "| brewery-workflows-scheduler-role                            | deny             | deny              | deny                | deny                 | deny                | deny                 | deny              | deny               | deny                   | deny                    |",
      ].join("\n"),
    );
  });

  it("lets the converter (Lambda and Fargate task) read a named object version in raw: s3:GetObjectVersion", async () => {
    // GetObject with versionId is authorised as s3:GetObjectVersion
    // (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html, Versioning).
    const { plan } = await preview("dev");
    const raw = planLocations(plan).find((l) => l.label === "brewery-raw")!;
    const decide = async (label: string) => {
      const principal = planPrincipals(plan).find((p) => p.label === label)!;
      const result = await runSimulation(
        {
          request: {
            principal: principal.arn,
            action: "s3:GetObjectVersion",
            resource: {
              resource: `arn:aws:s3:::${raw.bucket}/brewery/2026/b.csv`,
              accountId: PREVIEW_ACCOUNT_ID,
            },
            contextVariables: {
              "aws:PrincipalArn": principal.arn,
              "aws:PrincipalAccount": PREVIEW_ACCOUNT_ID,
              "aws:RequestedRegion": "us-east-1",
              "aws:SecureTransport": "true",
            },
          },
          identityPolicies: principal.policies,
          serviceControlPolicies: [],
          resourceControlPolicies: [],
          ...(raw.bucketPolicy ? { resourcePolicy: raw.bucketPolicy } : {}),
        },
        { simulationMode: "Strict" },
      );
      if (result.resultType === "error") throw new Error(result.errors.message);
      return result.overallResult;
    };
    expect(await decide("brewery-ingestion-raw-arrival-converter-role")).toBe("Allowed");
    expect(await decide("brewery-ingestion-raw-arrival-converter-task-task-role")).toBe("Allowed");
    expect(await decide("brewery-ingestion-raw-arrival-control-record-role")).not.toBe("Allowed");
  });
});

describe("the dev stack's gold consumer", () => {
  // Athena queries a Lake Formation location with credentials the caller obtains through
  // lakeformation:GetDataAccess (https://docs.aws.amazon.com/lake-formation/latest/dg/access-control-underlying-data.html).
  it("may ask Lake Formation for the credentials Athena reads gold with (issue 13 item 7)", async () => {
    const { plan } = await preview("dev");
    const consumer = planPrincipals(plan).find((p) => p.label === "brewery-lake-formation-gold-consumer")!;
    const result = await runSimulation(
      {
        request: {
          principal: consumer.arn,
          action: "lakeformation:GetDataAccess",
          resource: { resource: "*", accountId: PREVIEW_ACCOUNT_ID },
          contextVariables: {},
        },
        identityPolicies: consumer.policies,
        serviceControlPolicies: [],
        resourceControlPolicies: [],
      },
      { simulationMode: "Strict" },
    );
    expect(result.resultType === "single" && result.overallResult).toBe("Allowed");
  });
});

/**
 * The gold consumer's Athena path, both layers decided from the plan: IAM (workgroup, results, glue:GetTable,
 * GetDataAccess or S3) simulated over the plan's policies, and Lake Formation's SELECT from the plan's
 * `lakeformation.Permissions` and data lake settings. Plan-driven, so it holds whether tables are Pulumi
 * resources or Spark's, and whether grants name tables or every table of a database (issue 13 build 3).
 */
describe("the dev stack's Athena path through Lake Formation", () => {
  const CONSUMER = "brewery-lake-formation-gold-consumer";
  let plan: Plan;
  let cells: AthenaCell[];
  const athena = async (p: Plan) => athenaMatrix(planPrincipals(p), athenaModel(p));
  const cell = (list: AthenaCell[], database: string) =>
    list.find((c) => c.principal === CONSUMER && c.database === `brewery_dev_${database}`);

  beforeAll(async () => {
    plan = (await preview("dev")).plan;
    cells = await athena(plan);
  });

  it("lets the gold consumer query gold only: silver, quarantine, bronze and raw have no grant in either layer", () => {
    expect(formatAthenaMatrix(cells.filter((c) => c.principal === CONSUMER))).toBe(
      [
        "| principal                            | brewery_dev_raw                                              | brewery_dev_bronze                        | brewery_dev_silver                        | brewery_dev_quarantine                    | brewery_dev_gold |",
        "|--------------------------------------|--------------------------------------------------------------|-------------------------------------------|-------------------------------------------|-------------------------------------------|------------------|",
        "| brewery-lake-formation-gold-consumer | deny: glue:GetTable, lakeformation SELECT, data s3:GetObject | deny: glue:GetTable, lakeformation SELECT | deny: glue:GetTable, lakeformation SELECT | deny: glue:GetTable, lakeformation SELECT | allow            |",
      ].join("\n"),
    );
  });

  it("lets no other role of the stack start a query in the workgroup", () => {
    const others = cells.filter((c) => c.principal !== CONSUMER);
    expect(others.length).toBeGreaterThan(0);
    expect(others.filter((c) => c.allowed || !c.deniedBy.includes("athena:StartQueryExecution"))).toEqual([]);
  });

  it("denies gold when the Lake Formation SELECT grant is missing, though IAM allows every call", async () => {
    const withoutGrant = {
      ...plan,
      resources: plan.resources.filter((r) => r.name !== "brewery-lake-formation-consumer-gold-tables"),
    };
    expect(cell(await athena(withoutGrant), "gold")).toMatchObject({
      allowed: false,
      deniedBy: ["lakeformation SELECT"],
    });
  });

  it("leaves the decision to IAM when the account's defaults grant IAMAllowedPrincipals, and IAM still stops silver", async () => {
    const defaults = {
      ...plan,
      resources: plan.resources.map((r) =>
        r.type === "aws:lakeformation/dataLakeSettings:DataLakeSettings"
          ? {
              ...r,
              inputs: {
                ...r.inputs,
                createDatabaseDefaultPermissions: [
                  { permissions: ["ALL"], principal: IAM_ALLOWED_PRINCIPALS },
                ],
              },
            }
          : r,
      ),
    };
    const decided = await athena(defaults);
    expect(cell(decided, "silver")).toMatchObject({ allowed: false, deniedBy: ["glue:GetTable"] });
    expect(cell(decided, "gold")?.allowed).toBe(true);
  });

  it("decides the same without catalog tables in the plan (Spark owns table DDL) and with database-level grants only", async () => {
    const sparkTables = {
      ...plan,
      resources: plan.resources
        .filter((r) => r.type !== "aws:glue/catalogTable:CatalogTable")
        .map((r) =>
          r.name === "brewery-lake-formation-consumer-gold-database"
            ? { ...r, inputs: { ...r.inputs, permissions: ["DESCRIBE", "CREATE_TABLE"] } }
            : r,
        ),
    };
    const decided = await athena(sparkTables);
    expect(cell(decided, "gold")?.allowed).toBe(true);
    // A database-level grant carries no SELECT: without the every-table grant, gold is refused.
    const databaseOnly = {
      ...sparkTables,
      resources: sparkTables.resources.filter(
        (r) => r.name !== "brewery-lake-formation-consumer-gold-tables",
      ),
    };
    expect(cell(await athena(databaseOnly), "gold")?.deniedBy).toEqual(["lakeformation SELECT"]);
  });

  it("needs lakeformation:GetDataAccess on the registered gold location", async () => {
    const noCredentials = {
      ...plan,
      resources: plan.resources.map((r) =>
        r.name === "brewery-lake-formation-consumer-catalog"
          ? {
              ...r,
              inputs: { ...r.inputs, policy: stripStatement(r.inputs.policy, "LakeFormationCredentials") },
            }
          : r,
      ),
    };
    expect(cell(await athena(noCredentials), "gold")?.deniedBy).toEqual(["lakeformation:GetDataAccess"]);
  });
});

function stripStatement(policy: unknown, sid: string): string {
  const document = JSON.parse(String(policy)) as { Statement: { Sid?: string }[] };
  return JSON.stringify({ ...document, Statement: document.Statement.filter((s) => s.Sid !== sid) });
}
