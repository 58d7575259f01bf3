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
        "| brewery-ingestion-event-jobs-trigger-role                   | deny             | deny              | deny                | deny                 | deny                | deny                 | deny              | deny               | deny                   | deny                    |",
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
