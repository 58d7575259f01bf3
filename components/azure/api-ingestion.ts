import * as dockerBuild from "@pulumi/docker-build";
import { Job } from "@pulumi/azure-native/app/job";
import type { RoleAssignment } from "@pulumi/azure-native/authorization/roleAssignment";
import type { ManagedEnvironment } from "@pulumi/azure-native/app/managedEnvironment";
import type { Registry } from "@pulumi/azure-native/containerregistry/registry";
import { UserAssignedIdentity } from "@pulumi/azure-native/managedidentity/userAssignedIdentity";
import { Table } from "@pulumi/azure-native/storage/table";
import * as pulumi from "@pulumi/pulumi";
import { azureResourceName } from "../naming";
import type { TableSpec } from "../spec";
import { imageBuild } from "../aws/bundle";
import type { AzureJobPlatform } from "./job-platform";
import type { AzureMedallionLayer } from "./medallion-layer";
import type { AzureMonitoring } from "./monitoring";
import type { AzurePrincipal } from "./principal";
import { acrPushCredentials } from "./registry-login";
import { afterPropagation, assignRole } from "./role-assignment";
import type { AzureSecretStore } from "./secret-store";
import type { AzureStorageAccount } from "./storage-account";

/** The image's entry; its bundle folder (with `functions/api-pull/Dockerfile`) is the build context. */
export const API_PULL_IMAGE_ENTRY = "api-pull/azure-job.ts";

/** The pulls AWS schedules too: hourly from the watermark, daily for D-1 (functions/lib/api-pull `mode`). */
export const PULL_MODES = ["hourly", "daily"] as const;
export type PullMode = (typeof PULL_MODES)[number];

export interface AzureApiIngestionArgs {
  readonly product: string;
  readonly environment: string;
  readonly resourceGroupName: pulumi.Input<string>;
  readonly location: pulumi.Input<string>;
  readonly subscriptionId: pulumi.Input<string>;
  /** The spec's tables with an `api` source (one or more). */
  readonly tables: readonly TableSpec[];
  /**
   * Five-field crons (UTC) of the hourly pull from the watermark and of the daily D-1 pull (the spec's
   * `schedules.ingestion` and `schedules.daily`); Container Apps jobs take them as is.
   */
  readonly schedules: Readonly<Record<PullMode, string>>;
  readonly raw: AzureMedallionLayer;
  readonly storage: AzureStorageAccount;
  readonly secrets: AzureSecretStore;
  /** The registry and managed environment the stack's jobs share. */
  readonly platform: AzureJobPlatform;
  readonly monitoring: AzureMonitoring;
  /**
   * Tag the `<registry>/<product>-api-pull` image is pushed with at `pulumi up`; the jobs run the pushed
   * digest, so a moved tag never changes what runs. @default "latest"
   */
  readonly imageTag?: string;
  /** Seconds one execution may run before it is stopped and retried. @default 1800 */
  readonly timeoutSeconds?: number;
  /** Retries of a failed execution. @default 2 */
  readonly retries?: number;
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * API pulls into raw on Azure: a scheduled Container Apps job running the TypeScript api-pull code in a
 * container, as a user-assigned managed identity that may write only its tables' folders in raw, read
 * only its tables' secrets, and read and write its watermarks in a storage table (never account keys).
 * It runs inside the ingestion subnet so the storage and vault firewalls stay default-deny, logs to
 * Log Analytics, and every failed execution fires an alert to the action group.
 */
export class AzureApiIngestion extends pulumi.ComponentResource {
  readonly identity: UserAssignedIdentity;
  readonly registry: Registry;
  /**
   * The api-pull image (`functions/api-pull/Dockerfile`), built by BuildKit on the deploying machine at
   * `pulumi up` (not on preview) and pushed with the docker credentials there (`az acr login` first).
   */
  readonly image: dockerBuild.Image;
  readonly watermarks: Table;
  readonly environment: ManagedEnvironment;
  /** One scheduled job per pull mode. */
  readonly jobs: Readonly<Record<PullMode, Job>>;

