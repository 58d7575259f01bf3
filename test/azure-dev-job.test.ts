import { buildTransformPlans } from "../functions/transform";
import { stackSpec } from "../functions/transform/dev-spec";
import type { Plan } from "../infra/preview/plan";
import { BUNDLE_FOLDER, named, preview } from "./helpers";

const SUB = "/subscriptions/00000000-0000-0000-0000-000000000000";
const ACCOUNT_ID = `${SUB}/resourceGroups/brewery-dev-lakehouse/providers/Microsoft.Storage/storageAccounts/brewerydevlake`;
const SUBNET_ID = `${SUB}/resourceGroups/brewery-dev-lakehouse/providers/Microsoft.Network/virtualNetworks/brewery-dev-ingestion-vnet/subnets/container-apps`;
const EMAILS = ["data-platform@example.com", "oncall-data@example.com"];
const BLOB_CONTRIBUTOR = `${SUB}/providers/Microsoft.Authorization/roleDefinitions/ba92f5b4-2d11-453d-a403-e96b0029c9fe`;

/** The azure-dev stack's workloads: the Databricks medallion job and the API ingestion job. */
describe("the azure-dev jobs under the offline preview", () => {
  let plan: Plan;

  beforeAll(async () => {
    ({ plan } = await preview("azure-dev"));
  });

  it("runs bronze → silver, then gold as its own job on schedules.silverToGold, on one pinned job cluster", () => {
    const job = named(plan, "brewery-job", "databricks:index/job:Job").inputs;
    const goldJob = named(plan, "brewery-gold-job", "databricks:index/job:Job").inputs;
    const tasks = job.tasks as Record<string, unknown>[];
    expect(tasks.map((t) => [t.taskKey, t.dependsOns])).toEqual([
      ["bronze", undefined],
      ["silver", [{ taskKey: "bronze" }]],
    ]);
    expect((goldJob.tasks as Record<string, unknown>[]).map((t) => t.taskKey)).toEqual(["gold"]);
    // Pulumi.azure-dev.yaml's silverToGold "0 4 * * *" in Quartz.
    expect(goldJob.schedule).toMatchObject({ quartzCronExpression: "0 0 4 * * ?" });
    for (const task of [...tasks, ...(goldJob.tasks as Record<string, unknown>[])]) {
      const key = String(task.taskKey);
      expect(task).toMatchObject({
        jobClusterKey: "medallion",
        maxRetries: 2,
        timeoutSeconds: 3600,
        sparkPythonTask: {
          pythonFile: "/Workspace/Shared/medallion/brewery-dev/spark_runner.py",
          source: "WORKSPACE",
          parameters: [
            "--plan",
            `/Workspace/Shared/medallion/brewery-dev/plans/${key}.json`,
            // The silver task reads the environment's HMAC key through the Key Vault-backed scope.
            ...(key === "silver" ? ["--hash-key-secret", "databricks:brewery-dev/hash-key"] : []),
          ],
        },
      });
    }
    expect(job.jobClusters).toEqual([
      {
        jobClusterKey: "medallion",
        newCluster: expect.objectContaining({
          sparkVersion: "15.4.x-scala2.12",
          nodeTypeId: "Standard_D4ds_v5",
          numWorkers: 2,
          dataSecurityMode: "SINGLE_USER",
          sparkConf: {
            "spark.databricks.delta.optimizeWrite.enabled": "true",
            "spark.databricks.delta.autoCompact.enabled": "true",
          },
        }),
      },
    ]);
  });

  it("schedules the job once at a time, as its service principal, notifying on failure and slowness", () => {
    const job = named(plan, "brewery-job", "databricks:index/job:Job").inputs;
    const principal = named(plan, "brewery-catalog-job-principal");
    expect(job).toMatchObject({
      maxConcurrentRuns: 1,
      timeoutSeconds: 7200,
      schedule: { quartzCronExpression: "0 30 2 * * ?", timezoneId: "UTC", pauseStatus: "UNPAUSED" },
      health: { rules: [{ metric: "RUN_DURATION_SECONDS", op: "GREATER_THAN", value: 5400 }] },
      emailNotifications: { onFailures: EMAILS, onDurationWarningThresholdExceededs: EMAILS },
    });
    expect(job.runAs).toEqual({ servicePrincipalName: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    expect(
      (job.jobClusters as { newCluster: { singleUserName: string } }[])[0].newCluster.singleUserName,
    ).toBe((job.runAs as { servicePrincipalName: string }).servicePrincipalName);
    expect(principal.inputs).toMatchObject({ allowClusterCreate: false });
    expect(job).not.toHaveProperty("trigger");
  });

  it("uploads the runner and one plan file per task; bronze streams each table from raw with Auto Loader", () => {
    expect(named(plan, "brewery-job-runner").inputs).toEqual({
      path: "/Shared/medallion/brewery-dev/spark_runner.py",
      source: "functions/transform/spark_runner.py",
    });
    const bronze = JSON.parse(
      Buffer.from(named(plan, "brewery-job-plan-bronze").inputs.contentBase64 as string, "base64").toString(
        "utf8",
      ),
    ) as { plans: { name: string; steps: Record<string, unknown>[] }[] };
    expect(bronze.plans.map((p) => p.name)).toEqual(["brewery", "beer", "profile", "review", "customers"]);
    expect(bronze.plans[4].steps[0]).toMatchObject({
      kind: "autoloader",
      source: "abfss://raw@brewerydevlake.dfs.core.windows.net/customers/",
      format: "csv",
      target: "brewery_dev.bronze.customers",
    });
  });

  it("builds the api-pull image at deploy time, pushes it with the deployer's exchanged registry token (issue 14 defect 5), and runs it by digest", () => {
    const image = named(plan, "brewery-ingestion-image", "docker-build:index:Image").inputs;
    expect(image).toMatchObject({
      // The image's own bundle folder is the context, never the project directory (issue 15).
      context: { location: expect.stringMatching(BUNDLE_FOLDER) },
      dockerfile: { location: expect.stringMatching(/\/Dockerfile$/) },
      platforms: ["linux/amd64"],
      buildOnPreview: false,
      push: true,
      tags: ["brewerydevimages.azurecr.io/brewery-api-pull:latest"],
    });
    // Credentials in the same `up` that creates the registry: no `az acr login`, no two-step first deploy.
    expect(image.registries).toEqual([
      {
        address: "brewerydevimages.azurecr.io",
        username: "00000000-0000-0000-0000-000000000000",
        password: "[secret]",
      },
    ]);
    expect(named(plan, "brewery-ingestion-registry").inputs.adminUserEnabled).toBe(false);
    for (const mode of ["hourly", "daily"]) {
      const job = named(plan, `brewery-ingestion-${mode}`, "azure-native:app:Job").inputs;
      const container = (job.template as { containers: { image: string }[] }).containers[0];
      expect(container.image).toMatch(
        /^brewerydevimages\.azurecr\.io\/brewery-api-pull@sha256:[0-9a-f]{64}$/,
      );
    }
  });

  it("pulls APIs into raw hourly and D-1 daily, like AWS, as a managed identity, never with account keys", () => {
    for (const [mode, cron] of [
      ["hourly", "0 * * * *"],
      ["daily", "0 2 * * *"],
    ]) {
      const job = named(plan, `brewery-ingestion-${mode}`, "azure-native:app:Job").inputs;
      expect(job).toMatchObject({
        jobName: `brewery-dev-api-pull-${mode}`,
        identity: { type: "UserAssigned" },
        configuration: {
          triggerType: "Schedule",
          scheduleTriggerConfig: { cronExpression: cron, parallelism: 1 },
          replicaRetryLimit: 2,
        },
      });
      // Issue 14 defect 3: no Key Vault references (resolved by the platform, outside the vault's subnet);
      // the job reads its secrets itself, through the subnet.
      expect((job.configuration as Record<string, unknown>).secrets).toBeUndefined();
      const env = (job.template as { containers: { env: { name: string; value?: string }[] }[] })
        .containers[0].env;
      expect(env).toContainEqual({ name: "PULL_MODE", value: mode });
      expect(env).toContainEqual({
        name: "KEY_VAULT_SECRETS",
        value: JSON.stringify({
          SECRET_BREWERY_API: "https://brewery-dev-kv.vault.azure.net/secrets/brewery-api",
        }),
      });
      expect(JSON.stringify(job)).not.toMatch(/AccountKey|SharedAccessSignature/);
    }
    const alert = JSON.stringify(named(plan, "brewery-monitoring-api-pull-failed").inputs.criteria);
    expect(alert).toContain("brewery-dev-api-pull-hourly");
    expect(alert).toContain("brewery-dev-api-pull-daily");
    const write = named(plan, "brewery-raw-write-api-pull-profile").inputs;
    expect(write).toMatchObject({
      scope: `${ACCOUNT_ID}/blobServices/default/containers/raw`,
      roleDefinitionId: BLOB_CONTRIBUTOR,
      conditionVersion: "2.0",
    });
    expect(write.condition).toContain("StringStartsWith 'profile/'");
    expect(named(plan, "brewery-ingestion-watermarks-api-pull").inputs.scope).toBe(
      `${ACCOUNT_ID}/tableServices/default/tables/watermarks`,
    );
    expect(named(plan, "brewery-ingestion-environment").inputs).toMatchObject({
      vnetConfiguration: { infrastructureSubnetId: SUBNET_ID, internal: true },
      publicNetworkAccess: "Disabled",
    });
  });

  it("gives silver and gold exactly the Delta plans functions/transform generates from the spec", () => {
    const file = (task: string) =>
      JSON.parse(
        Buffer.from(
          named(plan, task === "gold" ? "brewery-gold-job-plan-gold" : `brewery-job-plan-${task}`).inputs
            .contentBase64 as string,
          "base64",
        ).toString("utf8"),
      ) as {
        plans: unknown[];
      };
    const expected = buildTransformPlans(stackSpec("azure-dev"), "spark-delta", {
      bronze: "brewery_dev.bronze",
      silver: "brewery_dev.silver",
      gold: "brewery_dev.gold",
      quarantine: "brewery_dev.quarantine",
    });
    expect(file("silver").plans).toEqual([...expected.bronzeToSilver, ...expected.views]);
    expect(file("gold").plans).toEqual(expected.silverToGold);
    expect(named(plan, "brewery-gold-job-plan-gold")).toBeDefined();
  });
});
