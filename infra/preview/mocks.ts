import type * as pulumi from "@pulumi/pulumi";
import { createHash } from "node:crypto";

/** The fake account the offline preview runs in; ARNs use it so policies can be evaluated offline. */
export const PREVIEW_ACCOUNT_ID = "123456789012";

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
            arn: `arn:aws:iam::${account}:user/offline-preview`,
            userId: "AIDAOFFLINEPREVIEW",
            id: account,
          };
        case "aws:index/getPartition:getPartition":
          return {
            partition: "aws",
            dnsSuffix: "amazonaws.com",
            reverseDnsPrefix: "com.amazonaws",
            id: "aws",
          };
        case "aws:index/getRegion:getRegion":
          return {
            name: region,
            region,
            id: region,
            endpoint: `ec2.${region}.amazonaws.com`,
            description: region,
          };
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
    case "aws:sfn/stateMachine:StateMachine": {
      const arn = `arn:aws:states:${region}:${account}:stateMachine:${physical}`;
      return { ...base, id: arn, arn, status: "ACTIVE", revisionId: uuid(seed) };
    }
    case "aws:scheduler/schedule:Schedule":
      return {
        ...base,
        id: `default/${physical}`,
        arn: `arn:aws:scheduler:${region}:${account}:schedule/default/${physical}`,
      };
    case "aws:sqs/queue:Queue": {
      const url = `https://sqs.${region}.amazonaws.com/${account}/${physical}`;
      return { ...base, id: url, url, arn: `arn:aws:sqs:${region}:${account}:${physical}` };
    }
    case "aws:cloudwatch/logGroup:LogGroup":
      return { ...base, id: physical, arn: `arn:aws:logs:${region}:${account}:log-group:${physical}` };
    case "aws:cloudwatch/metricAlarm:MetricAlarm":
      return { ...base, id: physical, arn: `arn:aws:cloudwatch:${region}:${account}:alarm:${physical}` };
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
