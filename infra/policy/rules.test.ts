import * as fs from "node:fs";
import * as path from "node:path";
import { evaluate } from "./evaluate";
import { compliantAwsStack, KEY_ARN } from "./fixtures/aws";
import { compliantAzureStack } from "./fixtures/azure";
import { compliantMessagingStack, messagingFixtures } from "./fixtures/azure-messaging";
import { change, doc, res, TAGS, tlsDeny, withInputs, without } from "./fixtures/build";
import { observabilityFixtures } from "./observability-fixtures";
import { trustFixtures } from "./fixtures/trust";
import { RULES } from "./rules";
import type { RuleResource } from "./types";

interface Fixture {
  readonly rule: string;
  readonly when: string;
  readonly stack: RuleResource[];
  readonly protectedEnvironment?: boolean;
  /** [resource name, message] for every violation of `rule`, in order. */
  readonly expected: [string, string][];
}

const aws = compliantAwsStack;
const azure = compliantAzureStack;
const ARM_RG = "/subscriptions/0/resourceGroups/rg";
const nameOf = (urn: string) => urn.split("::").pop() as string;

/** Every data store and its key, protected and retained: the compliant protected-environment stack. */
function protectDataStores(stack: RuleResource[]): RuleResource[] {
  const stores = new Set(["key", "logs", "data", "control", "cdc", "api", "db", "lake", "vault"]);
  return stack.map((r) => (stores.has(r.name) ? { ...r, protect: true, retainOnDelete: true } : r));
}

