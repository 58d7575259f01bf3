import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { spawn } from "node:child_process";
import type { AddressInfo } from "node:net";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
// eslint-disable-next-line @typescript-eslint/no-require-imports
const S3rver = require("s3rver");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const dynalite = require("dynalite");

const credentials = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" };
const region = "us-east-1";

/** s3rver on a random loopback port, files in a temp directory; `buckets` are created up front. */
export async function startS3(buckets: string[]): Promise<{ client: S3Client; close(): Promise<void> }> {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), "s3rver-"));
  const server = new S3rver({ port: 0, address: "127.0.0.1", silent: true, directory });
  const { port } = (await server.run()) as AddressInfo;
  const client = new S3Client({
    endpoint: `http://127.0.0.1:${port}`,
    forcePathStyle: true,
    region,
    credentials,
  });
  for (const bucket of buckets) await client.send(new CreateBucketCommand({ Bucket: bucket }));
  return {
    client,
    close: async () => {
      client.destroy();
      await server.close();
      fs.rmSync(directory, { recursive: true, force: true });
    },
  };
}

/** dynalite (in-memory) on a random loopback port; `tables` maps table name → hash key attribute. */
export async function startDynamo(
  tables: Record<string, string>,
): Promise<{ client: DynamoDBClient; close(): Promise<void> }> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const client = new DynamoDBClient({ endpoint: `http://127.0.0.1:${port}`, region, credentials });
  for (const [name, key] of Object.entries(tables)) {
    await client.send(
      new CreateTableCommand({
        TableName: name,
        AttributeDefinitions: [{ AttributeName: key, AttributeType: "S" }],
        KeySchema: [{ AttributeName: key, KeyType: "HASH" }],
        BillingMode: "PAY_PER_REQUEST",
      }),
    );
  }
  return {
    client,
    close: async () => {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The well-known development account azurite serves (public, documented; tests only). */
export const AZURITE_ACCOUNT = "devstoreaccount1";
export const AZURITE_KEY =
  "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

/** azurite (blob + table, in memory) on random loopback ports; the tests reach it with the dev account. */
export async function startAzurite(): Promise<{ blob: string; table: string; close(): Promise<void> }> {
  const child = spawn(
    process.execPath,
    [
      require.resolve("azurite/dist/src/azurite.js"),
      "--inMemoryPersistence",
      "--skipApiVersionCheck",
      "--disableTelemetry",
      "--blobHost=127.0.0.1",
      "--blobPort=0",
      "--tableHost=127.0.0.1",
      "--tablePort=0",
      "--queueHost=127.0.0.1",
      "--queuePort=0",
      "--extentMemoryLimit=64",
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  const listening: Record<string, string> = {};
  await new Promise<void>((resolve, reject) => {
    let output = "";
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`azurite exited with ${code}: ${output}`)));
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      for (const [, service, url] of output.matchAll(
        /Azurite (\w+) service is successfully listening at (\S+)/g,
      ))
        listening[service!.toLowerCase()] = url!;
      if (listening.blob && listening.table) resolve();
    });
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  });
  child.removeAllListeners("exit");
  return {
    blob: `${listening.blob}/${AZURITE_ACCOUNT}`,
    table: `${listening.table}/${AZURITE_ACCOUNT}`,
    close: () =>
      new Promise<void>((resolve) => {
        child.once("exit", () => resolve());
        child.kill();
      }),
  };
}
