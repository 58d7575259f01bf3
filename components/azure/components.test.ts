import { Provider } from "@pulumi/databricks/provider";
import { runUnderMocks, type CapturedResource } from "../../infra/preview/harness";
import { previewMocks } from "../../infra/preview/mocks";
import { parseLakehouseSpec } from "../spec";
import { AzureLakehouseJob } from "./lakehouse-job";
import { AzureMedallionLayer } from "./medallion-layer";
import { AzureMonitoring } from "./monitoring";
import { AzureSecretStore } from "./secret-store";
import { AzureStorageAccount, validateStorageArgs } from "./storage-account";

const TAGS = { project: "shop", environment: "test" };
const common = { product: "shop", environment: "test", resourceGroupName: "rg-shop", location: "westeurope" };

async function run(program: () => unknown): Promise<CapturedResource[]> {
  const { resources } = await runUnderMocks({
    project: "unit",
    stack: "test",
    config: {},
    mocks: previewMocks(),
    program: async () => {
      program();
      return {};
    },
  });
  return resources;
}

const jobArgs = (provider: Provider) => ({
  product: "shop",
  environment: "test",
  provider,
  settings: parseLakehouseSpec({
    name: "shop",
    alerts: { emails: ["a@example.com"] },
    tables: [
      {
        name: "orders",
        source: { kind: "batch" },
        columns: [{ name: "id", type: "bigint" }],
        primaryKey: ["id"],
      },
    ],
    databricks: { trigger: "fileArrival" },
  }).databricks,
  schedule: "0 4 * * *",
  rawLocation: "abfss://raw@shoptestlake.dfs.core.windows.net/",
  emails: ["a@example.com"],
  runAs: "55555555-5555-4555-a555-555555555555",
  runnerPath: "functions/transform/spark_runner.py",
  plans: { bronze: "{}", silver: "{}", gold: "{}" },
  tags: TAGS,
});

describe("AzureLakehouseJob", () => {
  it("starts on files arriving in raw when the spec says fileArrival, with no schedule", async () => {
    const resources = await run(() => {
      const provider = new Provider("dbx", { host: "https://adb-1.1.azuredatabricks.net" });
      new AzureLakehouseJob("job", jobArgs(provider));
    });
    const job = resources.find((r) => r.type === "databricks:index/job:Job");
    expect(job?.inputs.trigger).toEqual({
      pauseStatus: "UNPAUSED",
      fileArrival: {
        url: "abfss://raw@shoptestlake.dfs.core.windows.net/",
        minTimeBetweenTriggersSeconds: 300,
        waitAfterLastChangeSeconds: 120,
      },
    });
    expect(job?.inputs).not.toHaveProperty("schedule");
  });

  it("calls the spec's webhooks on failure through one notification destination each", async () => {
    const resources = await run(() => {
      const provider = new Provider("dbx", { host: "https://adb-1.1.azuredatabricks.net" });
      new AzureLakehouseJob("job", {
        ...jobArgs(provider),
        webhooks: ["https://hooks.example.com/lakehouse"],
      });
    });
    const destination = resources.find((r) => r.name === "job-webhook-hooks-example-com-lakehouse");
    expect(destination?.inputs.config).toEqual({
      genericWebhook: { url: "https://hooks.example.com/lakehouse" },
    });
    const job = resources.find((r) => r.type === "databricks:index/job:Job");
    expect(job?.inputs.webhookNotifications).toEqual({
      onFailures: [{ id: expect.stringMatching(/^[0-9a-f-]{36}$/) }],
      onDurationWarningThresholdExceededs: [{ id: expect.stringMatching(/^[0-9a-f-]{36}$/) }],
    });
  });

  it("fails if no e-mail would hear about failures", async () => {
    await expect(
      run(() => {
        const provider = new Provider("dbx", { host: "https://adb-1.1.azuredatabricks.net" });
        new AzureLakehouseJob("job", { ...jobArgs(provider), emails: [] });
      }),
    ).rejects.toThrow("AzureLakehouseJob job: at least one e-mail is required, or failures notify nobody");
  });
});

describe("AzureMonitoring", () => {
  it("fails if alerts would reach nobody", async () => {
    await expect(
      run(() => new AzureMonitoring("mon", { ...common, emails: [], tags: TAGS })),
    ).rejects.toThrow(
      "AzureMonitoring mon: at least one e-mail or webhook is required, or alerts reach nobody",
    );
  });

  it("adds webhooks to the action group", async () => {
    const resources = await run(
      () =>
        new AzureMonitoring("mon", {
          ...common,
          emails: ["a@example.com"],
          webhooks: ["https://hooks.example.com/x"],
          tags: TAGS,
        }),
    );
    const group = resources.find((r) => r.type === "azure-native:monitor:ActionGroup");
    expect(group?.inputs.webhookReceivers).toEqual([
      { name: "hooks-example-com-x", serviceUri: "https://hooks.example.com/x", useCommonAlertSchema: true },
    ]);
    expect(group?.inputs.groupShortName).toMatch(/^.{1,12}$/);
  });
});

