import type * as pulumi from "@pulumi/pulumi";
import { createHash } from "node:crypto";
import { AZURE_CLIENT_CONFIG, azureState, databricksState } from "./mocks-azure";

/** The fake account the offline preview runs in; ARNs use it so policies can be evaluated offline. */
export const PREVIEW_ACCOUNT_ID = "123456789012";

/**
 * Who the offline preview deploys as: an IAM Identity Center (SSO) permission set's role, which IAM
 * creates under the `/aws-reserved/sso.amazonaws.com/` path, so admin resolution must keep the path.
 */
export const PREVIEW_DEPLOYER_ROLE_ARN = `arn:aws:iam::${PREVIEW_ACCOUNT_ID}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_DataPlatformAdmin_0123456789abcdef`;
const PREVIEW_SESSION_ARN = `arn:aws:sts::${PREVIEW_ACCOUNT_ID}:assumed-role/AWSReservedSSO_DataPlatformAdmin_0123456789abcdef/deployer@example.com`;

export interface PreviewMocksOptions {
  /** `aws:region` of the stack. @default "us-east-1" */
  readonly awsRegion?: string;
}

/**
 * Mocks that return what the providers would compute: ARNs with the right partition, service, region
 * and account, physical names (autonamed like Pulumi: logical name + 7 hex), IDs, URLs. Everything is
 * derived from a hash of type and name, so two runs of the same program give the same plan.
 * An invoke without a mock fails loudly instead of returning nothing.
 */
export function previewMocks(options: PreviewMocksOptions = {}): pulumi.runtime.Mocks {
  const region = options.awsRegion ?? "us-east-1";
  const account = PREVIEW_ACCOUNT_ID;
  return {
    newResource(args) {
      const inputs = args.inputs ?? {};
      if (args.type.startsWith("azure-native:") || args.type.startsWith("databricks:")) {
        const plain = unwrapSecrets(inputs) as Record<string, unknown>;
        const computed = args.type.startsWith("databricks:")
          ? databricksState(args.type, args.name, plain)
          : azureState(args.type, args.name, plain);
        return {
          id: computed.id as string,
          state: { ...computed, ...inputs, ...nestedComputed(computed, inputs) },
        };
      }
      const computed = awsState(
        args.type,
        args.name,
        unwrapSecrets(inputs) as Record<string, unknown>,
        region,
        account,
      );
      // Inputs stay as given (secrets stay secret); computed values are added next to them.
      return { id: computed.id as string, state: { ...computed, ...inputs } };
    },
    call(args) {
      switch (args.token) {
        case "aws:index/getCallerIdentity:getCallerIdentity":
          return {
            accountId: account,
            arn: PREVIEW_SESSION_ARN,
            userId: "AROAOFFLINEPREVIEW:deployer@example.com",
            id: account,
          };
        // What IAM answers for the session: its issuer role, with the path (GetRole by role name).
        case "aws:iam/getSessionContext:getSessionContext": {
          const arn = String(args.inputs.arn);
          const session = /^arn:[^:]+:sts::\d+:assumed-role\/([^/]+)\/(.+)$/.exec(arn);
          if (!session) return { arn, issuerArn: arn, id: arn };
          if (arn !== PREVIEW_SESSION_ARN) throw new Error(`the offline preview knows no session ${arn}`);
          return {
            arn,
            issuerArn: PREVIEW_DEPLOYER_ROLE_ARN,
            issuerId: "AROAOFFLINEPREVIEW",
            issuerName: session[1],
            sessionName: session[2],
            id: arn,
          };
        }
        // China regions are their own partition with their own DNS suffix.
        case "aws:index/getPartition:getPartition":
          return region.startsWith("cn-")
            ? {
                partition: "aws-cn",
                dnsSuffix: "amazonaws.com.cn",
                reverseDnsPrefix: "cn.com.amazonaws",
                id: "aws-cn",
              }
            : { partition: "aws", dnsSuffix: "amazonaws.com", reverseDnsPrefix: "com.amazonaws", id: "aws" };
        case "aws:index/getRegion:getRegion":
          return {
            name: region,
            region,
            id: region,
            endpoint: `ec2.${region}.amazonaws.com`,
            description: region,
          };
        case "azure-native:authorization:getClientConfig":
          return { ...AZURE_CLIENT_CONFIG };
        case "azure-native:authorization:getClientToken":
          return { token: "offline-preview-arm-token" };
        // No default-VPC lookup is mocked: many organisations' accounts have no default VPC.
        case "aws:index/getAvailabilityZones:getAvailabilityZones":
          return {
            id: region,
            names: ["a", "b", "c"].map((az) => `${region}${az}`),
            zoneIds: [1, 2, 3].map((n) => `use1-az${n}`),
            groupNames: [region],
          };
        case "aws:ecr/getAuthorizationToken:getAuthorizationToken":
          return {
            id: region,
            userName: "AWS",
            password: "offline-preview-token",
            authorizationToken: "offline-preview-token",
            proxyEndpoint: `https://${account}.dkr.ecr.${region}.amazonaws.com`,
            expiresAt: "2030-01-01T00:00:00Z",
          };
        case "aws:secretsmanager/getRandomPassword:getRandomPassword": {
          // A fixed stand-in of the requested length (Secrets Manager's default is 32); never a real key.
          const length = Number(args.inputs.passwordLength ?? 32);
          return { id: "offline-preview", randomPassword: "x".repeat(length), passwordLength: length };
        }
        default:
          throw new Error(
            `the offline preview has no mock for invoke ${args.token}; add one in infra/preview/mocks.ts`,
          );
      }
    },
  };
}

