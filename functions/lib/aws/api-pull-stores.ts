import { PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { GetSecretValueCommand, type SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { RawWriter, SecretReader, WatermarkStore } from "../api-pull";

/** Raw objects in the S3 raw bucket. */
export class S3RawWriter implements RawWriter {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  async put(key: string, gzipBody: Buffer): Promise<void> {
    await this.s3.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: gzipBody,
        ContentType: "application/x-ndjson",
        ContentEncoding: "gzip",
      }),
    );
  }
}

/** Watermarks as items (key `source`) of a DynamoDB table, advanced with a condition on the value read. */
export class DynamoWatermarkStore implements WatermarkStore {
  constructor(
    private readonly dynamo: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async get(source: string): Promise<string | undefined> {
    const stored = await this.dynamo.send(new GetCommand({ TableName: this.table, Key: { source } }));
    return typeof stored.Item?.watermark === "string" ? stored.Item.watermark : undefined;
  }

  async advance(
    source: string,
    expected: string | undefined,
    next: string,
    lastObject?: string,
  ): Promise<boolean> {
    try {
      await this.dynamo.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { source },
          UpdateExpression: "SET watermark = :next, updatedAt = :now, lastObject = :key",
          ConditionExpression:
            expected === undefined ? "attribute_not_exists(watermark)" : "watermark = :previous",
          ExpressionAttributeValues: {
            ":next": next,
            ":now": new Date().toISOString(),
            ":key": lastObject ?? null,
            ...(expected === undefined ? {} : { ":previous": expected }),
          },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}

/** Secrets Manager secrets by the ARN the stack maps each spec secret name to (SECRET_ARNS). */
export class SecretsManagerReader implements SecretReader {
  constructor(
    private readonly secrets: SecretsManagerClient,
    private readonly arns: Readonly<Record<string, string>>,
  ) {}

  async get(name: string): Promise<string> {
    const arn = Object.hasOwn(this.arns, name) ? this.arns[name] : undefined;
    if (!arn) throw new Error(`secret "${name}" has no ARN in SECRET_ARNS`);
    const { SecretString } = await this.secrets.send(new GetSecretValueCommand({ SecretId: arn }));
    if (!SecretString) throw new Error(`secret "${name}" has no string value`);
    return SecretString;
  }
}
