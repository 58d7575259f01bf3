import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import {
  ConfigError,
  parseStackSettings,
  withStackFileLocations,
  type ConfigProblem,
  type StackSettings,
} from "../components/spec";
import { readAwsSettings, type AwsStackSettings } from "./config-aws";
import { readAzureSourcesConfig, type AzureSourcesConfig } from "../components/azure/sources-config";

/** Everything the program needs from stack config, validated. */
export interface LoadedStack {
  readonly settings: StackSettings;
  /** Secret values by spec secret name; always Pulumi secrets. */
  readonly secretValues: Readonly<Record<string, pulumi.Output<string>>>;
  /** `aws:region`, required when `medallion:cloud` is `aws`. */
  readonly awsRegion?: string;
  /** AWS settings (Lake Formation admins, converter network), present when `medallion:cloud` is `aws`. */
  readonly aws?: AwsStackSettings;
  /** Azure settings, present when `medallion:cloud` is `azure`. */
  readonly azure?: AzureStackSettings;
}

/** The keys an Azure stack needs beyond the spec. */
export interface AzureStackSettings {
  /** `azure-native:location`, e.g. `westeurope`. */
  readonly location: string;
  /** `medallion:azureDatabricksObjectId`: the AzureDatabricks application's object ID in this tenant. */
  readonly azureDatabricksObjectId: string;
  /** `medallion:databricksAccountId`: the Databricks account (for the account-level consumer group). */
  readonly databricksAccountId: string;
  /** `medallion:databricksMetastoreId`: the Unity Catalog metastore to assign the workspace to, if any. */
  readonly databricksMetastoreId?: string;
  /** `medallion:azureSources`: the writers' group and networks (required with batch, cdc or event tables). */
  readonly sources?: AzureSourcesConfig;
}

/**
 * The all-zero-prefixed IDs the example stack files carry (`00000000-0000-0000-0000-0000000000db`):
 * fine for the offline preview, refused by `pulumi up` with the key to set.
 */
export function isPlaceholderId(value: string): boolean {
  return /^0{8}-0{4}-0{4}-0{4}-[0-9a-f]{12}$/i.test(value);
}

/** Required when `medallion:cloud` is `azure`, with how to find each value. */
const AZURE_KEYS = {
  location: ["azure-native:location", "is required when medallion:cloud is azure (e.g. westeurope)"],
  azureDatabricksObjectId: [
    "medallion:azureDatabricksObjectId",
    "is required when medallion:cloud is azure: the object ID of the AzureDatabricks application in your tenant (az ad sp show --id 2ff814a6-3304-4ab8-85cb-cd0e6f879c1d --query id -o tsv)",
  ],
  databricksAccountId: [
    "medallion:databricksAccountId",
    "is required when medallion:cloud is azure: your Databricks account ID (account console, top right)",
  ],
} as const;

/** Raw config lookup (`namespace:key` → string), so tests and the offline preview can feed plain maps. */
export type ConfigLookup = (key: string) => string | undefined;

const SECRETS_KEY = "medallion:secrets";

/**
 * Reads and validates the `medallion:*` keys (and the cloud's region) before any resource registers.
 * Throws one {@link ConfigError} naming every bad field.
 */
export function loadStack(
  lookup: ConfigLookup = pulumi.runtime.getConfig,
  isSecret: (key: string) => boolean = isConfigSecret,
  // A `pulumi up` of the real program; a preview (real or offline) or a caller's own lookup is not one.
  deploying: boolean = lookup === pulumi.runtime.getConfig && !pulumi.runtime.isDryRun(),
  // The stack file the config came from, so each problem names its line (the real program's is in its folder).
  stackFile: string | undefined = lookup === pulumi.runtime.getConfig
    ? path.join(process.cwd(), `Pulumi.${pulumi.getStack()}.yaml`)
    : undefined,
): LoadedStack {
  const problems: ConfigProblem[] = [];
  const lakehouse = parseJsonKey(lookup, "medallion:lakehouse", problems);
  const secrets = parseJsonKey(lookup, SECRETS_KEY, problems);
  let settings: StackSettings | undefined;
  try {
    settings = parseStackSettings({
      cloud: lookup("medallion:cloud"),
      environment: lookup("medallion:environment"),
      lakehouse: lakehouse === INVALID ? {} : lakehouse,
    });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(
      ...error.problems.filter((p) => !(lakehouse === INVALID && p.path.startsWith("medallion:lakehouse"))),
    );
  }
  const awsRegion = lookup("aws:region");
  if (settings?.cloud === "aws" && !awsRegion) {
    problems.push({
      path: "aws:region",
      message: "is required when medallion:cloud is aws (e.g. us-east-1)",
    });
  }
  const aws =
    settings?.cloud === "aws"
      ? readAwsSettings(
          lookup,
          problems,
          settings.spec.tables.some((t) => t.source.kind === "database" && t.source.capture === "pull"),
        )
      : undefined;
  const azureBase = settings?.cloud === "azure" ? readAzureSettings(lookup, problems, deploying) : undefined;
  const azureSources =
    settings?.cloud === "azure" ? readAzureSources(settings, lookup, problems, deploying) : undefined;
  const azure = azureBase && azureSources ? { ...azureBase, sources: azureSources } : azureBase;
  const secretValues = settings ? readSecretValues(secrets, settings, isSecret, problems) : {};
  if (problems.length > 0 || !settings) {
    const error = new ConfigError("Stack config", problems);
    throw stackFile ? withStackFileLocations(error, stackFile) : error;
  }
  return {
    settings,
    secretValues,
    ...(awsRegion ? { awsRegion } : {}),
    ...(aws ? { aws } : {}),
    ...(azure ? { azure } : {}),
  };
}

