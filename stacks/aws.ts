import { Provider } from "@pulumi/aws/provider";
import * as pulumi from "@pulumi/pulumi";
import { AwsLakehouse, standardTags } from "../components";
import { capabilityProblems } from "../components/capabilities";
import { ConfigError } from "../components/spec/errors";
import type { LoadedStack } from "../infra/config";

/** What a stack exports: what downstream stacks and people need to find the lakehouse. */
export interface AwsStackOutputs {
  readonly cloud: "aws";
  readonly layers: Record<
    string,
    { location: pulumi.Output<string>; catalogDatabase: pulumi.Output<string>; keyArn: pulumi.Output<string> }
  >;
  readonly secretArns: Record<string, pulumi.Output<string>>;
  readonly alertTopicArn: pulumi.Output<string>;
  readonly accessLogBucket: pulumi.Output<string>;
  /** Where data enters: the CDC stream (when there are CDC tables), the workflow, the job-events topic (when there are event tables). */
  readonly ingestion: {
    readonly cdcStream?: pulumi.Output<string>;
    readonly rawToBronzeStateMachine: pulumi.Output<string>;
    readonly controlTable: pulumi.Output<string>;
    readonly jobEventsTopic?: pulumi.Output<string>;
  };
}

/**
 * Assembles the AWS stack. An explicit provider carries region and default tags, because resource
 * transforms do not run under the mock runtime the offline preview and tests use; components also tag
 * explicitly.
 */
export function buildAwsStack(stack: LoadedStack): AwsStackOutputs {
  const { settings } = stack;
  // Before any resource registers: a feature AWS cannot honour (yet) is a spec error naming the field.
  const unsupported = capabilityProblems(settings.spec, "aws");
  if (unsupported.length > 0) throw new ConfigError("Stack config", unsupported);
  const provider = new Provider("aws", {
    region: stack.awsRegion as string,
    defaultTags: { tags: standardTags({ project: settings.spec.name, environment: settings.environment }) },
  });
  const lakehouse = new AwsLakehouse(
    settings.spec.name,
    {
      spec: settings.spec,
      environment: settings.environment,
      secretValues: stack.secretValues,
      ...(stack.aws ? { lakeFormationAdmins: stack.aws.lakeFormationAdmins } : {}),
      ingestion: {
        ...(stack.aws?.converterNetwork ? { converterNetwork: stack.aws.converterNetwork } : {}),
        ...(stack.aws?.databaseNetwork ? { databaseNetwork: stack.aws.databaseNetwork } : {}),
      },
    },
    { providers: { aws: provider } },
  );
  return {
    cloud: "aws",
    layers: Object.fromEntries(
      Object.entries(lakehouse.layers).map(([name, layer]) => [
        name,
        { location: layer.location, catalogDatabase: layer.catalogNamespace, keyArn: layer.encryptionKeyId },
      ]),
    ),
    secretArns: { ...lakehouse.secrets.references },
    alertTopicArn: lakehouse.monitoring.alertChannel,
    accessLogBucket: lakehouse.accessLogs.bucketName,
    ingestion: {
      ...(lakehouse.ingestion.cdc ? { cdcStream: lakehouse.ingestion.cdc.streamName } : {}),
      rawToBronzeStateMachine: lakehouse.ingestion.rawArrival.stateMachineArn,
      controlTable: lakehouse.ingestion.rawArrival.controlTable.tableName,
      ...(lakehouse.ingestion.eventJobs ? { jobEventsTopic: lakehouse.ingestion.eventJobs.topicArn } : {}),
    },
  };
}
