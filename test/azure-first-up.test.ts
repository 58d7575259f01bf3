import fc from "fast-check";
import { capabilityProblems, CAPABILITIES, supportedSubset } from "../components/capabilities";
import { ConfigError, parseStackSettings } from "../components/spec";
import { missingSecretValues } from "../components/azure/secret-store";
import { propagationDelayMs } from "../components/azure/role-assignment";
import { exchangeForRegistryToken } from "../components/azure/registry-login";
import { readKeyVaultSecrets } from "../functions/lib/azure/key-vault-secrets";
import { loadStack } from "../infra/config";
import { evaluate } from "../infra/policy/evaluate";
import type { Plan } from "../infra/preview/plan";
import { readStackConfig } from "../infra/preview/stack-file";
import { named, ofType, preview, ROOT } from "./helpers";

/** Issue 14: what the first `pulumi up` of azure-dev would have failed on, checked offline. */
describe("issue 14: the first pulumi up of azure-dev", () => {
  let plan: Plan;
  beforeAll(async () => {
    ({ plan } = await preview("azure-dev"));
  });

  it("defects 1 and 2: the plan passes the diagnostic-category and log-query rules", () => {
    const violations = evaluate(plan.resources, { protectedEnvironment: false }).filter((v) =>
      ["azure-diagnostic-categories", "azure-log-query-schema"].includes(v.rule),
    );
    expect(violations).toEqual([]);
    expect(named(plan, "brewery-monitoring-diag-storage").inputs.metrics).toEqual([
      { category: "Capacity", enabled: true },
      { category: "Transaction", enabled: true },
    ]);
    for (const rule of ofType(plan, "azure-native:monitor:ScheduledQueryRule")) {
      expect(rule.inputs.skipQueryValidation).toBe(true);
    }
  });

  it("defect 3: the pull jobs wait for their AcrPull, watermark and Key Vault role assignments", () => {
    const roles = [
      "brewery-ingestion-pull-images",
      "brewery-ingestion-watermarks-api-pull",
      "brewery-secrets-read-api-pull-brewery-api",
    ];
    for (const mode of ["hourly", "daily"]) {
      const job = named(plan, `brewery-ingestion-${mode}`, "azure-native:app:Job");
      for (const role of roles) expect(job.dependsOn).toContain(named(plan, role).urn);
    }
  });

  it("defect 3: pulumi up refuses a spec secret without a value, naming the config path", () => {
    expect(missingSecretValues([{ name: "brewery-api" }], {})).toEqual([
      "medallion:secrets.brewery-api: is required before pulumi up (Key Vault refuses an empty value): pulumi config set --secret --path 'medallion:secrets.brewery-api' '<value>'",
    ]);
    expect(missingSecretValues([{ name: "brewery-api" }], { "brewery-api": "x" })).toEqual([]);
  });

  it("defect 4: the storage account and the vault take the subnet ID from the subnet resource", () => {
    const subnet = named(plan, "brewery-ingestion-network-container-apps", "azure-native:network:Subnet");
    expect(
      named(plan, "brewery-lake", "azure-native:storage:StorageAccount").dependencies.networkRuleSet,
    ).toContain(subnet.urn);
    expect(named(plan, "brewery-secrets", "azure-native:keyvault:Vault").dependencies.properties).toContain(
      subnet.urn,
    );
    expect(subnet.inputs.serviceEndpoints).toEqual([
      { service: "Microsoft.Storage" },
      { service: "Microsoft.KeyVault" },
      { service: "Microsoft.EventHub" },
    ]);
  });

  it("defect 8 (Build item 2): the workspace is VNet-injected and the lake admits its subnets", () => {
    const host = named(plan, "brewery-databricks-network-host", "azure-native:network:Subnet");
    const container = named(plan, "brewery-databricks-network-container", "azure-native:network:Subnet");
    const workspace = named(plan, "brewery-databricks", "azure-native:databricks:Workspace");
    expect(workspace.inputs.parameters).toMatchObject({
      enableNoPublicIp: { value: true },
      customVirtualNetworkId: {
        value:
          "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/brewery-dev-lakehouse/providers/Microsoft.Network/virtualNetworks/brewery-dev-databricks-vnet",
      },
      customPublicSubnetName: { value: "databricks-host" },
      customPrivateSubnetName: { value: "databricks-container" },
    });
    expect(workspace.dependencies.parameters).toEqual(expect.arrayContaining([host.urn, container.urn]));
    for (const subnet of [host, container]) {
      expect(subnet.inputs).toMatchObject({
        delegations: [{ name: "databricks", serviceName: "Microsoft.Databricks/workspaces" }],
        serviceEndpoints: [{ service: "Microsoft.Storage" }],
        defaultOutboundAccess: false,
      });
      expect(subnet.dependencies.networkSecurityGroup).toEqual([
        named(plan, "brewery-databricks-network-nsg").urn,
      ]);
      expect(subnet.dependencies.natGateway).toEqual([named(plan, "brewery-databricks-network-nat").urn]);
      expect(
        named(plan, "brewery-lake", "azure-native:storage:StorageAccount").dependencies.networkRuleSet,
      ).toContain(subnet.urn);
    }
  });

  it("defect 5: the registry token exchange posts the deployer's token and returns the refresh token", async () => {
    const calls: [string, RequestInit | undefined][] = [];
    const fake = (async (url: string, init?: RequestInit) => {
      calls.push([url, init]);
      return new Response(JSON.stringify({ refresh_token: "acr-refresh" }), { status: 200 });
    }) as unknown as typeof fetch;
    await expect(exchangeForRegistryToken("r.azurecr.io", "arm", fake)).resolves.toBe("acr-refresh");
    expect(calls[0][0]).toBe("https://r.azurecr.io/oauth2/exchange");
    expect(String(calls[0][1]?.body)).toBe("grant_type=access_token&service=r.azurecr.io&access_token=arm");
  });

  it("defect 6: pulumi up refuses the placeholder IDs of Pulumi.azure-dev.yaml with the key to set", () => {
    const file = readStackConfig(ROOT, "azure-dev");
    expect(() =>
      loadStack(
        (key) => file.config[key],
        () => false,
        true,
      ),
    ).toThrow(
      /medallion:azureDatabricksObjectId: is the example placeholder 00000000-0000-0000-0000-0000000000db/,
    );
    // The offline preview (not a deploy) still runs with them.
    expect(() =>
      loadStack(
        (key) => file.config[key],
        () => false,
        false,
      ),
    ).not.toThrow();
  });

  it("defect 6: the workspace is assigned to the metastore given in config", async () => {
    const { plan: withMetastore } = await preview("azure-dev", {
      overrides: { "medallion:databricksMetastoreId": "6f1c2b9e-1111-4222-8333-444455556666" },
    });
    const assignment = named(withMetastore, "brewery-metastore");
    expect(assignment.inputs).toMatchObject({ metastoreId: "6f1c2b9e-1111-4222-8333-444455556666" });
    expect(named(withMetastore, "brewery-catalog-credential").dependsOn).toContain(assignment.urn);
  });

  it("defect 7: both Databricks providers use Azure CLI auth (the management token CI needs)", () => {
    const providers = ofType(plan, "pulumi:providers:databricks");
    expect(providers.map((p) => p.inputs.authType)).toEqual(["azure-cli", "azure-cli"]);
  });

  it("defect 10: the scope and the storage credential wait for their role assignments; waits only on up", () => {
    expect(named(plan, "brewery-secrets-scope").dependsOn).toContain(
      named(plan, "brewery-secrets-read-azure-databricks").urn,
    );
    expect(named(plan, "brewery-catalog-credential").dependsOn).toContain(
      named(plan, "brewery-lake-contributor-uc-connector").urn,
    );
    expect(propagationDelayMs(true)).toBe(0);
    expect(propagationDelayMs(false)).toBe(120_000);
  });

  it("defect 10: the ingestion subnet's only egress is a NAT gateway", () => {
    const subnet = named(plan, "brewery-ingestion-network-container-apps");
    expect(subnet.inputs.defaultOutboundAccess).toBe(false);
    expect(subnet.dependencies.natGateway).toEqual([named(plan, "brewery-ingestion-network-nat").urn]);
  });

  it("defect 10: failure e-mails are sent once, by the job, never by each task too", () => {
    for (const name of ["brewery-job", "brewery-gold-job"]) {
      const job = named(plan, name, "databricks:index/job:Job").inputs;
      for (const task of job.tasks as Record<string, unknown>[])
        expect(task.emailNotifications).toBeUndefined();
      expect(job.emailNotifications).toMatchObject({
        onFailures: ["data-platform@example.com", "oncall-data@example.com"],
      });
    }
  });

  it("hash key: generated in Key Vault (secret in the plan), readable by the job through the scope", () => {
    expect(named(plan, "brewery-secrets-hash-key").inputs.properties).toMatchObject({ value: "[secret]" });
    const acl = named(plan, "brewery-secrets-scope-reader-0").inputs;
    expect(acl).toMatchObject({ scope: "brewery-dev", permission: "READ" });
    expect(acl.principal).toBe(
      (
        named(plan, "brewery-job", "databricks:index/job:Job").inputs.runAs as {
          servicePrincipalName: string;
        }
      ).servicePrincipalName,
    );
  });
});

