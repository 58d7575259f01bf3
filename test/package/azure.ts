/** An Azure + Databricks program from the same spec. */
import { Provider } from "@pulumi/azure-native/provider";
import { AzureLakehouse } from "medallion-lakehouse/azure";
import { azureSpec } from "./spec";

export = () => {
  const provider = new Provider("azure-native", { location: "westeurope" });
  const lakehouse = new AzureLakehouse(
    "consumer",
    {
      spec: azureSpec,
      environment: "dev",
      location: "westeurope",
      azureDatabricksObjectId: "00000000-0000-0000-0000-0000000000db",
      databricksAccountId: "00000000-0000-0000-0000-00000000acc7",
      // Batch, cdc and event tables are written from outside: the writers' group and their network.
      sources: {
        writerGroupObjectId: "00000000-0000-0000-0000-0000000000a1",
        allowedIpRanges: ["203.0.113.0/24"],
        allowedSubnetIds: [],
      },
    },
    { providers: { "azure-native": provider } },
  );
  return { jobId: lakehouse.job.jobId };
};
