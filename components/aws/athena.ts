import * as athena from "@pulumi/aws/athena";
import * as iam from "@pulumi/aws/iam";
import * as pulumi from "@pulumi/pulumi";
import { dashedResourceName, NAME_LIMITS } from "../naming";
import { ARTIFACT_PREFIXES, type AwsArtifactBucket } from "./artifact-bucket";
import type { AwsContext } from "./context";
import type { AwsPrincipal } from "./medallion-layer";
import { ATHENA_QUERY_ACTIONS, S3_BUCKET_LOCATION_ACTIONS } from "./perms";
import { policyJson } from "./policy-documents";

export interface AwsAthenaWorkgroupArgs {
  readonly product: string;
  readonly environment: string;
  /** Query results go under its `athena-results/` prefix, encrypted with its key. */
  readonly artifacts: AwsArtifactBucket;
  readonly context: AwsContext;
  /** Bytes one query may scan before Athena cancels it. @default 10 GiB */
  readonly bytesScannedCutoffPerQuery?: number;
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * The Athena workgroup consumers query gold through: its configuration is enforced (clients cannot
 * send results elsewhere or unencrypted), results are SSE-KMS under the artifacts key, per-query scans
 * are capped and metrics published.
 */
export class AwsAthenaWorkgroup extends pulumi.ComponentResource {
  readonly workgroup: athena.Workgroup;
  readonly workgroupName: pulumi.Output<string>;

  private readonly logicalName: string;
  private readonly args: AwsAthenaWorkgroupArgs;

  constructor(name: string, args: AwsAthenaWorkgroupArgs, opts?: pulumi.ComponentResourceOptions) {
    super("medallion:aws:AthenaWorkgroup", name, {}, opts);
    const bytesScannedCutoffPerQuery = args.bytesScannedCutoffPerQuery ?? 10 * 1024 ** 3;
    if (!Number.isInteger(bytesScannedCutoffPerQuery) || bytesScannedCutoffPerQuery < 10 * 1024 ** 2) {
      throw new Error(
        `AwsAthenaWorkgroup ${name}: bytesScannedCutoffPerQuery must be a whole number of at least 10 MiB (Athena's minimum), got ${bytesScannedCutoffPerQuery}`,
      );
    }
    this.logicalName = name;
    this.args = args;
    this.workgroup = new athena.Workgroup(
      name,
      {
        name: dashedResourceName([args.product, args.environment], NAME_LIMITS.athenaWorkgroup),
        description: `Queries over the ${args.product} (${args.environment}) lakehouse`,
        state: "ENABLED",
        forceDestroy: false,
        configuration: {
          enforceWorkgroupConfiguration: true,
          publishCloudwatchMetricsEnabled: true,
          bytesScannedCutoffPerQuery,
          engineVersion: { selectedEngineVersion: "Athena engine version 3" },
          resultConfiguration: {
            outputLocation: args.artifacts.uri(ARTIFACT_PREFIXES.athenaResults),
            encryptionConfiguration: { encryptionOption: "SSE_KMS", kmsKeyArn: args.artifacts.key.arn },
          },
        },
        tags: { ...args.tags },
      },
      { parent: this },
    );
    this.workgroupName = this.workgroup.name;
    this.registerOutputs({ workgroupName: this.workgroupName });
  }

  /** Lets the role run queries in this workgroup and read and write its results. */
  grantQuery(principal: AwsPrincipal): iam.RolePolicy {
    const { artifacts, context } = this.args;
    artifacts.grantRead(principal, ARTIFACT_PREFIXES.athenaResults);
    artifacts.grantWrite(principal, ARTIFACT_PREFIXES.athenaResults);
    return new iam.RolePolicy(
      `${this.logicalName}-query-${principal.name}`,
      {
        role: principal.role.name,
        policy: policyJson([
          {
            Sid: "QueryWorkgroup",
            Effect: "Allow",
            Action: [...ATHENA_QUERY_ACTIONS],
            Resource: pulumi.interpolate`arn:${context.partition}:athena:${context.region}:${context.accountId}:workgroup/${this.workgroup.name}`,
          },
          {
            Sid: "ResultsBucketLocation",
            Effect: "Allow",
            Action: [...S3_BUCKET_LOCATION_ACTIONS],
            Resource: artifacts.bucketArn,
          },
        ]),
      },
      { parent: this },
    );
  }
}