function awsState(
  type: string,
  name: string,
  inputs: Record<string, unknown>,
  region: string,
  account: string,
): Record<string, unknown> {
  const seed = hex(`${type}::${name}`);
  const autoname = `${name}-${seed.slice(0, 7)}`;
  const physical = (inputs.name as string | undefined) ?? autoname;
  const service = /^aws:([a-z0-9]+)\//.exec(type)?.[1] ?? "unknown";
  const base = {
    ...inputs,
    id: `${physical}`,
    name: physical,
    arn: `arn:aws:${service}:${region}:${account}:${physical}`,
  };
  switch (type) {
    case "aws:s3/bucket:Bucket": {
      const bucket = (inputs.bucket as string | undefined) ?? autoname;
      return {
        ...base,
        id: bucket,
        bucket,
        arn: `arn:aws:s3:::${bucket}`,
        bucketDomainName: `${bucket}.s3.amazonaws.com`,
        bucketRegionalDomainName: `${bucket}.s3.${region}.amazonaws.com`,
        region,
      };
    }
    case "aws:kms/key:Key": {
      const keyId = uuid(seed);
      return { ...base, id: keyId, keyId, arn: `arn:aws:kms:${region}:${account}:key/${keyId}` };
    }
    case "aws:kms/alias:Alias":
      return { ...base, arn: `arn:aws:kms:${region}:${account}:${physical}`, id: physical };
    case "aws:glue/catalogDatabase:CatalogDatabase":
      return {
        ...base,
        id: `${account}:${physical}`,
        catalogId: account,
        arn: `arn:aws:glue:${region}:${account}:database/${physical}`,
      };
    case "aws:secretsmanager/secret:Secret": {
      const arn = `arn:aws:secretsmanager:${region}:${account}:secret:${physical}-${seed.slice(0, 6)}`;
      return { ...base, id: arn, arn };
    }
    case "aws:secretsmanager/secretVersion:SecretVersion":
      return {
        ...base,
        id: `${String(inputs.secretId)}|${uuid(seed)}`,
        versionId: uuid(seed),
        arn: inputs.secretId,
      };
    case "aws:sns/topic:Topic": {
      const arn = `arn:aws:sns:${region}:${account}:${physical}`;
      return { ...base, id: arn, arn };
    }
    case "aws:sns/topicSubscription:TopicSubscription": {
      const arn = `${String(inputs.topic)}:${uuid(seed)}`;
      return { ...base, id: arn, arn };
    }
    case "aws:iam/role:Role":
      return {
        ...base,
        id: physical,
        arn: `arn:aws:iam::${account}:role/${physical}`,
        uniqueId: `AROA${seed.slice(0, 17).toUpperCase()}`,
      };
    case "aws:iam/policy:Policy":
      return {
        ...base,
        id: `arn:aws:iam::${account}:policy/${physical}`,
        arn: `arn:aws:iam::${account}:policy/${physical}`,
      };
    case "aws:iam/rolePolicy:RolePolicy":
      return { ...base, id: `${String(inputs.role)}:${physical}` };
    // ---- Ingestion (issue 4) ----
    case "aws:lambda/function:Function": {
      const arn = `arn:aws:lambda:${region}:${account}:function:${physical}`;
      return {
        ...base,
        id: physical,
        arn,
        qualifiedArn: `${arn}:$LATEST`,
        invokeArn: `arn:aws:apigateway:${region}:lambda:path/2015-03-31/functions/${arn}/invocations`,
        version: "$LATEST",
      };
    }
    case "aws:cloudwatch/logGroup:LogGroup":
      return { ...base, id: physical, arn: `arn:aws:logs:${region}:${account}:log-group:${physical}` };
    case "aws:cloudwatch/metricAlarm:MetricAlarm":
      return { ...base, arn: `arn:aws:cloudwatch:${region}:${account}:alarm:${physical}` };
    case "aws:cloudwatch/eventRule:EventRule":
      return { ...base, arn: `arn:aws:events:${region}:${account}:rule/${physical}` };
    case "aws:dynamodb/table:Table":
      return { ...base, id: physical, arn: `arn:aws:dynamodb:${region}:${account}:table/${physical}` };
    case "aws:sqs/queue:Queue":
      return {
        ...base,
        id: `https://sqs.${region}.amazonaws.com/${account}/${physical}`,
        url: `https://sqs.${region}.amazonaws.com/${account}/${physical}`,
        arn: `arn:aws:sqs:${region}:${account}:${physical}`,
      };
    case "aws:kinesis/stream:Stream":
      return {
        ...base,
        id: `arn:aws:kinesis:${region}:${account}:stream/${physical}`,
        arn: `arn:aws:kinesis:${region}:${account}:stream/${physical}`,
      };
    case "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream":
      return {
        ...base,
        id: `arn:aws:firehose:${region}:${account}:deliverystream/${physical}`,
        arn: `arn:aws:firehose:${region}:${account}:deliverystream/${physical}`,
      };
    case "aws:sfn/stateMachine:StateMachine": {
      const arn = `arn:aws:states:${region}:${account}:stateMachine:${physical}`;
      return { ...base, id: arn, arn, status: "ACTIVE", revisionId: uuid(seed) };
    }
    case "aws:ecs/cluster:Cluster": {
      const arn = `arn:aws:ecs:${region}:${account}:cluster/${physical}`;
      return { ...base, id: arn, arn };
    }
    case "aws:ecs/taskDefinition:TaskDefinition": {
      const family = (inputs.family as string | undefined) ?? autoname;
      const arnWithoutRevision = `arn:aws:ecs:${region}:${account}:task-definition/${family}`;
      return { ...base, id: family, arn: `${arnWithoutRevision}:1`, arnWithoutRevision, revision: 1 };
    }
    case "aws:ecr/repository:Repository":
      return {
        ...base,
        id: physical,
        arn: `arn:aws:ecr:${region}:${account}:repository/${physical}`,
        registryId: account,
        repositoryUrl: `${account}.dkr.ecr.${region}.amazonaws.com/${physical}`,
      };
    case "docker-build:index:Image": {
      const digest = `sha256:${seed}`;
      const tag = ((inputs.tags as string[] | undefined) ?? [autoname])[0];
      return { ...inputs, id: digest, digest, ref: `${tag.replace(/:[^:/]+$/, "")}@${digest}` };
    }
    case "aws:ec2/vpc:Vpc": {
      const id = `vpc-${seed.slice(0, 17)}`;
      return { ...base, id, arn: `arn:aws:ec2:${region}:${account}:vpc/${id}` };
    }
    case "aws:ec2/subnet:Subnet": {
      const id = `subnet-${seed.slice(0, 17)}`;
      return { ...base, id, arn: `arn:aws:ec2:${region}:${account}:subnet/${id}` };
    }
    case "aws:ec2/routeTable:RouteTable":
      return { ...base, id: `rtb-${seed.slice(0, 17)}` };
    case "aws:ec2/vpcEndpoint:VpcEndpoint": {
      const id = `vpce-${seed.slice(0, 17)}`;
      // Gateway endpoints expose the service's managed prefix list (security group egress names it).
      return {
        ...base,
        id,
        arn: `arn:aws:ec2:${region}:${account}:vpc-endpoint/${id}`,
        prefixListId: `pl-${seed.slice(0, 8)}`,
      };
    }
    case "aws:ec2/securityGroup:SecurityGroup": {
      const id = `sg-${seed.slice(0, 17)}`;
      return { ...base, id, arn: `arn:aws:ec2:${region}:${account}:security-group/${id}` };
    }
    case "aws:scheduler/scheduleGroup:ScheduleGroup":
      return { ...base, arn: `arn:aws:scheduler:${region}:${account}:schedule-group/${physical}` };
    case "aws:scheduler/schedule:Schedule":
      return {
        ...base,
        id: `${String(inputs.groupName ?? "default")}/${physical}`,
        arn: `arn:aws:scheduler:${region}:${account}:schedule/${String(inputs.groupName ?? "default")}/${physical}`,
      };
    case "aws:lambda/eventSourceMapping:EventSourceMapping": {
      const id = uuid(seed);
      return { ...base, id, uuid: id, arn: `arn:aws:lambda:${region}:${account}:event-source-mapping:${id}` };
    }
    // Transformations (issue 5): Glue, Step Functions, Scheduler, SQS, CloudWatch, Athena, Lake Formation.
    case "aws:glue/job:Job":
      return { ...base, id: physical, arn: `arn:aws:glue:${region}:${account}:job/${physical}` };
    case "aws:glue/securityConfiguration:SecurityConfiguration":
      return { ...base, id: physical };
    case "aws:glue/catalogTable:CatalogTable": {
      const database = String(inputs.databaseName);
      return {
        ...base,
        id: `${account}:${database}:${physical}`,
        catalogId: account,
        arn: `arn:aws:glue:${region}:${account}:table/${database}/${physical}`,
      };
    }
    case "aws:s3/bucketObjectv2:BucketObjectv2":
      return {
        ...base,
        id: String(inputs.key),
        arn: `arn:aws:s3:::${String(inputs.bucket)}/${String(inputs.key)}`,
        etag: seed.slice(0, 32),
        versionId: seed.slice(32, 64),
      };
    case "aws:athena/workgroup:Workgroup":
      return { ...base, id: physical, arn: `arn:aws:athena:${region}:${account}:workgroup/${physical}` };
    case "aws:lakeformation/dataLakeSettings:DataLakeSettings":
      return { ...base, id: account, catalogId: account };
    case "aws:lakeformation/resource:Resource":
      return { ...base, id: String(inputs.arn), lastModified: "2026-01-01T00:00:00Z" };
    case "aws:lakeformation/permissions:Permissions":
      return { ...base, id: seed.slice(0, 20) };
    default:
      if (type.startsWith("pulumi:providers:")) return { ...inputs, id: uuid(seed) };
      return base;
  }
}

