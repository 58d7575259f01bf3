import * as path from "node:path";
import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from "@aws-sdk/client-sfn";
import { GetCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { main } from "../../scripts/replay";
import { beer } from "../test/fixtures";
import { startFlakyProxy } from "../test/flaky-proxy";
import { startDynamo, startS3 } from "../test/servers";
import { documentClient } from "./clients";
import { gzipSync } from "node:zlib";
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { runConversion } from "./convert/job";
import { controlHash, executionName } from "./control";
import { registerObject, type RegisterDeps } from "./register";
import { REPLAY_REQUESTED, replayFailed, type ReplayDeps } from "./replay";

const sfnMock = mockClient(SFNClient);
const MACHINE = "arn:aws:states:us-east-1:123456789012:stateMachine:brewery-dev-raw-to-bronze";
// The control table AwsRawArrival names for the dev stack (brewery, dev).
const TABLE = "brewery-dev-raw-control";
let dynamo: Awaited<ReturnType<typeof startDynamo>>;
let started: string[];
let register: RegisterDeps;
let deps: ReplayDeps;

beforeAll(async () => {
  dynamo = await startDynamo({ [TABLE]: "pk" });
});
afterAll(() => dynamo.close());
beforeEach(() => {
  sfnMock.reset();
  started = [];
  // As Step Functions does: a name used in the last 90 days is refused, whatever the input.
  sfnMock.on(StartExecutionCommand).callsFake((input: { name: string }) => {
    if (started.includes(input.name)) throw new ExecutionAlreadyExists({ message: "exists", $metadata: {} });
    started.push(input.name);
    return { executionArn: `${MACHINE.replace(":stateMachine:", ":execution:")}:${input.name}` };
  });
  const common = { dynamo: documentClient(dynamo.client), sfn: new SFNClient({ region: "us-east-1" }) };
  register = {
    ...common,
    tables: new Map([["beer", beer]]),
    controlTable: TABLE,
    stateMachineArn: MACHINE,
  };
  deps = { ...common, controlTable: TABLE };
});

const record = async (pk: string) =>
  (await deps.dynamo.send(new GetCommand({ TableName: TABLE, Key: { pk } }))).Item!;

/** What the workflow's MarkConverting and MarkFailed / MarkConverted states write. */
async function workflowEnds(pk: string, name: string, status: "FAILED" | "CONVERTED"): Promise<void> {
  const executionArn = `${MACHINE.replace(":stateMachine:", ":execution:")}:${name}`;
  for (const [next, extra] of [
    ["CONVERTING", { executionArn }],
    [status, {}],
  ] as const) {
    await deps.dynamo.send(
      new UpdateCommand({
        TableName: TABLE,
        Key: { pk },
        UpdateExpression: `SET #status = :s${"executionArn" in extra ? ", executionArn = :e" : ""}`,
        ExpressionAttributeNames: { "#status": "status" },
        ExpressionAttributeValues: {
          ":s": next,
          ...("executionArn" in extra ? { ":e": extra.executionArn } : {}),
        },
      }),
    );
  }
}

async function failedFile(key: string): Promise<{ pk: string; name: string }> {
  const outcome = await registerObject(register, {
    bucket: { name: "raw" },
    object: { key, size: 1000, etag: "e1", "version-id": "v1" },
  });
  if (outcome.status === "skipped") throw new Error("skipped");
  await workflowEnds(outcome.controlId, outcome.executionName, "FAILED");
  return { pk: outcome.controlId, name: outcome.executionName };
}

describe("replay of a FAILED file (dynalite + mocked Step Functions)", () => {
  it("a FAILED file is replayed under a new execution name (the original name is refused), same input", async () => {
    const { pk, name } = await failedFile("beer/2026/replay-me.json");
    // Today's only way in, re-registering, collides with the first execution's name.
    expect(
      await registerObject(register, {
        bucket: { name: "raw" },
        object: { key: "beer/2026/replay-me.json", size: 1000, etag: "e1", "version-id": "v1" },
      }),
    ).toMatchObject({ status: "already-started", executionName: name });

    const outcome = await replayFailed(deps, { key: "beer/2026/replay-me.json" });
    expect(outcome).toEqual({
      status: "started",
      controlId: pk,
      replay: 1,
      executionName: executionName("beer", pk, 1),
      stateMachineArn: MACHINE,
    });
    expect(outcome.executionName).not.toBe(name);
    const calls = sfnMock.commandCalls(StartExecutionCommand).map((c) => c.args[0].input);
    expect(JSON.parse(calls.at(-1)!.input!)).toEqual({ ...JSON.parse(calls[0]!.input!), replay: 1 });
    expect(await record(pk)).toMatchObject({ status: REPLAY_REQUESTED, replays: 1 });

    // The replayed execution converts it: CONVERTING → CONVERTED; nothing is left to replay.
    await workflowEnds(pk, outcome.executionName, "CONVERTED");
    await expect(replayFailed(deps, { key: "beer/2026/replay-me.json" })).rejects.toThrow(
      `nothing to replay for beer/2026/replay-me.json: ${pk} is CONVERTED`,
    );
  });

  it("a second replay after another failure gets the next name; a repeated request starts nothing twice", async () => {
    const { pk } = await failedFile("beer/2026/twice.json");
    const first = await replayFailed(deps, { controlId: pk });
    expect(await replayFailed(deps, { controlId: pk })).toMatchObject({
      status: "already-started",
      executionName: first.executionName,
    });
    await workflowEnds(pk, first.executionName, "FAILED");
    const second = await replayFailed(deps, { controlId: pk });
    expect(second).toMatchObject({
      status: "started",
      replay: 2,
      executionName: executionName("beer", pk, 2),
    });
    expect(started).toHaveLength(3);
  });

  it("a crash between marking the record and starting is repaired by running the replay again", async () => {
    const { pk } = await failedFile("beer/2026/crash.json");
    sfnMock.on(StartExecutionCommand).callsFake(() => {
      throw new Error("socket hang up");
    });
    await expect(replayFailed(deps, { key: "beer/2026/crash.json" })).rejects.toThrow("socket hang up");
    expect(await record(pk)).toMatchObject({ status: REPLAY_REQUESTED, replays: 1 });
    sfnMock.on(StartExecutionCommand).callsFake((input: { name: string }) => {
      started.push(input.name);
      return { executionArn: "arn" };
    });
    expect(await replayFailed(deps, { key: "beer/2026/crash.json" })).toMatchObject({
      status: "started",
      replay: 1,
    });
  });

  it("fails if the file is not FAILED, unknown, or ambiguous", async () => {
    const outcome = await registerObject(register, {
      bucket: { name: "raw" },
      object: { key: "beer/2026/fine.json", size: 10, etag: "ok" },
    });
    await expect(replayFailed(deps, { key: "beer/2026/fine.json" })).rejects.toThrow(
      `nothing to replay for beer/2026/fine.json: ${outcome.status !== "skipped" && outcome.controlId} is RECEIVED`,
    );
    await expect(replayFailed(deps, { key: "beer/none.json" })).rejects.toThrow(
      "no control record for beer/none.json",
    );
    for (const etag of ["a", "b"]) {
      const o = await registerObject(register, {
        bucket: { name: "raw" },
        object: { key: "beer/2026/two.json", size: 10, etag },
      });
      if (o.status !== "skipped") await workflowEnds(o.controlId, o.executionName, "FAILED");
    }
    await expect(replayFailed(deps, { key: "beer/2026/two.json" })).rejects.toThrow(
      "2 failed versions of beer/2026/two.json; pass --control-id",
    );
  });
});

describe("npm run replay", () => {
  const root = path.resolve(__dirname, "../..");

  it("replays a FAILED file of the dev stack by its raw key (control table named from the stack)", async () => {
    const { pk } = await failedFile("beer/2026/cli.json");
    const outcome = await main(["--stack", "dev", "--key", "beer/2026/cli.json"], root, {
      dynamo: dynamo.client,
      sfn: new SFNClient({ region: "us-east-1" }),
    });
    expect(outcome).toMatchObject({ status: "started", controlId: pk, replay: 1, stateMachineArn: MACHINE });
  });

  it("fails with the usage if --key and --control-id are both missing", async () => {
    await expect(main(["--stack", "dev"], root)).rejects.toThrow("missing --key or --control-id\nusage:");
  });
});

describe("replay end to end (s3rver + dynalite + mocked Step Functions)", () => {
  let s3: Awaited<ReturnType<typeof startS3>>;
  beforeAll(async () => {
    s3 = await startS3(["raw", "bronze"]);
  });
  afterAll(() => s3.close());

  const bronze = async (prefix: string) => {
    const listed = await s3.client.send(new ListObjectsV2Command({ Bucket: "bronze", Prefix: prefix }));
    const files = new Map<string, Buffer>();
    for (const { Key } of listed.Contents ?? []) {
      const object = await s3.client.send(new GetObjectCommand({ Bucket: "bronze", Key }));
      files.set(Key!, Buffer.from(await object.Body!.transformToByteArray()));
    }
    return files;
  };

  it("a file whose conversion failed mid-way is replayed, converted whole, and its earlier files rewritten identically", async () => {
    const key = "beer/2026/11/21/big.json.gz";
    // Big enough that the gunzip (1 MiB output chunks) hands over rows before the connection breaks.
    const lines = Array.from({ length: 40_000 }, (_, i) =>
      JSON.stringify({ beer_id: i, name: `beer ${i} ${(i * 7919).toString(36).repeat(6)}` }),
    );
    const body = gzipSync(lines.join("\n"), { level: 1 });
    const put = await s3.client.send(new PutObjectCommand({ Bucket: "raw", Key: key, Body: body }));
    const registered = await registerObject(register, {
      bucket: { name: "raw" },
      object: { key, size: body.length, etag: put.ETag!.replace(/"/g, "") },
    });
    if (registered.status === "skipped") throw new Error("skipped");
    const { controlId } = registered;
    const { protocol, hostname, port } = await s3.client.config.endpoint!();
    const proxy = await startFlakyProxy(`${protocol}//${hostname}:${port}`);
    const conversion = { controlId, bucket: "raw", key, table: "beer" };
    const converter = (client: S3Client, maxAttempts: number) => ({
      s3: client,
      dynamo: deps.dynamo,
      tables: new Map([["beer", beer]]),
      controlTable: TABLE,
      bronzeBucket: "bronze",
      batchRows: 5000,
      source: { maxAttempts, backoffMs: 1 },
    });
    try {
      // The first execution: the connection breaks for good after some batches were written.
      proxy.resetGetAfter(`/raw/${key}`, Math.floor(body.length * 0.8), 10);
      const flaky = new S3Client({
        endpoint: proxy.endpoint,
        forcePathStyle: true,
        region: "us-east-1",
        credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
      });
      await expect(runConversion(converter(flaky, 1), conversion)).rejects.toThrow("reading the body failed");
    } finally {
      await proxy.close();
    }
    await workflowEnds(controlId, registered.executionName, "FAILED");
    const prefix = `beer/ingest_date=`;
    const partial = await bronze(prefix);
    expect(partial.size).toBeGreaterThan(0);

    const replay = await replayFailed(deps, { key });
    expect(replay).toMatchObject({ status: "started", replay: 1 });
    // The replayed execution: MarkConverting, then the converter (which marks the record CONVERTED).
    await deps.dynamo.send(
      new UpdateCommand({
        TableName: TABLE,
        Key: { pk: controlId },
        UpdateExpression: "SET #status = :s",
        ExpressionAttributeNames: { "#status": "status" },
        ExpressionAttributeValues: { ":s": "CONVERTING" },
      }),
    );
    const result = await runConversion(converter(s3.client, 5), conversion);
    expect(result).toMatchObject({ rowsIn: 40_000, rowsWritten: 40_000, rowsQuarantined: 0 });
    expect(await record(controlId)).toMatchObject({ status: "CONVERTED", replays: 1, attempts: 1 });
    const whole = await bronze(prefix);
    expect([...whole.keys()].every((k) => k.includes(`part-${controlHash(controlId)}-`))).toBe(true);
    expect(whole.size).toBe(8);
    expect(partial.size).toBeLessThan(8);
    for (const [file, bytes] of partial) expect(whole.get(file)).toEqual(bytes);
  });
});
