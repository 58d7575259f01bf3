/** The AWS-only program, as TypeScript source: `medallion preview` runs it without compiling it first. */
import { Provider } from "@pulumi/aws/provider";
import { AwsLakehouse } from "medallion-lakehouse/aws";
import { spec } from "../spec";

export = () => {
  const provider = new Provider("aws", { region: "eu-west-1" });
  const lakehouse = new AwsLakehouse(
    "consumer",
    { spec, environment: "dev" },
    { providers: { aws: provider } },
  );
  return { alertTopic: lakehouse.monitoring.alertChannel };
};