const fixtures: Fixture[] = [
  // S3 (cdk-nag S1, S2, S10)
  {
    rule: "aws-s3-access-logs",
    when: "a bucket has no logging",
    stack: without(aws(), "data-logging"),
    expected: [
      // The log bucket is only exempt while some bucket logs to it.
      ["logs", "bucket logs has no server access logging (aws.s3.BucketLogging)"],
      ["data", "bucket data has no server access logging (aws.s3.BucketLogging)"],
    ],
  },
  {
    rule: "aws-s3-public-access-blocked",
    when: "a bucket has no public-access block",
    stack: without(aws(), "data-public-access"),
    expected: [["data", "bucket data has no public-access block"]],
  },
  {
    rule: "aws-s3-public-access-blocked",
    when: "one block setting is off",
    stack: withInputs(aws(), "data-public-access", { restrictPublicBuckets: false }),
    expected: [
      ["data-public-access", "public-access block of bucket data does not set restrictPublicBuckets to true"],
    ],
  },
  {
    rule: "aws-s3-public-access-blocked",
    when: "block settings are absent",
    stack: withInputs(aws(), "logs-public-access", {
      blockPublicAcls: undefined,
      ignorePublicAcls: undefined,
    }),
    expected: [
      [
        "logs-public-access",
        "public-access block of bucket logs does not set blockPublicAcls, ignorePublicAcls to true",
      ],
    ],
  },
  {
    rule: "aws-s3-tls-only",
    when: "a bucket has no policy",
    stack: without(aws(), "data-policy"),
    expected: [["data", "bucket data has no policy denying non-TLS requests to the bucket and its objects"]],
  },
  {
    rule: "aws-s3-tls-only",
    when: "the TLS deny misses the objects",
    stack: withInputs(aws(), "data-policy", { policy: doc(tlsDeny("s3:*", ["arn:aws:s3:::data-bucket"])) }),
    expected: [["data", "bucket data has no policy denying non-TLS requests to the bucket and its objects"]],
  },
  {
    rule: "aws-s3-tls-only",
    when: "the statement allows instead of denying",
    stack: withInputs(aws(), "data-policy", {
      policy: doc({
        ...tlsDeny("s3:*", ["arn:aws:s3:::data-bucket", "arn:aws:s3:::data-bucket/*"]),
        Effect: "Allow",
      }),
    }),
    expected: [["data", "bucket data has no policy denying non-TLS requests to the bucket and its objects"]],
  },
  // KMS5
  {
    rule: "aws-kms-rotation",
    when: "rotation is off",
    stack: withInputs(aws(), "key", { enableKeyRotation: false }),
    expected: [["key", "key key does not enable automatic rotation"]],
  },
  {
    rule: "aws-kms-rotation",
    when: "rotation is absent",
    stack: withInputs(aws(), "key", { enableKeyRotation: undefined }),
    expected: [["key", "key key does not enable automatic rotation"]],
  },
  // SQS3, SQS4, SNS3
  {
    rule: "aws-sqs-dlq",
    when: "a queue's redrive policy is removed",
    stack: withInputs(aws(), "jobs", { redrivePolicy: undefined }),
    expected: [["jobs", "queue jobs is not a dead-letter queue and has no redrive policy"]],
  },
  {
    rule: "aws-sqs-tls-only",
    when: "a queue has no policy",
    stack: without(aws(), "jobs-dlq-policy"),
    expected: [["jobs-dlq", "queue jobs-dlq has no policy denying non-TLS requests"]],
  },
  {
    rule: "aws-sns-tls-only",
    when: "a topic policy does not deny non-TLS",
    stack: withInputs(aws(), "alerts-policy", {
      policy: doc({
        Effect: "Allow",
        Principal: { Service: "cloudwatch.amazonaws.com" },
        Action: "sns:Publish",
        Resource: "*",
      }),
    }),
    expected: [["alerts", "topic alerts has no policy denying non-TLS publishing"]],
  },
  // SF1, SF2
  {
    rule: "aws-sfn-logging",
    when: "logging is ERROR only",
    stack: withInputs(aws(), "workflow", { loggingConfiguration: { level: "ERROR" } }),
    expected: [["workflow", "state machine workflow logs ERROR, not ALL events"]],
  },
  {
    rule: "aws-sfn-logging",
    when: "logging is absent",
    stack: withInputs(aws(), "workflow", { loggingConfiguration: undefined }),
    expected: [["workflow", "state machine workflow logs nothing, not ALL events"]],
  },
  {
    rule: "aws-sfn-tracing",
    when: "tracing is off",
    stack: withInputs(aws(), "workflow", { tracingConfiguration: { enabled: false } }),
    expected: [["workflow", "state machine workflow does not enable X-Ray tracing"]],
  },
  // L1
  {
    rule: "aws-lambda-current-runtime",
    when: "a function runs a deprecated runtime",
    stack: withInputs(aws(), "trigger", { runtime: "nodejs16.x" }),
    expected: [
      [
        "trigger",
        "function trigger uses runtime nodejs16.x; current runtimes are nodejs22.x, nodejs24.x, python3.12, python3.13, python3.14, java21, java25, dotnet8, ruby3.4, provided.al2023",
      ],
    ],
  },
  {
    rule: "aws-lambda-current-runtime",
    when: "a zip function declares no runtime",
    stack: withInputs(aws(), "trigger", { runtime: undefined }),
    expected: [["trigger", "function trigger declares no runtime"]],
  },
  // DDB3, KDS1, KDF1
  {
    rule: "aws-dynamodb-pitr",
    when: "point-in-time recovery is absent",
    stack: withInputs(aws(), "control", { pointInTimeRecovery: undefined }),
    expected: [["control", "table control does not enable point-in-time recovery"]],
  },
  {
    rule: "aws-kinesis-encryption",
    when: "the stream is unencrypted",
    stack: withInputs(aws(), "cdc", { encryptionType: "NONE" }),
    expected: [["cdc", "stream cdc is not encrypted with KMS"]],
  },
  {
    rule: "aws-firehose-encryption",
    when: "a direct-put stream has no encryption",
    stack: withInputs(aws(), "direct-delivery", { serverSideEncryption: undefined }),
    expected: [["direct-delivery", "delivery stream direct-delivery does not enable server-side encryption"]],
  },
  // GL1, GL3
  {
    rule: "aws-glue-security-configuration",
    when: "a job has no security configuration",
    stack: change(
      withInputs(aws(), "silver-job", { securityConfiguration: undefined }),
      "silver-job",
      (r) => ({ ...r, dependencies: {} }),
    ),
    expected: [["silver-job", "Glue job silver-job has no security configuration"]],
  },
  {
    rule: "aws-glue-security-configuration",
    when: "bookmarks and logs are not encrypted",
    stack: withInputs(aws(), "glue-security", {
      encryptionConfiguration: { s3Encryption: { s3EncryptionMode: "SSE-KMS", kmsKeyArn: KEY_ARN } },
    }),
    expected: [
      [
        "glue-security",
        "security configuration glue-security of Glue job silver-job does not encrypt CloudWatch logs (SSE-KMS), job bookmarks (CSE-KMS)",
      ],
    ],
  },
  // Athena
  {
    rule: "aws-athena-workgroup",
    when: "configuration is not enforced and results are SSE-S3",
    stack: withInputs(aws(), "analytics", {
      configuration: {
        enforceWorkgroupConfiguration: false,
        resultConfiguration: { encryptionConfiguration: { encryptionOption: "SSE_S3" } },
      },
    }),
    expected: [
      ["analytics", "workgroup analytics does not enforce its configuration"],
      ["analytics", "workgroup analytics does not encrypt query results with KMS"],
    ],
  },
  // SMG4
  {
    rule: "aws-secret-rotation",
    when: "a secret has neither rotation nor the external tag",
    stack: withInputs(aws(), "api", { tags: TAGS }),
    expected: [["api", "secret api has no rotation and is not tagged rotation=external"]],
  },
  // IAM4, IAM5
  {
    rule: "aws-iam-no-managed-policies",
    when: "an AWS-managed policy is attached",
    stack: withInputs(aws(), "trigger-attach", { policyArn: "arn:aws:iam::aws:policy/AmazonS3FullAccess" }),
    expected: [
      [
        "trigger-attach",
        "trigger-attach attaches the AWS-managed policy arn:aws:iam::aws:policy/AmazonS3FullAccess",
      ],
    ],
  },
  {
    rule: "aws-iam-no-managed-policies",
    when: "a role lists an AWS-managed policy",
    stack: withInputs(aws(), "trigger-role", {
      managedPolicyArns: ["arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"],
    }),
    expected: [
      [
        "trigger-role",
        "role trigger-role attaches the AWS-managed policy arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
      ],
    ],
  },
  {
    rule: "aws-iam-no-wildcards",
    when: "a wildcard statement is added",
    stack: withInputs(aws(), "trigger-policy", {
      policy: doc({ Sid: "Everything", Effect: "Allow", Action: "s3:*", Resource: "*" }),
    }),
    expected: [
      ["trigger-policy", 'policy trigger-policy statement Everything allows wildcard action "s3:*"'],
      [
        "trigger-policy",
        'policy trigger-policy statement Everything allows "*" resources for s3:*, which support resource-level permissions',
      ],
    ],
  },
  {
    rule: "aws-iam-no-wildcards",
    when: "metrics are published on * without a namespace condition",
    stack: withInputs(aws(), "trigger-policy", {
      policy: doc({ Sid: "Metrics", Effect: "Allow", Action: "cloudwatch:PutMetricData", Resource: "*" }),
    }),
    expected: [
      [
        "trigger-policy",
        'policy trigger-policy statement Metrics allows "*" resources for cloudwatch:PutMetricData, which support resource-level permissions',
      ],
    ],
  },
  {
    rule: "aws-iam-no-wildcards",
    when: "a statement reads every bucket",
    stack: withInputs(aws(), "trigger-policy", {
      policy: doc({ Effect: "Allow", Action: ["s3:GetObject"], Resource: "arn:aws:s3:::*/*" }),
    }),
    expected: [
      [
        "trigger-policy",
        'policy trigger-policy statement 0 allows wildcard data resource "arn:aws:s3:::*/*"',
      ],
    ],
  },
  {
    rule: "aws-iam-no-wildcards",
    when: "a statement uses NotAction",
    stack: withInputs(aws(), "trigger-policy", {
      policy: doc({ Sid: "Not", Effect: "Allow", NotAction: "iam:*", Resource: "arn:aws:s3:::data-bucket" }),
    }),
    expected: [
      [
        "trigger-policy",
        "policy trigger-policy statement Not allows NotAction, which grants everything else",
      ],
    ],
  },
  {
    rule: "aws-iam-no-wildcards",
    when: "an inline role policy has a prefix wildcard action",
    stack: withInputs(aws(), "trigger-role", {
      inlinePolicies: [
        {
          name: "inline",
          policy: doc({
            Sid: "Get",
            Effect: "Allow",
            Action: "s3:Get*",
            Resource: "arn:aws:s3:::data-bucket/*",
          }),
        },
      ],
    }),
    expected: [["trigger-role", 'policy trigger-role statement Get allows wildcard action "s3:Get*"']],
  },
  {
    rule: "aws-iam-no-wildcards",
    when: "a statement invokes every function of the account",
    stack: withInputs(aws(), "trigger-policy", {
      policy: doc({
        Effect: "Allow",
        Action: ["lambda:InvokeFunction"],
        Resource: "arn:aws:lambda:us-east-1:123456789012:function:*",
      }),
    }),
    expected: [
      [
        "trigger-policy",
        'policy trigger-policy statement 0 allows wildcard data resource "arn:aws:lambda:us-east-1:123456789012:function:*"',
      ],
    ],
  },
  // Azure
  {
    rule: "azure-storage-https-only",
    when: "HTTPS-only is absent",
    stack: withInputs(azure(), "lake", { enableHttpsTrafficOnly: undefined }),
    expected: [["lake", "storage account lake does not set enableHttpsTrafficOnly to true"]],
  },
  {
    rule: "azure-storage-min-tls",
    when: "TLS 1.0 is allowed",
    stack: withInputs(azure(), "lake", { minimumTlsVersion: "TLS1_0" }),
    expected: [["lake", "storage account lake allows TLS below 1.2 (minimumTlsVersion TLS1_0)"]],
  },
  {
    rule: "azure-storage-no-public-blobs",
    when: "public blob access is allowed",
    stack: withInputs(azure(), "lake", { allowBlobPublicAccess: true }),
    expected: [["lake", "storage account lake does not set allowBlobPublicAccess to false"]],
  },
  {
    rule: "azure-storage-no-shared-key",
    when: "shared key access is absent (Azure allows it by default)",
    stack: withInputs(azure(), "lake", { allowSharedKeyAccess: undefined }),
    expected: [["lake", "storage account lake does not set allowSharedKeyAccess to false"]],
  },
  {
    rule: "azure-storage-infrastructure-encryption",
    when: "infrastructure encryption is off",
    stack: withInputs(azure(), "lake", { encryption: { requireInfrastructureEncryption: false } }),
    expected: [["lake", "storage account lake does not require infrastructure encryption"]],
  },
  {
    rule: "azure-storage-network-deny",
    when: "the firewall allows by default",
    stack: withInputs(azure(), "lake", { networkRuleSet: { defaultAction: "Allow" } }),
    expected: [["lake", "storage account lake network rules do not default to Deny"]],
  },
  {
    rule: "azure-keyvault-purge-protection",
    when: "purge protection is off in a protected environment",
    protectedEnvironment: true,
    stack: protectDataStores(
      withInputs(azure(), "vault", {
        properties: {
          enableSoftDelete: true,
          enableRbacAuthorization: true,
          publicNetworkAccess: "Disabled",
        },
      }),
    ),
    expected: [["vault", "key vault vault does not enable purge protection in a protected environment"]],
  },
  {
    rule: "azure-keyvault-soft-delete",
    when: "soft delete is off",
    stack: withInputs(azure(), "vault", {
      properties: {
        enablePurgeProtection: true,
        enableSoftDelete: false,
        enableRbacAuthorization: true,
        publicNetworkAccess: "Disabled",
      },
    }),
    expected: [["vault", "key vault vault does not set enableSoftDelete to true"]],
  },
  {
    rule: "azure-keyvault-rbac",
    when: "access policies are used",
    stack: withInputs(azure(), "vault", {
      properties: {
        enablePurgeProtection: true,
        enableSoftDelete: true,
        enableRbacAuthorization: false,
        publicNetworkAccess: "Disabled",
      },
    }),
    expected: [["vault", "key vault vault does not use RBAC authorization"]],
  },
  {
    rule: "azure-keyvault-network",
    when: "the vault is public",
    stack: withInputs(azure(), "vault", {
      properties: {
        enablePurgeProtection: true,
        enableSoftDelete: true,
        enableRbacAuthorization: true,
        publicNetworkAccess: "Enabled",
        networkAcls: { defaultAction: "Allow" },
      },
    }),
    expected: [
      [
        "vault",
        "key vault vault is reachable from public networks (neither publicNetworkAccess Disabled nor networkAcls defaulting to Deny)",
      ],
    ],
  },
  {
    rule: "azure-databricks-no-public-ip",
    when: "cluster nodes get public IPs",
    stack: withInputs(azure(), "databricks", { parameters: { enableNoPublicIp: { value: false } } }),
    expected: [
      [
        "databricks",
        "databricks workspace databricks does not enable no-public-IP (secure cluster connectivity)",
      ],
    ],
  },
  {
    rule: "azure-databricks-premium",
    when: "the workspace is standard tier",
    stack: withInputs(azure(), "databricks", { sku: { name: "standard" } }),
    expected: [["databricks", "databricks workspace databricks is not on the premium tier"]],
  },
  {
    rule: "azure-log-analytics-retention",
    when: "retention is absent",
    stack: withInputs(azure(), "logs", { retentionInDays: undefined }),
    expected: [["logs", "log analytics workspace logs retention is unset, not 30-730 days"]],
  },
  {
    rule: "azure-diagnostic-settings",
    when: "the vault has no diagnostic setting",
    stack: without(azure(), "vault-diagnostics"),
    expected: [["vault", "vault has no diagnostic setting"]],
  },
  {
    rule: "azure-diagnostic-categories",
    when: "a blob service's setting asks for AllMetrics (issue 14 defect 1)",
    stack: [
      ...azure(),
      res("azure-native:monitor:DiagnosticSetting", "blob-diagnostics", {
        resourceUri: `${ARM_RG}/providers/Microsoft.Storage/storageAccounts/lake/blobServices/default`,
        logs: [{ categoryGroup: "allLogs", enabled: true }],
        metrics: [{ category: "AllMetrics", enabled: true }],
      }),
    ],
    expected: [
      [
        "blob-diagnostics",
        "diagnostic setting blob-diagnostics: microsoft.storage/storageaccounts/blobservices does not support metric category AllMetrics",
      ],
    ],
  },
  {
    rule: "azure-diagnostic-categories",
    when: "a storage account's setting asks for logs it does not have",
    stack: [
      ...azure(),
      res("azure-native:monitor:DiagnosticSetting", "account-diagnostics", {
        resourceUri: `${ARM_RG}/providers/Microsoft.Storage/storageAccounts/lake`,
        logs: [{ categoryGroup: "allLogs", enabled: true }],
        metrics: [{ category: "Transaction", enabled: true }],
      }),
    ],
    expected: [
      [
        "account-diagnostics",
        "diagnostic setting account-diagnostics: microsoft.storage/storageaccounts does not support log category group allLogs",
      ],
    ],
  },
  {
    rule: "azure-log-query-schema",
    when: "the failed-pull query projects a column ContainerAppSystemLogs does not have (issue 14 defect 2)",
    stack: [
      ...azure(),
      res("azure-native:monitor:ScheduledQueryRule", "pull-failed", {
        skipQueryValidation: true,
        criteria: {
          allOf: [
            {
              query: "ContainerAppSystemLogs\n| where JobName == 'a'\n| project TimeGenerated, ExecutionName",
            },
          ],
        },
      }),
    ],
    expected: [
      ["pull-failed", "log alert pull-failed: table ContainerAppSystemLogs has no column ExecutionName"],
    ],
  },
  {
    rule: "azure-log-query-schema",
    when: "a query over DatabricksJobs is validated before the table exists (issue 14 defect 2)",
    stack: [
      ...azure(),
      res("azure-native:monitor:ScheduledQueryRule", "job-failed-query", {
        criteria: { allOf: [{ query: "DatabricksJobs\n| where ActionName == 'runFailed'" }] },
      }),
    ],
    expected: [
      [
        "job-failed-query",
        "log alert job-failed-query: table DatabricksJobs exists only after its first record: set skipQueryValidation",
      ],
    ],
  },
  // Ours
  {
    rule: "medallion-customer-managed-keys",
    when: "a data bucket uses SSE-S3",
    stack: withInputs(aws(), "data-encryption", {
      rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
    }),
    expected: [["data", "bucket data is not encrypted with a customer-managed KMS key"]],
  },
  {
    rule: "medallion-customer-managed-keys",
    when: "a queue uses the AWS-managed key and a log group none",
    stack: withInputs(withInputs(aws(), "jobs", { kmsMasterKeyId: "alias/aws/sqs" }), "trigger-logs", {
      kmsKeyId: undefined,
    }),
    expected: [
      ["jobs", "queue jobs is not encrypted with a customer-managed KMS key"],
      ["trigger-logs", "log group trigger-logs is not encrypted with a customer-managed KMS key"],
    ],
  },
  {
    rule: "medallion-customer-managed-keys",
    when: "a table, a secret and a stream use default encryption",
    stack: withInputs(
      withInputs(withInputs(aws(), "control", { serverSideEncryption: undefined }), "api", {
        kmsKeyId: undefined,
      }),
      "cdc",
      { kmsKeyId: "alias/aws/kinesis" },
    ),
    expected: [
      ["control", "table control is not encrypted with a customer-managed KMS key"],
      ["cdc", "stream cdc is not encrypted with a customer-managed KMS key"],
      ["api", "secret api is not encrypted with a customer-managed KMS key"],
    ],
  },
  {
    rule: "medallion-queue-redrive-settings",
    when: "the redrive allows too few receives",
    stack: withInputs(aws(), "jobs", {
      redrivePolicy: JSON.stringify({
        deadLetterTargetArn: "arn:aws:sqs:us-east-1:123456789012:jobs-dlq",
        maxReceiveCount: 2,
      }),
    }),
    expected: [["jobs", "queue jobs redrives after 2 receives; at least 5 are required"]],
  },
  {
    rule: "medallion-queue-redrive-settings",
    when: "visibility is under 6x the consumer timeout",
    stack: withInputs(aws(), "jobs", { visibilityTimeoutSeconds: 60 }),
    expected: [
      [
        "jobs",
        "queue jobs has visibility timeout 60s, less than 6x the 30s timeout of its consumer trigger (180s)",
      ],
    ],
  },
  {
    rule: "medallion-queue-redrive-settings",
    when: "visibility is absent (SQS default 30 s) and the consumer times out at 30 s",
    stack: withInputs(aws(), "jobs", { visibilityTimeoutSeconds: undefined }),
    expected: [
      [
        "jobs",
        "queue jobs has visibility timeout 30s, less than 6x the 30s timeout of its consumer trigger (180s)",
      ],
    ],
  },
  {
    rule: "medallion-lambda-log-retention",
    when: "a function has no log group",
    stack: without(aws(), "trigger-logs"),
    expected: [["trigger", "function trigger has no log group of its own"]],
  },
  {
    rule: "medallion-lambda-log-retention",
    when: "the log group never expires",
    stack: withInputs(aws(), "trigger-logs", { retentionInDays: undefined }),
    expected: [
      [
        "trigger-logs",
        "log group trigger-logs of function trigger keeps logs forever (retentionInDays unset or 0)",
      ],
    ],
  },
  {
    rule: "medallion-sfn-retry-catch-timeout",
    when: "a Task inside a Map has no Retry and the machine no timeout",
    stack: withInputs(aws(), "workflow", {
      definition: JSON.stringify({
        StartAt: "M",
        States: {
          M: {
            Type: "Map",
            ItemProcessor: {
              StartAt: "T",
              States: {
                T: {
                  Type: "Task",
                  Resource: "x",
                  Catch: [{ ErrorEquals: ["States.ALL"], Next: "F" }],
                  End: true,
                },
                F: { Type: "Fail" },
              },
            },
            End: true,
          },
        },
      }),
    }),
    expected: [
      ["workflow", "state machine workflow has no TimeoutSeconds"],
      ["workflow", 'state machine workflow: Task state "T" has no Retry'],
    ],
  },
  {
    rule: "medallion-sfn-retry-catch-timeout",
    when: "a Task in a Parallel branch has no Catch",
    stack: withInputs(aws(), "workflow", {
      definition: JSON.stringify({
        StartAt: "P",
        TimeoutSeconds: 60,
        States: {
          P: {
            Type: "Parallel",
            Branches: [
              {
                StartAt: "T",
                States: {
                  T: { Type: "Task", Resource: "x", Retry: [{ ErrorEquals: ["States.ALL"] }], End: true },
                },
              },
            ],
            End: true,
          },
        },
      }),
    }),
    expected: [["workflow", 'state machine workflow: Task state "T" has no Catch']],
  },
  {
    rule: "medallion-alarm-actions",
    when: "an alarm has no action",
    stack: withInputs(aws(), "dlq-depth", { alarmActions: [] }),
    expected: [["dlq-depth", "alarm dlq-depth has no alarm action"]],
  },
  {
    rule: "medallion-alarm-actions",
    when: "an alarm's actions are disabled",
    stack: withInputs(aws(), "dlq-depth", { actionsEnabled: false }),
    expected: [["dlq-depth", "alarm dlq-depth has its actions disabled"]],
  },
  {
    rule: "medallion-alarm-actions",
    when: "an Azure alert has no action group",
    stack: withInputs(azure(), "job-failed", { actions: undefined }),
    expected: [["job-failed", "alert job-failed has no action group"]],
  },
  {
    rule: "medallion-protected-data-stores",
    when: "a protected environment leaves a bucket and its key unprotected",
    protectedEnvironment: true,
    stack: change(
      change(protectDataStores(aws()), "data", (r) => ({ ...r, protect: false })),
      "key",
      (r) => ({ ...r, retainOnDelete: false }),
    ),
    expected: [
      [
        "data",
        "data is a data store or its key in a protected environment but is not protected and retained on delete",
      ],
      [
        "key",
        "key is a data store or its key in a protected environment but is not protected and retained on delete",
      ],
    ],
  },
  {
    rule: "medallion-tags",
    when: "a taggable resource has no tags",
    stack: withInputs(aws(), "control", { tags: undefined }),
    expected: [["control", "control is missing the tags project, environment, managed-by"]],
  },
  {
    rule: "medallion-tags",
    when: "one tag is missing",
    stack: withInputs(azure(), "lake", { tags: { project: "brewery", environment: "test" } }),
    expected: [["lake", "lake is missing the tag managed-by"]],
  },
  {
    rule: "medallion-deploy-order",
    when: "a state machine does not wait for its role's policies (issue 13 item 3)",
    stack: change(aws(), "workflow", (r) => ({ ...r, dependsOn: [] })),
    expected: [
      [
        "workflow",
        "state machine workflow does not wait for trigger-policy, a policy of its role trigger-role (CreateStateMachine checks the role's log delivery permissions)",
      ],
      [
        "workflow",
        "state machine workflow does not wait for trigger-attach, a policy of its role trigger-role (CreateStateMachine checks the role's log delivery permissions)",
      ],
    ],
  },
  {
    rule: "medallion-deploy-order",
    when: "a data-location grant waits for the bucket, not its registration (issue 13 item 2)",
    stack: change(aws(), "lake-grant", (r) => ({ ...r, dependsOn: [] })),
    expected: [
      [
        "lake-grant",
        "Lake Formation grant lake-grant does not wait for lake-location, the registration of its location",
      ],
    ],
  },
  {
    rule: "medallion-deploy-order",
    when: "a data-location grant's location is not registered",
    stack: without(aws(), "lake-location"),
    expected: [
      [
        "lake-grant",
        "Lake Formation grant lake-grant is on a data location no lakeformation.Resource of the stack registers",
      ],
    ],
  },
  {
    rule: "aws-iam-policy-size",
    when: "a role's inline policies pass 10,240 characters (issue 13 item 10)",
    stack: withInputs(aws(), "trigger-policy", {
      policy: doc({
        Sid: "ManyTables",
        Effect: "Allow",
        Action: ["glue:GetTable"],
        Resource: Array.from(
          { length: 200 },
          (_, i) => `arn:aws:glue:us-east-1:123456789012:table/db/table_${i}`,
        ),
      }),
    }),
    expected: [
      ["trigger-role", "role trigger-role has 11406 characters of inline policies; IAM allows 10240"],
    ],
  },
];

