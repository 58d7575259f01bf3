import { GetObjectCommand, type GetObjectCommandInput, type S3Client } from "@aws-sdk/client-s3";

/** The object version a conversion reads: the one its control record names. */
export interface ObjectVersion {
  bucket: string;
  key: string;
  /** The S3 version id from the arrival event; absent for an unversioned bucket (or an older record). */
  versionId?: string;
  /** The ETag the record was written for (no quotes); checked when there is no version id. */
  etag?: string;
}

export interface ResumableBodyOptions {
  /** Reads of the body in all (the first GET and each ranged resume) before giving up. @default 5 */
  maxAttempts?: number;
  /** First pause before a resume, doubled each time (capped at 10 s). @default 200 */
  backoffMs?: number;
  /** Called before each resume (logs, metrics). */
  onRetry?: (retry: { attempt: number; offset: number; error: Error }) => void;
  sleep?: (ms: number) => Promise<void>;
}

/** Reading an object's body failed more often than allowed: the task fails (Step Functions retries/alerts). */
export class SourceReadError extends Error {
  constructor(message: string, cause: Error) {
    super(message, { cause });
    this.name = "SourceReadError";
  }
}

/** The object changed since its control record: the record names content S3 no longer serves. */
export class SourceVersionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SourceVersionError";
  }
}

/**
 * An object's bytes that survive source-stream errors. The SDK retries a failed request, but not a body whose
 * connection breaks after the headers (reset, timeout): then this resumes with a ranged GET of the same
 * version from the byte reached, so the consumer sees every byte once, in order, or a `SourceReadError`
 * after `maxAttempts` broken reads. A version is immutable, so the ranges splice exactly
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html: `versionId`, `Range`); without a version
 * id the resumes carry `If-Match` on the first response's ETag, so an overwrite fails instead of splicing.
 * `failure` holds the terminal error, for callers whose consumer might swallow it.
 */
export class ResumableObjectBody implements AsyncIterable<Uint8Array> {
  /** Bytes delivered so far. */
  offset = 0;
  /** Resumes performed (ranged GETs after a broken body). */
  resumes = 0;
  /** The error that ended the read, once it gave up. */
  failure: Error | undefined;

  constructor(
    private readonly s3: S3Client,
    private readonly object: ObjectVersion,
    private readonly options: ResumableBodyOptions = {},
  ) {}

  async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array> {
    try {
      yield* this.read();
    } catch (error) {
      // Whatever ends the read (a resume's GET failing too) is kept, so a consumer cannot hide it.
      this.failure ??= error instanceof Error ? error : new Error(String(error));
      throw error;
    }
  }

  private async *read(): AsyncGenerator<Uint8Array> {
    const maxAttempts = this.options.maxAttempts ?? 5;
    const backoffMs = this.options.backoffMs ?? 200;
    const sleep = this.options.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
    let ifMatch: string | undefined;
    let size: number | undefined;
    let attempt = 0;
    for (;;) {
      const input: GetObjectCommandInput = {
        Bucket: this.object.bucket,
        Key: this.object.key,
        ...(this.object.versionId ? { VersionId: this.object.versionId } : {}),
        ...(this.offset > 0 ? { Range: `bytes=${this.offset}-` } : {}),
        ...(ifMatch ? { IfMatch: ifMatch } : {}),
      };
      const response = await this.s3.send(new GetObjectCommand(input));
      if (this.offset === 0) {
        size = response.ContentLength;
        if (!this.object.versionId) {
          this.checkEtag(response.ETag);
          ifMatch = response.ETag;
        }
      }
      try {
        for await (const chunk of response.Body as AsyncIterable<Uint8Array>) {
          this.offset += chunk.length;
          yield chunk;
        }
        return;
      } catch (error) {
        // Every byte arrived before the connection broke: a ranged GET past the end would be refused (416).
        if (size !== undefined && this.offset >= size) return;
        // Any error while iterating the body is the transport's: the bytes themselves cannot fail here.
        const cause = error instanceof Error ? error : new Error(String(error));
        attempt++;
        if (attempt >= maxAttempts) {
          this.failure = new SourceReadError(
            `${this.describe()}: reading the body failed ${attempt} times (last at byte ${this.offset}): ${cause.message}`,
            cause,
          );
          throw this.failure;
        }
        this.resumes++;
        this.options.onRetry?.({ attempt, offset: this.offset, error: cause });
        await sleep(Math.min(backoffMs * 2 ** (attempt - 1), 10_000));
      }
    }
  }

  private checkEtag(etag: string | undefined): void {
    const served = etag?.replace(/"/g, "");
    if (this.object.etag && served && served !== this.object.etag) {
      this.failure = new SourceVersionError(
        `${this.describe()}: S3 serves ETag ${served}, the control record names ${this.object.etag} ` +
          "(the object was overwritten and the bucket keeps no version id for it)",
      );
      throw this.failure;
    }
  }

  private describe(): string {
    const version = this.object.versionId ? `?versionId=${this.object.versionId}` : "";
    return `s3://${this.object.bucket}/${this.object.key}${version}`;
  }
}
