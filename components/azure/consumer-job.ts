import * as dockerBuild from "@pulumi/docker-build";
import { Job } from "@pulumi/azure-native/app/job";
import type { RoleAssignment } from "@pulumi/azure-native/authorization/roleAssignment";
import { UserAssignedIdentity } from "@pulumi/azure-native/managedidentity/userAssignedIdentity";
import * as pulumi from "@pulumi/pulumi";
import { azureResourceName } from "../naming";
import { imageBuild } from "../aws/bundle";
import { failedExecutionsQuery } from "./api-ingestion";
import type { AzureJobPlatform } from "./job-platform";
import type { AzureMonitoring } from "./monitoring";
import type { AzurePrincipal } from "./principal";
import { acrPushCredentials } from "./registry-login";
import { afterPropagation, assignRole } from "./role-assignment";

/** A KEDA scale rule of an event-driven Container Apps job, authenticated as the job's identity. */
export interface KedaRule {
  /** KEDA scaler type (`azure-eventhub`, `azure-servicebus`). */
  readonly type: string;
  readonly metadata: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

export interface AzureConsumerJobArgs {
  readonly product: string;
  readonly environment: string;
  /** Short name of the consumer (`cdc`, `events`): the identity, job and alert are named after it. */
  readonly part: string;
  readonly resourceGroupName: pulumi.Input<string>;
  readonly location: pulumi.Input<string>;
  readonly subscriptionId: pulumi.Input<string>;
  /** The image entry under functions/ (components/aws/bundle.ts RUNTIME_ENTRIES). */
  readonly entry: string;
  readonly platform: AzureJobPlatform;
  readonly monitoring: AzureMonitoring;
  readonly rule: KedaRule;
  /** Roles the job uses, given its principal; the job starts only once they have propagated. */
  readonly roles: (principal: AzurePrincipal) => RoleAssignment[];
  readonly env: Readonly<Record<string, pulumi.Input<string>>>;
  /** Seconds one execution may run. @default 1800 */
  readonly timeoutSeconds?: number;
  /** Executions KEDA may run at once. @default 1 */
  readonly maxExecutions?: number;
  readonly imageTag?: string;
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * An event-driven Container Apps job (the Azure counterpart of a queue- or stream-triggered Lambda): its own
 * user-assigned identity (roles scoped by the caller, AcrPull on the registry), the TypeScript entry built into
 * an image and pushed in the same `up`, a KEDA rule that authenticates as that identity (no connection
 * strings: the namespaces have local auth off), and an alert on every failed execution.
 */
export class AzureConsumerJob extends pulumi.ComponentResource {
  readonly identity: UserAssignedIdentity;
  readonly principal: AzurePrincipal;
  readonly image: dockerBuild.Image;
  readonly job: Job;
  readonly jobName: string;

  constructor(name: string, args: AzureConsumerJobArgs, opts?: pulumi.ComponentResourceOptions) {
    super("medallion:azure:ConsumerJob", name, {}, opts);
    const common = {
      resourceGroupName: args.resourceGroupName,
      location: args.location,
      tags: { ...args.tags },
    };
    this.jobName = azureResourceName([args.product, args.environment, args.part], 32);
    this.identity = new UserAssignedIdentity(
      `${name}-identity`,
      { resourceName: azureResourceName([args.product, args.environment, args.part]), ...common },
      { parent: this },
    );
    this.principal = { name: args.part, principalId: this.identity.principalId };
    const pull = assignRole(
      `${name}-pull-images`,
      {
        scope: args.platform.registry.id,
        role: "acrPull",
        principal: this.principal,
        subscriptionId: args.subscriptionId,
        description: `the ${args.part} job pulls its image`,
      },
      { parent: this },
    );
    const loginServer = args.platform.registry.loginServer;
    this.image = new dockerBuild.Image(
      `${name}-image`,
      {
        ...imageBuild(args.entry),
        platforms: ["linux/amd64"],
        buildOnPreview: false,
        push: true,
        registries: [acrPushCredentials(loginServer, this)],
        tags: [pulumi.interpolate`${loginServer}/${args.product}-${args.part}:${args.imageTag ?? "latest"}`],
      },
      { parent: this },
    );
    const rolesReady = afterPropagation([pull, ...args.roles(this.principal)]);
    this.job = new Job(
      name,
      {
        jobName: this.jobName,
        environmentId: args.platform.environment.id,
        workloadProfileName: "Consumption",
        identity: { type: "UserAssigned", userAssignedIdentities: [this.identity.id] },
        configuration: {
          triggerType: "Event",
          eventTriggerConfig: {
            parallelism: 1,
            replicaCompletionCount: 1,
            scale: {
              minExecutions: 0,
              maxExecutions: args.maxExecutions ?? 1,
              pollingInterval: 30,
              // learn.microsoft.com/azure/container-apps/scale-app#authentication: `identity` makes KEDA sign in
              // as the job's managed identity instead of reading a secret.
              rules: [
                {
                  name: args.part,
                  type: args.rule.type,
                  metadata: args.rule.metadata,
                  identity: this.identity.id,
                },
              ],
            },
          },
          replicaTimeout: args.timeoutSeconds ?? 1800,
          replicaRetryLimit: 1,
          registries: [{ server: loginServer, identity: this.identity.id }],
        },
        template: {
          containers: [
            {
              name: args.part,
              image: this.image.ref,
              resources: { cpu: 0.5, memory: "1Gi" },
              env: [
                { name: "AZURE_CLIENT_ID", value: this.identity.clientId },
                ...Object.entries(args.env).map(([n, value]) => ({ name: n, value })),
              ],
            },
          ],
        },
        ...common,
      },
      { parent: this, dependsOn: rolesReady },
    );
    args.monitoring.alertOnQuery(
      `${args.part}-failed`,
      `${args.product} ${args.environment}: a ${args.part} job execution failed`,
      failedExecutionsQuery([this.jobName]),
    );
    this.registerOutputs({ jobId: this.job.id });
  }
}
