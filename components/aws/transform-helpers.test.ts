import { validateJobArgs, type AwsTransformJobsArgs } from "./glue-jobs";
import { mapWorkflowDefinition } from "./workflow-definitions";

const validateAsl = require("asl-validator") as (definition: unknown) => { isValid: boolean };

describe("transformation helpers", () => {
  it("fails if job settings are out of range, naming every field", () => {
    const args = {
      logDays: 0,
      timeoutMinutes: 0,
      numberOfWorkers: 1,
      maxRetries: -1,
    } as unknown as AwsTransformJobsArgs;
    expect(() => validateJobArgs("jobs", args)).toThrow(
      [
        "AwsTransformJobs jobs has invalid args:",
        "  - timeoutMinutes: must be a whole number of at least 1, got 0",
        "  - maxRetries: must be a whole number of at least 0, got -1",
        "  - numberOfWorkers: must be a whole number of at least 2, got 1",
        "  - logDays: must be a whole number of at least 1, got 0",
      ].join("\n"),
    );
  });

  it("renders a Map workflow without an after-step as valid ASL ending at the Map", () => {
    const definition = mapWorkflowDefinition({
      description: "x silver to gold",
      items: ["a"],
      itemLabel: "Model",
      jobName: "job",
      alertTopicArn: "arn:aws:sns:us-east-1:123456789012:alerts",
      alertSubject: "x failed",
      maxConcurrency: 2,
      retry: { maxAttempts: 1, intervalSeconds: 10, backoffRate: 2 },
      taskTimeoutSeconds: 600,
      timeoutSeconds: 3600,
    }) as { States: Record<string, Record<string, unknown>> };
    expect(validateAsl(definition).isValid).toBe(true);
    expect(definition.States.ModelMap.End).toBe(true);
    expect(Object.keys(definition.States)).toEqual(["ListModels", "ModelMap", "NotifyFailure", "Failed"]);
  });
});
