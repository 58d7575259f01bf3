import { Provider } from "@pulumi/azure-native/provider";
import * as pulumi from "@pulumi/pulumi";
import { AzureLakehouse } from "../components";
import { capabilityProblems } from "../components/capabilities";
import { ConfigError } from "../components/spec/errors";
import type { LoadedStack } from "../infra/config";

/** What an Azure stack exports: what downstream stacks and people need to find the lakehouse. */
export interface AzureStackOutputs {
  readonly cloud: "azure";
  readonly layers: Record<
    string,
    {
      location: pulumi.Output<string>;
      catalogNamespace: pulumi.Output<string>;
      encryption: pulumi.Output<string>;
    }
  >;
  readonly secretUris: Record<string, pulumi.Output<string>>;
  readonly actionGroupId: pulumi.Output<string>;
  readonly workspaceUrl: pulumi.Output<string>;
  readonly jobId: pulumi.Output<string>;
  /** The gold job (schedules.silverToGold). */
  readonly goldJobId: pulumi.Output<string>;
  readonly goldConsumerGroup: pulumi.Output<string>;
}

/**
 * Assembles the Azure + Databricks stack from the same spec as the AWS one. An explicit azure-native
 * provider carries the location; components tag every resource explicitly (transforms do not run
 * under the mock runtime the offline preview and tests use).
 */
export function buildAzureStack(stack: LoadedStack): AzureStackOutputs {
  const { settings } = stack;
  const azure = stack.azure;
  if (!azure) throw new Error("buildAzureStack needs the Azure settings (medallion:cloud must be azure)");
  // Before any resource registers: a feature Azure cannot honour is a spec error naming the field.
  const unsupported = capabilityProblems(settings.spec, "azure");
  if (unsupported.length > 0) throw new ConfigError("Stack config", unsupported);
  const provider = new Provider("azure-native", { location: azure.location });
  const lakehouse = new AzureLakehouse(
    settings.spec.name,
    {
      spec: settings.spec,
      environment: settings.environment,
      secretValues: stack.secretValues,
      location: azure.location,
      azureDatabricksObjectId: azure.azureDatabricksObjectId,
      databricksAccountId: azure.databricksAccountId,
      ...(azure.databricksMetastoreId ? { metastoreId: azure.databricksMetastoreId } : {}),
      ...(azure.sources ? { sources: azure.sources } : {}),
    },
    { providers: { "azure-native": provider } },
  );
  return {
    cloud: "azure",
    layers: Object.fromEntries(
      Object.entries(lakehouse.layers).map(([name, layer]) => [
        name,
        {
          location: layer.location,
          catalogNamespace: layer.catalogNamespace,
          encryption: layer.encryptionKeyId,
        },
      ]),
    ),
    secretUris: { ...lakehouse.secrets.references },
    actionGroupId: lakehouse.monitoring.alertChannel,
    workspaceUrl: lakehouse.databricks.workspaceUrl,
    jobId: lakehouse.job.jobId,
    goldJobId: lakehouse.goldJob.jobId,
    goldConsumerGroup: lakehouse.catalog.consumerGroupName,
  };
}
