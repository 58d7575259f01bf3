import { at } from "../stack-view";
import type { Rule, RuleResource, StackView } from "../types";

const KEY = "aws:kms/key:Key";
const BUCKET = "aws:s3/bucket:Bucket";
const BUCKET_ENCRYPTION =
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration";
const BUCKET_LOGGING = "aws:s3/bucketLogging:BucketLogging";
const AWS_MANAGED_KEY = /^alias\/aws\//;

/** Whether a resource's key input names a customer key (not absent, not an `alias/aws/...` default key). */
function customerKey(value: unknown): boolean {
  return typeof value === "string"
    ? value.length > 0 && !AWS_MANAGED_KEY.test(value)
    : value !== undefined && value !== null;
}

/** The check for a store whose key is the `input` argument: a problem message unless it is a customer key. */
function keyIn(input: string, kind: string): (r: RuleResource) => string | undefined {
  return (r) =>
    customerKey(r.inputs[input])
      ? undefined
      : `${kind} ${r.name} is not encrypted with a customer-managed KMS key`;
}

/** Per data-store type: a problem message when it is not under a customer-managed key. */
const KEY_CHECKS: Record<string, (r: RuleResource) => string | undefined> = {
  "aws:dynamodb/table:Table": (r) =>
    at(r.inputs, "serverSideEncryption", "enabled") === true &&
    customerKey(at(r.inputs, "serverSideEncryption", "kmsKeyArn"))
      ? undefined
      : `table ${r.name} is not encrypted with a customer-managed KMS key`,
  "aws:sqs/queue:Queue": keyIn("kmsMasterKeyId", "queue"),
  "aws:sns/topic:Topic": keyIn("kmsMasterKeyId", "topic"),
  "aws:kinesis/stream:Stream": keyIn("kmsKeyId", "stream"),
  "aws:secretsmanager/secret:Secret": keyIn("kmsKeyId", "secret"),
  "aws:cloudwatch/logGroup:LogGroup": keyIn("kmsKeyId", "log group"),
  "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream": (r) =>
    r.inputs.kinesisSourceConfiguration ||
    at(r.inputs, "serverSideEncryption", "keyType") === "CUSTOMER_MANAGED_CMK"
      ? undefined
      : `delivery stream ${r.name} is not encrypted with a customer-managed KMS key`,
  "aws:athena/workgroup:Workgroup": (r) =>
    customerKey(at(r.inputs, "configuration", "resultConfiguration", "encryptionConfiguration", "kmsKeyArn"))
      ? undefined
      : `workgroup ${r.name} results are not encrypted with a customer-managed KMS key`,
  "aws:ecr/repository:Repository": (r) => {
    const config = Array.isArray(r.inputs.encryptionConfigurations)
      ? r.inputs.encryptionConfigurations[0]
      : undefined;
    return at(config, "encryptionType") === "KMS" && customerKey(at(config, "kmsKey"))
      ? undefined
      : `repository ${r.name} is not encrypted with a customer-managed KMS key`;
  },
};

export const customerManagedKeys: Rule = {
  id: "medallion-customer-managed-keys",
  kind: "stack",
  description:
    "Every AWS data store (S3, DynamoDB, SQS, SNS, Kinesis, Firehose, Secrets Manager, CloudWatch Logs, Athena results, ECR) is encrypted with a customer-managed KMS key. The one documented exception: S3 server access logging targets, which S3 can only deliver to with SSE-S3.",
  sources: [{ source: "medallion", id: "CMK" }],
  enforcement: "mandatory",
  check(stack) {
    const out: { urn: string; message: string }[] = [];
    const logTargets = new Set(
      stack.ofType(BUCKET_LOGGING).flatMap((l) => [...(l.dependencies.targetBucket ?? [])]),
    );
    for (const bucket of stack.ofType(BUCKET)) {
      if (logTargets.has(bucket.urn)) continue;
      const encrypted = stack.dependents(bucket, BUCKET_ENCRYPTION, "bucket").some((c) => {
        const rule = Array.isArray(c.inputs.rules) ? c.inputs.rules[0] : undefined;
        return (
          at(rule, "applyServerSideEncryptionByDefault", "sseAlgorithm") === "aws:kms" &&
          customerKey(at(rule, "applyServerSideEncryptionByDefault", "kmsMasterKeyId"))
        );
      });
      if (!encrypted)
        out.push({
          urn: bucket.urn,
          message: `bucket ${bucket.name} is not encrypted with a customer-managed KMS key`,
        });
    }
    for (const [type, check] of Object.entries(KEY_CHECKS)) {
      for (const resource of stack.ofType(type)) {
        const message = check(resource);
        if (message) out.push({ urn: resource.urn, message });
      }
    }
    return out;
  },
};