function readAzureSettings(
  lookup: ConfigLookup,
  problems: ConfigProblem[],
  deploying: boolean,
): AzureStackSettings | undefined {
  const values: Partial<Record<keyof AzureStackSettings, string>> = {};
  for (const [field, [key, message]] of Object.entries(AZURE_KEYS) as [
    keyof AzureStackSettings,
    readonly [string, string],
  ][]) {
    const value = lookup(key);
    if (value && deploying && isPlaceholderId(value)) {
      problems.push({
        path: key,
        message: `is the example placeholder ${value}; ${message.replace(/^is required when medallion:cloud is azure: /, "set ")}`,
      });
    } else if (value) values[field] = value;
    else problems.push({ path: key, message });
  }
  const metastore = lookup("medallion:databricksMetastoreId");
  if (metastore && deploying && isPlaceholderId(metastore)) {
    problems.push({
      path: "medallion:databricksMetastoreId",
      message: `is the example placeholder ${metastore}; set your metastore's ID (databricks metastores list) or remove the key`,
    });
  }
  const { location, azureDatabricksObjectId, databricksAccountId } = values;
  return location && azureDatabricksObjectId && databricksAccountId
    ? {
        location,
        azureDatabricksObjectId,
        databricksAccountId,
        ...(metastore ? { databricksMetastoreId: metastore } : {}),
      }
    : undefined;
}

/** Adds `medallion:azureSources` to the Azure settings; required when a table is written from outside. */
function readAzureSources(
  settings: StackSettings,
  lookup: ConfigLookup,
  problems: ConfigProblem[],
  deploying: boolean,
): AzureSourcesConfig | undefined {
  const key = "medallion:azureSources";
  const sources = readAzureSourcesConfig(lookup(key), problems, key);
  const written = settings.spec.tables.filter((t) => t.source.kind !== "api").map((t) => t.name);
  if (!lookup(key) && written.length > 0) {
    problems.push({
      path: key,
      message: `is required on azure when tables are written from outside (${written.join(", ")}): { "writerGroupObjectId": "<Entra group object ID>", "allowedIpRanges": [...], "allowedSubnetIds": [...] }`,
    });
  }
  if (sources && deploying && isPlaceholderId(sources.writerGroupObjectId)) {
    problems.push({
      path: `${key}.writerGroupObjectId`,
      message: `is the example placeholder ${sources.writerGroupObjectId}; set your writers' Entra group (az ad group show --group <name> --query id -o tsv)`,
    });
  }
  return sources;
}

const INVALID = Symbol("invalid");

function parseJsonKey(lookup: ConfigLookup, key: string, problems: ConfigProblem[]): unknown {
  const raw = lookup(key);
  if (raw === undefined) return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    problems.push({ path: key, message: "must be a YAML object (it did not parse as structured config)" });
    return INVALID;
  }
}

function readSecretValues(
  raw: unknown,
  settings: StackSettings,
  isSecret: (key: string) => boolean,
  problems: ConfigProblem[],
): Record<string, pulumi.Output<string>> {
  if (raw === undefined || raw === INVALID) return {};
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    problems.push({ path: SECRETS_KEY, message: "must be an object of secret name → value" });
    return {};
  }
  if (!isSecret(SECRETS_KEY)) {
    problems.push({
      path: SECRETS_KEY,
      message:
        "holds plain text; set each value with `pulumi config set --secret --path medallion:secrets.<name> <value>`",
    });
  }
  const declared = new Set(settings.spec.secrets.map((s) => s.name));
  const values: Record<string, pulumi.Output<string>> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (!declared.has(name))
      problems.push({
        path: `${SECRETS_KEY}.${name}`,
        message: `no secret "${name}" in medallion:lakehouse.secrets`,
      });
    else if (typeof value !== "string")
      problems.push({ path: `${SECRETS_KEY}.${name}`, message: "must be a string" });
    else values[name] = pulumi.secret(value);
  }
  return values;
}

/**
 * Whether the engine passed `key` as a secret. The SDK's own check is internal, so fall back to the
 * language host's documented PULUMI_CONFIG_SECRET_KEYS variable when it is missing.
 */
function isConfigSecret(key: string): boolean {
  const internal = (pulumi.runtime as unknown as { isConfigSecret?: (k: string) => boolean }).isConfigSecret;
  if (internal) return internal(key);
  try {
    const keys: unknown = JSON.parse(process.env.PULUMI_CONFIG_SECRET_KEYS ?? "[]");
    return Array.isArray(keys) && keys.includes(key);
  } catch {
    return false;
  }
}
