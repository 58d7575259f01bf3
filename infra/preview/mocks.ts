import type * as pulumi from "@pulumi/pulumi";
import { createHash } from "node:crypto";
import { AZURE_CLIENT_CONFIG, azureState, databricksState } from "./mocks-azure";

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
        case "azure-native:authorization:getClientConfig":
          return { ...AZURE_CLIENT_CONFIG };
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