/** A state machine that runs the converter on Fargate with this network configuration. */
function ecsMachine(awsvpc: Record<string, unknown>): RuleResource {
  return res("aws:sfn/stateMachine:StateMachine", "raw-to-bronze", {
    definition: JSON.stringify({
      StartAt: "Convert",
      States: {
        Convert: {
          Type: "Task",
          Resource: "arn:aws:states:::ecs:runTask.sync",
          Parameters: { NetworkConfiguration: { AwsvpcConfiguration: awsvpc } },
          End: true,
        },
      },
    }),
  });
}

const issue13Fixtures: Fixture[] = [
  {
    rule: "medallion-deploy-order",
    when: "a Glue database does not wait for the data lake settings (issue 13 item 12)",
    stack: ((settings) => [
      ...aws(),
      settings,
      res("aws:glue/catalogDatabase:CatalogDatabase", "silver-db", { name: "silver" }),
      res(
        "aws:glue/catalogDatabase:CatalogDatabase",
        "gold-db",
        { name: "gold" },
        {},
        { waitsFor: [settings] },
      ),
    ])(res("aws:lakeformation/dataLakeSettings:DataLakeSettings", "lake-settings", { admins: ["arn"] })),
    expected: [
      [
        "silver-db",
        "Glue database silver-db does not wait for lake-settings, so whether it gets IAMAllowedPrincipals depends on creation order",
      ],
    ],
  },
  {
    rule: "medallion-log-retention",
    when: "a Firehose log group never expires (issue 13 item 11: only Lambda's were checked)",
    stack: withInputs(aws(), "cdc-delivery-logs", { retentionInDays: undefined }),
    expected: [
      ["cdc-delivery-logs", "log group cdc-delivery-logs keeps logs forever (retentionInDays unset or 0)"],
    ],
  },
  {
    rule: "medallion-event-target-dlq",
    when: "the _errors/ alert target has no dead-letter queue (issue 13 items 8, 11)",
    stack: change(aws(), "errors-alert", (r) => ({
      ...r,
      inputs: { arn: r.inputs.arn },
      dependencies: { arn: r.dependencies.arn ?? [] },
    })),
    expected: [["errors-alert", "event target errors-alert has no dead-letter queue"]],
  },
  {
    rule: "medallion-event-target-dlq",
    when: "the dead-letter queue does not admit EventBridge and has no alarm",
    stack: without(
      withInputs(aws(), "alerts-dlq-policy", {
        policy: doc(tlsDeny("sqs:*", ["arn:aws:sqs:us-east-1:123456789012:alerts-dlq"])),
      }),
      "alerts-dlq-depth",
    ),
    expected: [
      [
        "errors-alert",
        "dead-letter queue alerts-dlq of event target errors-alert does not let events.amazonaws.com send to it",
      ],
      ["errors-alert", "dead-letter queue alerts-dlq of event target errors-alert has no alarm"],
    ],
  },
  {
    rule: "medallion-firehose-log-stream",
    when: "the DestinationDelivery stream is named but not created (issue 13 item 11)",
    stack: without(aws(), "cdc-delivery-log-stream"),
    expected: [
      [
        "cdc-delivery",
        "delivery stream cdc-delivery logs to /aws/kinesisfirehose/cdc:DestinationDelivery, a log stream the stack does not create",
      ],
    ],
  },
  {
    rule: "medallion-ecs-private-network",
    when: "the Fargate converter runs with a public IP in the default VPC's subnets (issue 13 item 5)",
    stack: [
      ...aws(),
      ecsMachine({ Subnets: ["subnet-1"], SecurityGroups: ["sg-1"], AssignPublicIp: "ENABLED" }),
    ],
    expected: [
      ["raw-to-bronze", "state machine raw-to-bronze runs an ECS task without AssignPublicIp DISABLED"],
    ],
  },
  {
    rule: "medallion-ecs-private-network",
    when: "the task has no public IP and names its subnets (compliant)",
    stack: [
      ...aws(),
      ecsMachine({ Subnets: ["subnet-1"], SecurityGroups: ["sg-1"], AssignPublicIp: "DISABLED" }),
    ],
    expected: [],
  },
];
fixtures.push(...issue13Fixtures, ...observabilityFixtures, ...messagingFixtures, ...trustFixtures);