describe("the capability table (issue 14, Build item 4)", () => {
  const devSpec = () =>
    parseStackSettings({
      cloud: "azure",
      environment: "dev",
      lakehouse: JSON.parse(readStackConfig(ROOT, "dev").config["medallion:lakehouse"]),
    }).spec;

  it("honours every source kind on both clouds: the shared spec has no capability problem anywhere", () => {
    // Build item 3: batch (Entra upload), cdc (Event Hubs), event (Service Bus) and api all ingest on Azure.
    for (const kind of ["batch", "cdc", "event", "api"] as const) {
      expect({ kind, azure: CAPABILITIES[`source.${kind}`].azure.supported }).toEqual({ kind, azure: true });
    }
    expect(capabilityProblems(devSpec(), "azure")).toEqual([]);
    expect(capabilityProblems(devSpec(), "aws")).toEqual([]);
  });

  it("refuses exactly the tables whose source kind a cloud cannot ingest, for any mix of kinds", () => {
    const raw = JSON.parse(readStackConfig(ROOT, "dev").config["medallion:lakehouse"]) as {
      tables: { source: unknown }[];
    };
    const sources = {
      cdc: { kind: "cdc" },
      batch: { kind: "batch" },
      api: { kind: "api", url: "https://api.example.com/x", secret: "brewery-api" },
      event: { kind: "event" },
    } as const;
    const kinds = Object.keys(sources) as (keyof typeof sources)[];
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...kinds), { minLength: raw.tables.length, maxLength: raw.tables.length }),
        fc.constantFrom("aws" as const, "azure" as const),
        (picked, cloud) => {
          const lakehouse = {
            ...raw,
            tables: raw.tables.map((t, i) => ({ ...t, source: sources[picked[i]] })),
          };
          let spec;
          try {
            spec = parseStackSettings({ cloud, environment: "dev", lakehouse }).spec;
          } catch (error) {
            if (error instanceof ConfigError) return fc.pre(false);
            throw error;
          }
          const refused = picked
            .map((kind, i) => [kind, i] as const)
            .filter(([kind]) => !CAPABILITIES[`source.${kind}`][cloud].supported);
          expect(capabilityProblems(spec, cloud).map((p) => p.path)).toEqual(
            refused.map(([, i]) => `medallion:lakehouse.tables[${i}].source.kind`),
          );
          const subset = supportedSubset(spec, cloud);
          expect(capabilityProblems(subset, cloud)).toEqual([]);
          const known = new Set([...subset.tables.map((t) => t.name), ...subset.views.map((v) => v.name)]);
          for (const view of subset.views) {
            expect(known.has(view.from) && view.joins.every((j) => known.has(j.table))).toBe(true);
          }
          for (const model of subset.gold) expect(known.has(model.from)).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("Pulumi.azure-dev.yaml is dev's spec, nothing dropped", () => {
    const azureSpec = parseStackSettings({
      cloud: "azure",
      environment: "dev",
      lakehouse: JSON.parse(readStackConfig(ROOT, "azure-dev").config["medallion:lakehouse"]),
    }).spec;
    expect(azureSpec).toEqual(devSpec());
    expect(supportedSubset(devSpec(), "azure")).toEqual(devSpec());
  });
});

describe("Key Vault secrets read in the container (issue 14 defect 3)", () => {
  it("reads each secret with the identity's token and fails naming the variable", async () => {
    const fake = (async (url: string) =>
      url.includes("missing")
        ? new Response("{}", { status: 404 })
        : new Response(JSON.stringify({ value: "tok" }), { status: 200 })) as unknown as typeof fetch;
    const credential = { getToken: async () => ({ token: "t" }) };
    await expect(
      readKeyVaultSecrets({ SECRET_A: "https://kv/secrets/a" }, credential, fake),
    ).resolves.toEqual({
      SECRET_A: "tok",
    });
    await expect(
      readKeyVaultSecrets({ SECRET_B: "https://kv/secrets/missing" }, credential, fake),
    ).rejects.toThrow("SECRET_B: Key Vault answered 404");
  });
});
