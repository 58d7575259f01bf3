import { runSimulation } from "@cloud-copilot/iam-simulate";
import { accessMatrix, formatMatrix, planLocations, planPrincipals } from "../infra/policy/access-matrix";
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
        "| brewery-transform-role                                      | deny             | deny              | allow               | deny                 | allow               | allow                | allow             | allow              | deny                   | deny                    |",
        "| brewery-workflows-role                                      | deny             | deny              | deny                | deny                 | deny                | deny                 | deny              | deny               | deny                   | deny                    |",
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
