import type { TableClient } from "@azure/data-tables";
import type { ContainerClient } from "@azure/storage-blob";
import type { RawWriter, SecretReader, WatermarkStore } from "../api-pull";

/** The partition every watermark entity lives in (row key: the source table's name). */
export const WATERMARK_PARTITION = "api-pull";

/** Raw objects as block blobs in the raw container (hierarchical namespace: `<table>/ingest_date=…/`). */
export class BlobRawWriter implements RawWriter {
  constructor(private readonly container: ContainerClient) {}

  async put(key: string, gzipBody: Buffer): Promise<void> {
    await this.container.getBlockBlobClient(key).upload(gzipBody, gzipBody.length, {
      blobHTTPHeaders: { blobContentType: "application/x-ndjson", blobContentEncoding: "gzip" },
    });
  }
}

interface WatermarkEntity {
  partitionKey: string;
  rowKey: string;
  watermark: string;
  updatedAt: string;
  lastObject?: string;
}

/**
 * Watermarks as entities of a storage table. The first advance is a conditional insert (fails if the
 * entity appeared meanwhile); later ones read the entity and replace it only with its ETag (If-Match), so
 * a concurrent move between the read and the write makes the service answer 412 and nothing is lost.
 */
export class TableWatermarkStore implements WatermarkStore {
  constructor(private readonly table: TableClient) {}

  async get(source: string): Promise<string | undefined> {
    return (await this.read(source))?.watermark;
  }

  async advance(
    source: string,
    expected: string | undefined,
    next: string,
    lastObject?: string,
  ): Promise<boolean> {
    const entity: WatermarkEntity = {
      partitionKey: WATERMARK_PARTITION,
      rowKey: source,
      watermark: next,
      updatedAt: new Date().toISOString(),
      ...(lastObject ? { lastObject } : {}),
    };
    try {
      if (expected === undefined) {
        await this.table.createEntity(entity);
        return true;
      }
      const current = await this.read(source);
      if (current?.watermark !== expected) return false;
      await this.table.updateEntity(entity, "Replace", { etag: current.etag });
      return true;
    } catch (error) {
      if (statusOf(error) === 409 || statusOf(error) === 412) return false;
      throw error;
    }
  }

  private async read(source: string): Promise<{ watermark?: string; etag: string } | undefined> {
    try {
      const entity = await this.table.getEntity<Partial<WatermarkEntity>>(WATERMARK_PARTITION, source);
      return {
        watermark: typeof entity.watermark === "string" ? entity.watermark : undefined,
        etag: entity.etag,
      };
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw error;
    }
  }
}

/**
 * API credentials from environment variables: Container Apps resolves each Key Vault reference with the
 * job's identity and hands the value to the container as `SECRET_<NAME>`; the name here is the variable.
 */
export class EnvSecretReader implements SecretReader {
  constructor(private readonly env: NodeJS.ProcessEnv = process.env) {}

  async get(name: string): Promise<string> {
    const value = Object.hasOwn(this.env, name) ? this.env[name] : undefined;
    if (!value) throw new Error(`secret variable ${name} is not set`);
    return value;
  }
}

/** The HTTP status of an Azure SDK error (RestError), read structurally: bundles may hold two copies. */
function statusOf(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === "number" ? status : undefined;
}
