/** An AWS-only program: it imports `medallion-lakehouse/aws`, never the Azure components. */
import { Provider } from "@pulumi/aws/provider";
import { AwsLakehouse } from "medallion-lakehouse/aws";
import { spec } from "./spec";

export = () => {
  const provider = new Provider("aws", { region: "eu-west-1" });
  const lakehouse = new AwsLakehouse(
    "consumer",
    { spec, environment: "dev" },
    { providers: { aws: provider } },
  );
  return { alertTopic: lakehouse.monitoring.alertChannel };
};
