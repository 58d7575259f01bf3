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