describe("AzureSecretStore", () => {
  const secretArgs = {
    ...common,
    tenantId: "t",
    subscriptionId: "s",
    secrets: [{ name: "api" }],
    tags: TAGS,
  };

  it("fails if purge protection is turned off in a protected environment, naming every bad field", async () => {
    await expect(
      run(
        () =>
          new AzureSecretStore("kv", {
            ...secretArgs,
            protect: true,
            purgeProtection: false,
            softDeleteDays: 3,
            values: { other: "x" },
          }),
      ),
    ).rejects.toThrow(
      [
        "AzureSecretStore kv has invalid args:",
        "  - softDeleteDays: must be a whole number of 7-90, got 3",
        "  - purgeProtection: may only be turned off in an unprotected environment (protect: false)",
        "  - values.other: no secret of that name in secrets",
      ].join("\n"),
    );
  });

  it("grants a principal each named secret, never the vault", async () => {
    const resources = await run(() => {
      const store = new AzureSecretStore("kv", secretArgs);
      store.grantRead({ name: "reader", principalId: "66666666-6666-4666-a666-666666666666" });
    });
    const grant = resources.find((r) => r.name === "kv-read-reader-api");
    expect(grant?.inputs.scope).toMatch(
      /\/providers\/Microsoft\.KeyVault\/vaults\/shop-test-kv\/secrets\/api$/,
    );
  });

  it("fails if a grant names a secret the store does not hold", async () => {
    await expect(
      run(() => new AzureSecretStore("kv", secretArgs).grantRead({ name: "r", principalId: "x" }, ["nope"])),
    ).rejects.toThrow("AzureSecretStore kv: grantRead names unknown secrets nope");
  });
});

describe("AzureStorageAccount", () => {
  it("fails if soft delete or retention are out of range, naming every problem", () => {
    expect(() =>
      validateStorageArgs("lake", 0, [
        { container: "raw" },
        { container: "raw", coolAfterDays: 30, deleteAfterDays: 10 },
      ]),
    ).toThrow(
      [
        "AzureStorageAccount lake has invalid args:",
        "  - softDeleteDays: must be a whole number of 1-365, got 0",
        "  - retention[0]: needs coolAfterDays, deleteAfterDays or both",
        "  - retention[1].deleteAfterDays: must be later than coolAfterDays (10 <= 30)",
      ].join("\n"),
    );
  });
});

describe("AzureMedallionLayer grants", () => {
  async function layerWith(grant: (layer: AzureMedallionLayer) => void): Promise<CapturedResource[]> {
    return run(() => {
      const provider = new Provider("dbx", { host: "https://adb-1.1.azuredatabricks.net" });
      const storage = new AzureStorageAccount("lake", { ...common, tenantId: "t", tags: TAGS });
      const layer = new AzureMedallionLayer("gold", {
        layer: "gold",
        storage,
        resourceGroupName: "rg-shop",
        subscriptionId: "00000000-0000-0000-0000-000000000000",
        databricks: { provider, catalogName: "shop_test", storageCredentialName: "shop_test_lake" },
      });
      grant(layer);
    });
  }

  it("scopes read to the container with Storage Blob Data Reader", async () => {
    const resources = await layerWith((layer) => layer.grantRead({ name: "analyst", principalId: "p" }));
    expect(resources.find((r) => r.name === "gold-read-analyst")?.inputs).toMatchObject({
      scope: expect.stringMatching(
        /\/storageAccounts\/shoptestlake\/blobServices\/default\/containers\/gold$/,
      ),
      roleDefinitionId:
        "/subscriptions/00000000-0000-0000-0000-000000000000/providers/Microsoft.Authorization/roleDefinitions/2a2b9908-6ea1-4ae2-8e65-a410df84e7d1",
    });
  });

  it("narrows a prefixed grant with an ABAC path condition", async () => {
    const resources = await layerWith((layer) =>
      layer.grantWrite({ name: "loader", principalId: "p" }, { prefix: "/orders/" }),
    );
    const grant = resources.find((r) => r.name === "gold-write-loader-orders");
    expect(grant?.inputs.conditionVersion).toBe("2.0");
    expect(grant?.inputs.condition).toContain(
      "@Resource[Microsoft.Storage/storageAccounts/blobServices/containers/blobs:path] StringStartsWith 'orders/'",
    );
  });

  it("fails if a prefix holds a wildcard", async () => {
    await expect(
      layerWith((layer) => layer.grantRead({ name: "x", principalId: "p" }, { prefix: "ord*" })),
    ).rejects.toThrow('grant prefix "ord*" must not contain wildcards (* or ?)');
  });

  it("creates no grants resource when nobody is granted", async () => {
    const resources = await layerWith(() => undefined);
    expect(resources.filter((r) => r.type === "databricks:index/grants:Grants")).toEqual([]);
  });
});
