import { capabilityProblems } from "../../components/capabilities";
import { missingSecretValues } from "../../components/azure/secret-store";
import { ConfigError } from "../../components/spec";
import { loadStack, type LoadedStack } from "../config";
import type { StackConfig } from "../preview/stack-file";

/** Application ID of the AzureDatabricks first-party app: the audience of Databricks Entra tokens. */
export const AZURE_DATABRICKS_APP_ID = "2ff814a6-3304-4ab8-85cb-cd0e6f879c1d";

/** Built-in roles that may create role assignments (Microsoft.Authorization/roleAssignments/write). */
export const ROLE_ASSIGNERS = [
  "Owner",
  "User Access Administrator",
  "Role Based Access Control Administrator",
];

/** What the preflight asks of the caller's credentials; the CLI runs `az`, tests pass fakes. */
export interface AzureProbe {
  /** The parsed JSON output of `az <args> -o json`. */
  az(args: readonly string[]): Promise<unknown>;
  /** GET on the Databricks account API (`https://accounts.azuredatabricks.net<path>`); status and JSON body. */
  databricksAccount(path: string): Promise<{ status: number; body: unknown }>;
}

/** One prerequisite and whether the caller meets it. */
export interface PreflightCheck {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

/**
 * Checks, with the caller's credentials, what an Azure stack needs and cannot create: a config `pulumi
 * up` accepts (no placeholder IDs, every secret value, only features Azure honours), the right to assign
 * roles on the subscription, Databricks account admin, and a metastore for the workspace's region.
 */
export async function azurePreflight(stack: StackConfig, probe: AzureProbe): Promise<PreflightCheck[]> {
  const checks: PreflightCheck[] = [];
  let loaded: LoadedStack | undefined;
  try {
    loaded = loadStack(
      (key) => stack.config[key],
      (key) => stack.secretKeys.includes(key),
      true,
    );
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    checks.push({ name: "config", ok: false, detail: error.message });
  }
  if (!loaded?.azure) {
    if (loaded) checks.push({ name: "config", ok: false, detail: "medallion:cloud is not azure" });
    return checks;
  }
  const { spec } = loaded.settings;
  const configProblems = [
    ...capabilityProblems(spec, "azure").map((p) => `${p.path}: ${p.message}`),
    ...missingSecretValues(spec.secrets, loaded.secretValues),
  ];
  checks.push({
    name: "config",
    ok: configProblems.length === 0,
    detail: configProblems.length === 0 ? "pulumi up accepts the stack config" : configProblems.join("\n"),
  });

  const account = (await probe.az(["account", "show"])) as {
    id: string;
    user: { name: string; type: string };
  };
  const objectId = String(
    account.user.type === "user"
      ? await probe.az(["ad", "signed-in-user", "show", "--query", "id"])
      : await probe.az(["ad", "sp", "show", "--id", account.user.name, "--query", "id"]),
  );
  const roles = (await probe.az([
    "role",
    "assignment",
    "list",
    "--assignee",
    objectId,
    "--scope",
    `/subscriptions/${account.id}`,
    "--include-inherited",
    "--query",
    "[].roleDefinitionName",
  ])) as string[];
  const assigner = roles.find((r) => ROLE_ASSIGNERS.includes(r));
  checks.push({
    name: "role assignments",
    ok: assigner !== undefined,
    detail: assigner
      ? `${account.user.name} is ${assigner} on subscription ${account.id}`
      : `${account.user.name} needs Owner or User Access Administrator on subscription ${account.id} (has ${roles.join(", ") || "no role"})`,
  });

  // Account APIs answer account admins only: a 200 here is the proof, and lists the metastores.
  const { databricksAccountId, databricksMetastoreId, location } = loaded.azure;
  const metastores = await probe.databricksAccount(`/api/2.0/accounts/${databricksAccountId}/metastores`);
  checks.push({
    name: "databricks account admin",
    ok: metastores.status === 200,
    detail:
      metastores.status === 200
        ? `${account.user.name} is an admin of Databricks account ${databricksAccountId}`
        : `${account.user.name} is not an admin of Databricks account ${databricksAccountId} (HTTP ${metastores.status}): an account admin must add it in the account console`,
  });
  if (metastores.status === 200) {
    const list = ((metastores.body as { metastores?: { metastore_id: string; region?: string }[] })
      .metastores ?? []) as { metastore_id: string; region?: string }[];
    const wanted = databricksMetastoreId
      ? list.find((m) => m.metastore_id === databricksMetastoreId)
      : list.find((m) => m.region === location);
    checks.push({
      name: "metastore",
      ok: wanted !== undefined,
      detail: wanted
        ? `metastore ${wanted.metastore_id} (${wanted.region ?? "region unknown"})`
        : databricksMetastoreId
          ? `medallion:databricksMetastoreId ${databricksMetastoreId} is not a metastore of the account`
          : `no metastore in ${location}: create one, or set medallion:databricksMetastoreId`,
    });
  }
  return checks;
}

/** One line per check, `ok`/`FAIL`, details indented. */
export function formatChecks(checks: readonly PreflightCheck[]): string {
  return checks
    .map((c) => `${c.ok ? "ok  " : "FAIL"} ${c.name}: ${c.detail.split("\n").join("\n       ")}`)
    .join("\n");
}
