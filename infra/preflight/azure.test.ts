import { readStackConfig, type StackConfig } from "../preview/stack-file";
import { ROOT } from "../../test/helpers";
import { azurePreflight, formatChecks, type AzureProbe } from "./azure";

const REAL_IDS = {
  "medallion:azureDatabricksObjectId": "5a6b7c8d-1111-4222-8333-444455556666",
  "medallion:databricksAccountId": "9f8e7d6c-1111-4222-8333-444455556666",
  "medallion:azureSources": JSON.stringify({
    writerGroupObjectId: "7c6b5a4d-1111-4222-8333-444455556666",
    allowedIpRanges: ["203.0.113.0/24"],
  }),
};

/** azure-dev with real-looking IDs and its secret set, as an operator would have it before `up`. */
function readyStack(extra: Record<string, string> = {}): StackConfig {
  const file = readStackConfig(ROOT, "azure-dev");
  return {
    ...file,
    config: {
      ...file.config,
      ...REAL_IDS,
      "medallion:secrets": JSON.stringify({ "brewery-api": "x" }),
      ...extra,
    },
    secretKeys: [...file.secretKeys, "medallion:secrets"],
  };
}

function probe(
  options: { roles?: string[]; accountStatus?: number; metastores?: object[] } = {},
): AzureProbe {
  return {
    async az(args) {
      if (args[0] === "account")
        return { id: "sub-1", user: { name: "deployer-app", type: "servicePrincipal" } };
      if (args[0] === "ad") return "object-1";
      return options.roles ?? ["Owner"];
    },
    async databricksAccount() {
      return {
        status: options.accountStatus ?? 200,
        body: { metastores: options.metastores ?? [{ metastore_id: "m-1", region: "westeurope" }] },
      };
    },
  };
}

describe("npm run preflight (issue 14 defect 6, Build item 5)", () => {
  it("passes a ready stack with an Owner who is a Databricks account admin and a metastore in the region", async () => {
    const checks = await azurePreflight(readyStack(), probe());
    expect(checks.map((c) => [c.name, c.ok])).toEqual([
      ["config", true],
      ["role assignments", true],
      ["databricks account admin", true],
      ["metastore", true],
    ]);
  });

  it("fails on the placeholder IDs of Pulumi.azure-dev.yaml, naming each key", async () => {
    const checks = await azurePreflight(readStackConfig(ROOT, "azure-dev"), probe());
    expect(checks).toHaveLength(1);
    expect(checks[0].ok).toBe(false);
    expect(checks[0].detail).toContain("medallion:azureDatabricksObjectId: is the example placeholder");
    expect(checks[0].detail).toContain("medallion:databricksAccountId: is the example placeholder");
    expect(checks[0].detail).toContain(
      "medallion:azureSources.writerGroupObjectId: is the example placeholder",
    );
  });

  it("fails without a secret value, without role-assignment rights, as a non-admin, and without a metastore", async () => {
    const noSecret = { ...readyStack(), config: { ...readyStack().config, "medallion:secrets": "{}" } };
    expect((await azurePreflight(noSecret, probe()))[0]).toMatchObject({ name: "config", ok: false });
    const contributor = await azurePreflight(readyStack(), probe({ roles: ["Contributor"] }));
    expect(contributor[1]).toMatchObject({
      ok: false,
      detail: "deployer-app needs Owner or User Access Administrator on subscription sub-1 (has Contributor)",
    });
    const notAdmin = await azurePreflight(readyStack(), probe({ accountStatus: 403 }));
    expect(notAdmin.map((c) => c.name)).toEqual(["config", "role assignments", "databricks account admin"]);
    expect(notAdmin[2].ok).toBe(false);
    const otherRegion = await azurePreflight(
      readyStack(),
      probe({ metastores: [{ metastore_id: "m-2", region: "eastus" }] }),
    );
    expect(otherRegion[3]).toMatchObject({
      ok: false,
      detail: expect.stringContaining("no metastore in westeurope"),
    });
    const named = await azurePreflight(readyStack({ "medallion:databricksMetastoreId": "m-9" }), probe());
    expect(named[3]).toMatchObject({ ok: false, detail: expect.stringContaining("m-9 is not a metastore") });
    expect(formatChecks(notAdmin)).toMatch(/^ok {3}config: /);
  });
});