export const alarmsHaveActions: Rule = {
  id: "medallion-alarm-actions",
  kind: "resource",
  types: [
    "aws:cloudwatch/metricAlarm:MetricAlarm",
    "azure-native:insights:MetricAlert",
    "azure-native:monitor:MetricAlert",
    "azure-native:insights:ScheduledQueryRule",
    "azure-native:monitor:ScheduledQueryRule",
  ],
  description:
    "Every alarm notifies someone: it has at least one action and actions are not disabled. An alarm without an action never fires for anyone.",
  sources: [{ source: "medallion", id: "ALARM-ACTIONS" }],
  enforcement: "mandatory",
  check(alarm) {
    if (alarm.type.startsWith("aws:")) {
      const actions = alarm.inputs.alarmActions;
      if (alarm.inputs.actionsEnabled === false) return [`alarm ${alarm.name} has its actions disabled`];
      return Array.isArray(actions) && actions.length > 0 ? [] : [`alarm ${alarm.name} has no alarm action`];
    }
    const actions = at(alarm.inputs, "actions");
    const groups = Array.isArray(actions) ? actions : at(actions, "actionGroups");
    return Array.isArray(groups) && groups.length > 0 ? [] : [`alert ${alarm.name} has no action group`];
  },
};

/** Stores whose loss loses data; with the keys that encrypt them, they must survive `pulumi destroy` in protected environments. */
const DATA_STORES = [
  BUCKET,
  "aws:dynamodb/table:Table",
  "aws:kinesis/stream:Stream",
  "aws:secretsmanager/secret:Secret",
  "azure-native:storage:StorageAccount",
  "azure-native:keyvault:Vault",
];

export const protectedDataStores: Rule = {
  id: "medallion-protected-data-stores",
  kind: "stack",
  description:
    "In a protected environment every data store (S3 buckets, DynamoDB tables, Kinesis streams, secrets, storage accounts, key vaults) and every KMS key encrypting one is protected and retained on delete, so `pulumi destroy` cannot lose data.",
  sources: [{ source: "medallion", id: "PROTECT" }],
  enforcement: "mandatory",
  check(stack, context) {
    if (!context.protectedEnvironment) return [];
    const must = new Map<string, RuleResource>();
    for (const store of DATA_STORES.flatMap((t) => stack.ofType(t))) {
      must.set(store.urn, store);
      for (const key of keysOf(stack, store)) must.set(key.urn, key);
    }
    return [...must.values()]
      .filter((r) => !r.protect || r.retainOnDelete === false)
      .map((r) => ({
        urn: r.urn,
        message: `${r.name} is a data store or its key in a protected environment but is not protected and retained on delete`,
      }));
  },
};

function keysOf(stack: StackView, store: RuleResource): RuleResource[] {
  const direct = Object.values(store.dependencies).flat();
  const viaEncryption =
    store.type === BUCKET
      ? stack
          .dependents(store, BUCKET_ENCRYPTION, "bucket")
          .flatMap((c) => Object.values(c.dependencies).flat())
      : [];
  return [...direct, ...viaEncryption]
    .map((urn) => stack.byUrn(urn))
    .filter((r): r is RuleResource => r?.type === KEY);
}

/** Resource types that accept tags, for the tag rule (types that take no tags are not listed). */
export const TAGGABLE_TYPES = [
  BUCKET,
  KEY,
  "aws:glue/catalogDatabase:CatalogDatabase",
  // aws:glue/catalogTable:CatalogTable takes no tags (@pulumi/aws 7.x has no `tags` input on it).
  "aws:glue/job:Job",
  "aws:sns/topic:Topic",
  "aws:sqs/queue:Queue",
  "aws:secretsmanager/secret:Secret",
  "aws:dynamodb/table:Table",
  "aws:lambda/function:Function",
  "aws:iam/role:Role",
  "aws:cloudwatch/logGroup:LogGroup",
  "aws:cloudwatch/metricAlarm:MetricAlarm",
  "aws:sfn/stateMachine:StateMachine",
  "aws:kinesis/stream:Stream",
  "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream",
  "aws:ecs/cluster:Cluster",
  "aws:ecs/taskDefinition:TaskDefinition",
  "aws:ecr/repository:Repository",
  "aws:athena/workgroup:Workgroup",
  "aws:cloudwatch/eventRule:EventRule",
  "azure-native:resources:ResourceGroup",
  "azure-native:storage:StorageAccount",
  "azure-native:keyvault:Vault",
  "azure-native:databricks:Workspace",
  "azure-native:databricks:AccessConnector",
  "azure-native:operationalinsights:Workspace",
  "azure-native:insights:ActionGroup",
  "azure-native:monitor:ActionGroup",
  "azure-native:app:Job",
  "azure-native:app:ManagedEnvironment",
  "azure-native:containerregistry:Registry",
  "azure-native:managedidentity:UserAssignedIdentity",
  "azure-native:network:VirtualNetwork",
  "aws:scheduler/scheduleGroup:ScheduleGroup",
  "aws:sfn/activity:Activity",
  "aws:ecs/service:Service",
  "aws:iam/policy:Policy",
] as const;

export const REQUIRED_TAGS = ["project", "environment", "managed-by"] as const;

export const tagsPresent: Rule = {
  id: "medallion-tags",
  kind: "resource",
  types: TAGGABLE_TYPES,
  description: `Every taggable resource carries the ${REQUIRED_TAGS.join(", ")} tags (explicitly: provider default tags do not reach the plan, and transforms do not run under mocks).`,
  sources: [{ source: "medallion", id: "TAGS" }],
  enforcement: "mandatory",
  check(resource) {
    const tags = resource.inputs.tags;
    const missing = REQUIRED_TAGS.filter((t) => typeof at(tags, t) !== "string" || at(tags, t) === "");
    return missing.length === 0
      ? []
      : [`${resource.name} is missing the tag${missing.length > 1 ? "s" : ""} ${missing.join(", ")}`];
  },
};
