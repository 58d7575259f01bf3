import * as fs from "node:fs/promises";
import * as path from "node:path";
import { PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";

/** Where converted files go: a bucket in the cloud, a directory for the CLI and tests. */
export interface OutputSink {
  put(key: string, body: Uint8Array, contentType: string): Promise<void>;
  /** How a key is shown in results (`s3://bucket/key` or a file path). */
  describe(key: string): string;
}

export class S3Sink implements OutputSink {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  async put(key: string, body: Uint8Array, contentType: string): Promise<void> {
    await this.s3.send(
      new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: contentType }),
    );
  }

  describe(key: string): string {
    return key;
  }
}

export class DirectorySink implements OutputSink {
  constructor(private readonly root: string) {}

  async put(key: string, body: Uint8Array): Promise<void> {
    const file = path.join(this.root, ...key.split("/"));
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, body);
  }

  describe(key: string): string {
    return path.join(this.root, ...key.split("/"));
  }
}