  constructor(name: string, args: AzureApiIngestionArgs, opts?: pulumi.ComponentResourceOptions) {
    super("medallion:azure:ApiIngestion", name, {}, opts);
    const imageTag = args.imageTag ?? "latest";
    const timeoutSeconds = args.timeoutSeconds ?? 1800;
    const retries = args.retries ?? 2;
    // API sources and database tables pulled by watermark share the job: same window, raw and watermark code.
    const apiTables = args.tables.filter(isPulledTable);
    if (apiTables.length === 0 || apiTables.length !== args.tables.length) {
      throw new Error(
        `AzureApiIngestion ${name}: tables must be one or more tables with an api source or a database pull`,
      );
    }
    const common = {
      resourceGroupName: args.resourceGroupName,
      location: args.location,
      tags: { ...args.tags },
    };

    this.identity = new UserAssignedIdentity(
      `${name}-identity`,
      { resourceName: azureResourceName([args.product, args.environment, "api-pull"]), ...common },
      { parent: this },
    );
    const principal: AzurePrincipal = { name: "api-pull", principalId: this.identity.principalId };
    this.registry = args.platform.registry;
    const pullImages = assignRole(
      `${name}-pull-images`,
      {
        scope: this.registry.id,
        role: "acrPull",
        principal,
        subscriptionId: args.subscriptionId,
        description: "the ingestion job pulls its image",
      },
      { parent: this },
    );
    // The deploying identity (AcrPush, which Owner and Contributor include) pushes with its own Entra token,
    // exchanged for a registry token in the same `up` that creates the registry: no admin user, no
    // `az acr login` step, no two-step first deploy.
    this.image = new dockerBuild.Image(
      `${name}-image`,
      {
        ...imageBuild(API_PULL_IMAGE_ENTRY),
        platforms: ["linux/amd64"],
        buildOnPreview: false,
        push: true,
        registries: [acrPushCredentials(this.registry.loginServer, this)],
        tags: [pulumi.interpolate`${this.registry.loginServer}/${args.product}-api-pull:${imageTag}`],
      },
      { parent: this },
    );
    this.watermarks = new Table(
      `${name}-watermarks`,
      {
        accountName: args.storage.accountName,
        resourceGroupName: args.resourceGroupName,
        tableName: "watermarks",
      },
      { parent: this },
    );
    const watermarkRole = assignRole(
      `${name}-watermarks-api-pull`,
      {
        scope: this.watermarks.id,
        role: "storageTableDataContributor",
        principal,
        subscriptionId: args.subscriptionId,
        description: "the ingestion job reads and advances its watermarks",
      },
      { parent: this },
    );
    const rawGrants = apiTables.map((table) => args.raw.grantWrite(principal, { prefix: table.name }));
    const secretNames = [
      ...new Set(
        apiTables.flatMap((t) =>
          (t.source.kind === "api" || t.source.kind === "database") && t.source.secret
            ? [t.source.secret]
            : [],
        ),
      ),
    ];
    const secretRoles: RoleAssignment[] =
      secretNames.length > 0 ? args.secrets.grantReadEach(principal, secretNames) : [];
    // The jobs start only once every role they use exists and has propagated: a first execution before
    // that fails with `Unable to get value using Managed identity` or an unauthorised image pull.
    const rolesReady = afterPropagation([pullImages, watermarkRole, ...secretRoles], [...rawGrants]);

    this.environment = args.platform.environment;

    const accountName = args.storage.accountName;
    const jobs = {} as Record<PullMode, Job>;
    for (const mode of PULL_MODES) {
      jobs[mode] = new Job(
        `${name}-${mode}`,
        {
          jobName: jobNameFor(args.product, args.environment, mode),
          environmentId: this.environment.id,
          workloadProfileName: "Consumption",
          identity: { type: "UserAssigned", userAssignedIdentities: [this.identity.id] },
          configuration: {
            triggerType: "Schedule",
            scheduleTriggerConfig: {
              cronExpression: args.schedules[mode],
              parallelism: 1,
              replicaCompletionCount: 1,
            },
            replicaTimeout: timeoutSeconds,
            replicaRetryLimit: retries,
            registries: [{ server: this.registry.loginServer, identity: this.identity.id }],
            // No Key Vault references: Container Apps resolves them from its platform, outside the subnet the
            // vault firewall admits; the job reads its secrets itself (KEY_VAULT_SECRETS, azure-job.ts).
          },
          template: {
            containers: [
              {
                name: "api-pull",
                // By digest (`<registry>/<product>-api-pull@sha256:…`): a new image means a new job revision.
                image: this.image.ref,
                resources: { cpu: 0.5, memory: "1Gi" },
                env: [
                  { name: "CLOUD", value: "azure" },
                  { name: "PULL_MODE", value: mode },
                  { name: "AZURE_CLIENT_ID", value: this.identity.clientId },
                  {
                    name: "RAW_URL",
                    value: pulumi.interpolate`https://${accountName}.blob.core.windows.net/raw`,
                  },
                  {
                    name: "WATERMARK_TABLE_URL",
                    value: pulumi.interpolate`https://${accountName}.table.core.windows.net/${this.watermarks.name}`,
                  },
                  { name: "SOURCES", value: JSON.stringify(apiTables.map(sourceOf)) },
                  {
                    name: "KEY_VAULT_SECRETS",
                    value: pulumi
                      .all(secretNames.map((n) => args.secrets.references[n]))
                      .apply((urls) =>
                        JSON.stringify(
                          Object.fromEntries(secretNames.map((n, i) => [secretEnv(n), urls[i]])),
                        ),
                      ),
                  },
                ],
              },
            ],
          },
          ...common,
        },
        { parent: this, dependsOn: rolesReady },
      );
    }
    this.jobs = jobs;
    args.monitoring.alertOnQuery(
      "api-pull-failed",
      `${args.product} ${args.environment}: an API pull into raw failed`,
      failedExecutionsQuery(PULL_MODES.map((mode) => jobNameFor(args.product, args.environment, mode))),
    );
    this.registerOutputs({ hourlyJobId: jobs.hourly.id, dailyJobId: jobs.daily.id });
  }
}

/** The tables the pull job serves: API sources and database tables with `capture: pull`. */
export function isPulledTable(table: TableSpec): boolean {
  return table.source.kind === "api" || (table.source.kind === "database" && table.source.capture === "pull");
}

/**
 * What the job needs per source: the table, its URL (API) or its whole spec (database: columns, watermark,
 * zone), format, incremental column and secret variable.
 */
function sourceOf(table: TableSpec) {
  const source = table.source.kind === "api" || table.source.kind === "database" ? table.source : undefined;
  return {
    table: table.name,
    ...(table.source.kind === "api" ? { url: table.source.url } : { spec: table }),
    format: table.format,
    watermarkColumn: table.incremental?.watermarkColumn ?? null,
    secretEnv: source?.secret ? secretEnv(source.secret) : null,
  };
}

function secretEnv(secretName: string): string {
  return `SECRET_${secretName.toUpperCase().replace(/[^A-Z0-9]+/g, "_")}`;
}

function jobNameFor(product: string, environment: string, mode: PullMode): string {
  return azureResourceName([product, environment, "api-pull", mode], 32);
}

/** Failed executions of the named Container Apps jobs in the environment's system logs. */
export function failedExecutionsQuery(jobNames: readonly string[]): string {
  return [
    "ContainerAppSystemLogs",
    `| where JobName in (${jobNames.map((n) => `"${n}"`).join(", ")})`,
    '| where Reason in ("BackoffLimitExceeded", "DeadlineExceeded", "JobExecutionFailed")',
    "| project TimeGenerated, JobName, ReplicaName, Reason, Log",
  ].join("\n");
}
