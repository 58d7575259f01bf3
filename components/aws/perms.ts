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

// ---- Ingestion (issue 4) ----

/** A Lambda writing its own log group (the group exists; the function never creates it). */
export const LOGS_WRITE_ACTIONS = ["logs:CreateLogStream", "logs:PutLogEvents"] as const;
/** What CloudWatch Logs needs on a customer key to encrypt a log group (granted in the key policy). */
export const KMS_LOGS_SERVICE_ACTIONS = [
  "kms:Encrypt",
  "kms:Decrypt",
  "kms:ReEncryptFrom",
  "kms:ReEncryptTo",
  "kms:GenerateDataKey",
  "kms:GenerateDataKeyWithoutPlaintext",
  "kms:DescribeKey",
] as const;
/** Read and write items of a DynamoDB table encrypted with a customer key (through DynamoDB). */
export const KMS_DYNAMODB_ACTIONS = ["kms:Decrypt", "kms:GenerateDataKey"] as const;
/** The control-record function: create a record once (conditional put), read it, update its status. */
export const DYNAMODB_CONTROL_ACTIONS = [
  "dynamodb:PutItem",
  "dynamodb:GetItem",
  "dynamodb:UpdateItem",
] as const;
/** The converter: read a control record (its creation time) and update its status and counts. */
export const DYNAMODB_CONVERTER_ACTIONS = ["dynamodb:GetItem", "dynamodb:UpdateItem"] as const;
/** Update a control record's status (the workflow). */
export const DYNAMODB_UPDATE_ACTIONS = ["dynamodb:UpdateItem"] as const;
/** Read and advance a watermark. */
export const DYNAMODB_WATERMARK_ACTIONS = [
  "dynamodb:GetItem",
  "dynamodb:PutItem",
  "dynamodb:UpdateItem",
] as const;
/** Start a workflow (raw → bronze, event jobs). */
export const STATES_START_ACTIONS = ["states:StartExecution"] as const;
/** Invoke one function (EventBridge Scheduler, Step Functions, Firehose). */
export const LAMBDA_INVOKE_ACTIONS = ["lambda:InvokeFunction"] as const;
/** Firehose calls its processor function and reads its configuration. */
export const FIREHOSE_LAMBDA_ACTIONS = ["lambda:InvokeFunction", "lambda:GetFunctionConfiguration"] as const;
/** Firehose reading a Kinesis Data Stream source. */
export const KINESIS_READ_ACTIONS = [
  "kinesis:DescribeStream",
  "kinesis:DescribeStreamSummary",
  "kinesis:GetShardIterator",
  "kinesis:GetRecords",
  "kinesis:ListShards",
] as const;
/** Decrypt records of a KMS-encrypted stream (through Kinesis). */
export const KMS_KINESIS_READ_ACTIONS = ["kms:Decrypt"] as const;
/** Firehose's bucket-level checks besides the object writes `grantWrite` gives. */
export const S3_FIREHOSE_BUCKET_ACTIONS = ["s3:GetBucketLocation", "s3:ListBucketMultipartUploads"] as const;
/** An SQS event source mapping consuming a queue. */
export const SQS_CONSUME_ACTIONS = [
  "sqs:ReceiveMessage",
  "sqs:DeleteMessage",
  "sqs:ChangeMessageVisibility",
  "sqs:GetQueueAttributes",
] as const;
/** Send to a queue (a dead-letter queue) encrypted with a customer key. */
export const SQS_SEND_ACTIONS = ["sqs:SendMessage"] as const;
export const KMS_SQS_SEND_ACTIONS = ["kms:GenerateDataKey", "kms:Decrypt"] as const;
/** Read messages of a queue encrypted with a customer key (through SQS). */
export const KMS_SQS_CONSUME_ACTIONS = ["kms:Decrypt"] as const;
/** Publish to an SNS topic encrypted with a customer key (through SNS). */
export const SNS_PUBLISH_ACTIONS = ["sns:Publish"] as const;
export const KMS_SNS_PUBLISH_ACTIONS = ["kms:GenerateDataKey", "kms:Decrypt"] as const;
/** Step Functions running a Fargate task synchronously (`ecs:runTask.sync`). */
export const ECS_RUN_TASK_ACTIONS = ["ecs:RunTask"] as const;
export const ECS_TRACK_TASK_ACTIONS = ["ecs:StopTask", "ecs:DescribeTasks"] as const;
/** The managed rule Step Functions uses to learn when a `.sync` ECS task stops. */
export const EVENTS_SYNC_RULE_ACTIONS = [
  "events:PutTargets",
  "events:PutRule",
  "events:DescribeRule",
] as const;
/** Hand the task and execution roles to ECS. */
export const IAM_PASS_ROLE_ACTIONS = ["iam:PassRole"] as const;
/** The ECS execution role pulling the converter image from one repository. */
export const ECR_PULL_ACTIONS = [
  "ecr:BatchCheckLayerAvailability",
  "ecr:GetDownloadUrlForLayer",
  "ecr:BatchGetImage",
] as const;
export const KMS_ECR_PULL_ACTIONS = ["kms:Decrypt"] as const;

/**
 * Actions that accept no resource ARN at all (IAM requires `Resource: "*"` for them). They are the only
 * statements with a `*` resource; they expose no data: an ECR login token (the pull itself is scoped to
 * one repository), X-Ray trace segments, and CloudWatch Logs' vended-log delivery set-up that Step
 * Functions logging needs.
 */
export const ECR_AUTH_ACTIONS = ["ecr:GetAuthorizationToken"] as const;
export const XRAY_WRITE_ACTIONS = [
  "xray:PutTraceSegments",
  "xray:PutTelemetryRecords",
  "xray:GetSamplingRules",
  "xray:GetSamplingTargets",
] as const;
export const LOGS_DELIVERY_ACTIONS = [
  "logs:CreateLogDelivery",
  "logs:GetLogDelivery",
  "logs:UpdateLogDelivery",
  "logs:DeleteLogDelivery",
  "logs:ListLogDeliveries",
  "logs:PutResourcePolicy",
  "logs:DescribeResourcePolicies",
  "logs:DescribeLogGroups",
] as const;
/**
 * Temporary credentials Lake Formation vends to Athena for a registered location the caller may read; the
 * action has no resource-level permissions (https://docs.aws.amazon.com/lake-formation/latest/dg/permissions-reference.html).
 */
export const LAKE_FORMATION_DATA_ACCESS_ACTIONS = ["lakeformation:GetDataAccess"] as const;
/** Every action allowed on `Resource: "*"`, for the tests and the policy pack. */
export const UNSCOPABLE_ACTIONS: readonly string[] = [
  ...ECR_AUTH_ACTIONS,
  ...XRAY_WRITE_ACTIONS,
  ...LOGS_DELIVERY_ACTIONS,
  ...LAKE_FORMATION_DATA_ACCESS_ACTIONS,
];

// ---- Transformations (silver and gold) ----

/** Read the Glue Data Catalog (Iceberg's GlueCatalog, Athena): databases and tables. */
export const GLUE_CATALOG_READ_ACTIONS = [
  "glue:GetDatabase",
  "glue:GetTable",
  "glue:GetTables",
  "glue:GetPartitions",
] as const;
/** Create and commit Iceberg tables (each commit is an UpdateTable of the metadata location). */
export const GLUE_CATALOG_WRITE_ACTIONS = ["glue:CreateTable", "glue:UpdateTable"] as const;

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