describe("policy rules", () => {
  it.each([
    ["AWS", aws(), false],
    ["AWS, protected", protectDataStores(aws()), true],
    ["Azure", azure(), false],
    ["Azure, protected", protectDataStores(azure()), true],
    ["Azure with Event Hubs and Service Bus", compliantMessagingStack(), false],
  ] as const)("find nothing in the compliant %s baseline", (_, stack, protectedEnvironment) => {
    expect(evaluate(stack, { protectedEnvironment })).toEqual([]);
  });

  it.each(fixtures.map((f) => [f.rule, f.when, f] as const))("%s fails when %s", (_, __, fixture) => {
    const violations = evaluate(fixture.stack, {
      protectedEnvironment: fixture.protectedEnvironment ?? false,
    }).filter((v) => v.rule === fixture.rule);
    expect(violations.map((v) => [nameOf(v.urn), v.message])).toEqual(fixture.expected);
  });

  it("has no rule that no fixture triggers, and no two rules with one ID", () => {
    const ids = RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    const triggered = new Set(fixtures.filter((f) => f.expected.length > 0).map((f) => f.rule));
    expect(ids.filter((id) => !triggered.has(id))).toEqual([]);
  });

  it("cites at least one published rule or our own ID for every rule", () => {
    for (const rule of RULES) {
      expect(rule.sources.length).toBeGreaterThan(0);
      for (const source of rule.sources)
        expect(rule.description).toContain(source.source === "medallion" ? "" : source.id);
    }
  });

  it("does not flag a key-rotation rule on asymmetric keys, where AWS cannot rotate", () => {
    const stack = withInputs(withInputs(aws(), "key", { enableKeyRotation: undefined }), "key", {
      customerMasterKeySpec: "RSA_2048",
    });
    expect(
      evaluate(stack, { protectedEnvironment: false }).filter((v) => v.rule === "aws-kms-rotation"),
    ).toEqual([]);
  });

  it("treats a queue that only a schedule names as its dead-letter queue as a DLQ", () => {
    const dlq = res("aws:sqs/queue:Queue", "schedule-dlq", { kmsMasterKeyId: KEY_ARN, tags: TAGS });
    const schedule = res(
      "aws:scheduler/schedule:Schedule",
      "pull",
      {
        target: {
          arn: "arn:aws:lambda:us-east-1:123456789012:function:pull",
          deadLetterConfig: { arn: "arn:aws:sqs:us-east-1:123456789012:schedule-dlq" },
        },
      },
      { target: [dlq] },
    );
    const violations = evaluate([...aws(), dlq, schedule], { protectedEnvironment: false }).filter(
      (v) => v.rule === "aws-sqs-dlq",
    );
    expect(violations).toEqual([]);
  });
});

describe("README", () => {
  it("lists every rule of the pack", () => {
    const readme = fs.readFileSync(path.join(__dirname, "..", "..", "README.md"), "utf8");
    expect(RULES.map((r) => r.id).filter((id) => !readme.includes(`\`${id}\``))).toEqual([]);
  });
});
