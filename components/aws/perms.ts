/**
 * Every IAM action the components grant, in one file, so a reviewer sees the whole surface at once.
 * No wildcards: each list names exactly the calls the grant needs.
 */

/** List a bucket (narrowed by `s3:prefix` when a grant has a prefix). */
export const S3_LIST_ACTIONS = ["s3:ListBucket"] as const;
/** Read objects. */
export const S3_READ_ACTIONS = ["s3:GetObject", "s3:GetObjectVersion"] as const;
/** Write objects, including multipart uploads the SDKs use for large files. */
export const S3_WRITE_ACTIONS = [
  "s3:PutObject",
  "s3:AbortMultipartUpload",
  "s3:ListMultipartUploadParts",
] as const;

/** Decrypt objects written under a layer's key. */
export const KMS_DECRYPT_ACTIONS = ["kms:Decrypt"] as const;
/** Encrypt new objects (data keys) and read back multipart parts. */
export const KMS_ENCRYPT_ACTIONS = ["kms:GenerateDataKey", "kms:Decrypt"] as const;

/** Read a secret's value. */
export const SECRET_READ_ACTIONS = [
  "secretsmanager:GetSecretValue",
  "secretsmanager:DescribeSecret",
] as const;

/** What CloudWatch alarms and EventBridge need to publish to an SNS topic encrypted with a customer key. */
export const KMS_SERVICE_PUBLISH_ACTIONS = ["kms:GenerateDataKey", "kms:Decrypt"] as const;

/** Read the Glue Data Catalog (Iceberg's GlueCatalog, Athena): databases and tables. */
export const GLUE_CATALOG_READ_ACTIONS = [
  "glue:GetDatabase",
  "glue:GetTable",
  "glue:GetTables",
  "glue:GetPartitions",
] as const;
/** Create and commit Iceberg tables (each commit is an UpdateTable of the metadata location). */
export const GLUE_CATALOG_WRITE_ACTIONS = ["glue:CreateTable", "glue:UpdateTable"] as const;

/** Write a Glue job's continuous logs to its own log group. */
export const LOGS_WRITE_ACTIONS = ["logs:CreateLogStream", "logs:PutLogEvents"] as const;
/** Glue security configurations with CloudWatch encryption associate the key with the job's log groups. */
export const GLUE_ENCRYPTED_LOGS_ACTIONS = [
  "logs:CreateLogGroup",
  "logs:CreateLogStream",
  "logs:PutLogEvents",
  "logs:AssociateKmsKey",
] as const;
/** Job bookmarks are encrypted client-side (CSE-KMS): the job role calls KMS itself. */
export const KMS_CLIENT_SIDE_ACTIONS = ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"] as const;

/** Run a Glue job and wait for it (`glue:startJobRun.sync`). */
export const GLUE_RUN_JOB_ACTIONS = [
  "glue:StartJobRun",
  "glue:GetJobRun",
  "glue:GetJobRuns",
  "glue:BatchStopJobRun",
] as const;
/** Publish to an SNS topic. */
export const SNS_PUBLISH_ACTIONS = ["sns:Publish"] as const;
/** Start a state machine (EventBridge Scheduler's target). */
export const STATES_START_ACTIONS = ["states:StartExecution"] as const;
/** Send to a queue (EventBridge Scheduler's dead-letter queue). */
export const SQS_SEND_ACTIONS = ["sqs:SendMessage"] as const;
/**
 * Step Functions log delivery: these CloudWatch Logs actions support no resource-level permissions, so
 * AWS documents them on `*`; they configure delivery and grant no access to log data.
 */
export const STATES_LOG_DELIVERY_ACTIONS = [
  "logs:CreateLogDelivery",
  "logs:GetLogDelivery",
  "logs:UpdateLogDelivery",
  "logs:DeleteLogDelivery",
  "logs:ListLogDeliveries",
  "logs:PutResourcePolicy",
  "logs:DescribeResourcePolicies",
  "logs:DescribeLogGroups",
] as const;
/** X-Ray tracing for state machines; these actions support no resource-level permissions. */
export const XRAY_WRITE_ACTIONS = [
  "xray:PutTraceSegments",
  "xray:PutTelemetryRecords",
  "xray:GetSamplingRules",
  "xray:GetSamplingTargets",
] as const;

/** Query through one Athena workgroup. */
export const ATHENA_QUERY_ACTIONS = [
  "athena:StartQueryExecution",
  "athena:GetQueryExecution",
  "athena:GetQueryResults",
  "athena:StopQueryExecution",
  "athena:GetWorkGroup",
] as const;
/** Bucket location lookup Athena performs on the results bucket. */
export const S3_BUCKET_LOCATION_ACTIONS = ["s3:GetBucketLocation"] as const;