/**
 * Computed fields nested in an input object (a vault's `properties.vaultUri`, an identity's
 * `principalId`) would be hidden by the input of the same name; merge them back in.
 */
function nestedComputed(
  computed: Record<string, unknown>,
  inputs: Record<string, unknown>,
): Record<string, unknown> {
  const merged: Record<string, unknown> = {};
  for (const key of ["properties", "identity"]) {
    if (computed[key] && inputs[key] && typeof inputs[key] === "object") {
      merged[key] = { ...(computed[key] as object), ...(inputs[key] as object) };
    }
  }
  return merged;
}

const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SIG_SECRET = "1b47061264138c4ac30d75fd1eb44270";

/** Mock inputs carry secrets as wrapper objects; names and ARNs are computed from the plain values. */
function unwrapSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(unwrapSecrets);
  if (value && typeof value === "object") {
    const record = value as Record<string, unknown>;
    if (record[SIG_KEY] === SIG_SECRET) return unwrapSecrets(record.value);
    return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, unwrapSecrets(v)]));
  }
  return value;
}

function hex(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

function uuid(seed: string): string {
  return `${seed.slice(0, 8)}-${seed.slice(8, 12)}-4${seed.slice(13, 16)}-a${seed.slice(17, 20)}-${seed.slice(20, 32)}`;
}
