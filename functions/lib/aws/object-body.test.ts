import type { GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import fc from "fast-check";
import { ResumableObjectBody, SourceReadError } from "./object-body";

/**
 * An S3 double that serves one immutable version (Range `bytes=N-` honoured, as S3 does) and breaks each
 * response's body after the byte counts it is given, in order; `requests` records each GET's input.
 */
function breakingS3(data: Buffer, breaks: number[], chunk = 7) {
  const requests: Record<string, unknown>[] = [];
  const client = {
    send: async (command: GetObjectCommand) => {
      const input = command.input;
      requests.push({ ...input });
      const from = input.Range ? Number(/^bytes=(\d+)-$/.exec(input.Range)![1]) : 0;
      const cut = breaks.shift();
      async function* body(): AsyncGenerator<Uint8Array> {
        const end = cut === undefined ? data.length : Math.min(data.length, from + cut);
        for (let at = from; at < end; at += chunk) yield data.subarray(at, Math.min(end, at + chunk));
        if (cut !== undefined) throw Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" });
      }
      return { Body: body(), ETag: '"e"', ContentLength: data.length - from };
    },
  } as unknown as S3Client;
  return { client, requests };
}

async function collect(body: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const part of body) parts.push(part);
  return Buffer.concat(parts);
}

describe("ResumableObjectBody", () => {
  it("delivers every byte once, in order, whatever breaks under the attempt limit (same version each time)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 0, maxLength: 300 }),
        fc.array(fc.nat(120), { maxLength: 4 }),
        fc.integer({ min: 1, max: 50 }),
        async (bytes, breaks, chunk) => {
          const data = Buffer.from(bytes);
          const { client, requests } = breakingS3(data, [...breaks], chunk);
          const body = new ResumableObjectBody(
            client,
            { bucket: "raw", key: "t/f.gz", versionId: "v1" },
            { maxAttempts: 5, sleep: async () => undefined },
          );
          expect(await collect(body)).toEqual(data);
          expect(
            requests.every((r) => r.VersionId === "v1" && r.Bucket === "raw" && r.Key === "t/f.gz"),
          ).toBe(true);
          // Each resume starts where the bytes delivered so far end (nothing yet: a whole GET); none follows the last byte.
          const ranges: (string | undefined)[] = [undefined];
          let offset = 0;
          for (const cut of breaks) {
            offset = Math.min(data.length, offset + cut);
            if (offset >= data.length) break;
            ranges.push(offset > 0 ? `bytes=${offset}-` : undefined);
          }
          expect(requests.map((r) => r.Range)).toEqual(ranges);
          expect(body.failure).toBeUndefined();
        },
      ),
    );
  });

  it("fails with SourceReadError after maxAttempts broken reads, and keeps the failure for its caller", async () => {
    const { client, requests } = breakingS3(Buffer.alloc(1000, 1), [100, 100, 100], 10);
    const body = new ResumableObjectBody(
      client,
      { bucket: "raw", key: "t/f", versionId: "v1" },
      { maxAttempts: 3, sleep: async () => undefined },
    );
    await expect(collect(body)).rejects.toThrow(
      "s3://raw/t/f?versionId=v1: reading the body failed 3 times (last at byte 300): read ECONNRESET",
    );
    expect(body.failure).toBeInstanceOf(SourceReadError);
    expect(requests.map((r) => r.Range)).toEqual([undefined, "bytes=100-", "bytes=200-"]);
  });

  it("resumes an unversioned object only while it is the same (If-Match on the first ETag)", async () => {
    const { client, requests } = breakingS3(Buffer.alloc(50, 2), [20], 5);
    const body = new ResumableObjectBody(
      client,
      { bucket: "raw", key: "t/f", etag: "e" },
      { sleep: async () => undefined },
    );
    expect((await collect(body)).length).toBe(50);
    expect(requests).toEqual([
      { Bucket: "raw", Key: "t/f" },
      { Bucket: "raw", Key: "t/f", Range: "bytes=20-", IfMatch: '"e"' },
    ]);
  });
});
