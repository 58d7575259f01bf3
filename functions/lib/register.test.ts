import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from "@aws-sdk/client-sfn";
import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { ScanCommand } from "@aws-sdk/client-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import fc from "fast-check";
import { beer, brewery } from "../test/fixtures";
import { startDynamo } from "../test/servers";
import { documentClient } from "./clients";
import { estimateRecords, executionName } from "./control";
import { registerObject, type RegisterDeps } from "./register";

const sfnMock = mockClient(SFNClient);
let dynamo: Awaited<ReturnType<typeof startDynamo>>;
let deps: RegisterDeps;
const started = new Set<string>();

beforeAll(async () => {
  dynamo = await startDynamo({ control: "pk" });
});
afterAll(() => dynamo.close());
beforeEach(() => {
  sfnMock.reset();
  started.clear();
  // Behaves like Step Functions: a second execution with the same name is refused.
  sfnMock.on(StartExecutionCommand).callsFake((input: { name: string }) => {
    if (started.has(input.name)) throw new ExecutionAlreadyExists({ message: "exists", $metadata: {} });
    started.add(input.name);
    return { executionArn: `arn:aws:states:us-east-1:123456789012:execution:raw-to-bronze:${input.name}` };
  });
  deps = {
    dynamo: documentClient(dynamo.client),
    sfn: new SFNClient({ region: "us-east-1" }),
    tables: new Map([
      ["beer", beer],
      ["brewery", brewery],
    ]),
    controlTable: "control",
    stateMachineArn: "arn:aws:states:us-east-1:123456789012:stateMachine:raw-to-bronze",
    now: () => new Date("2026-11-21T10:00:00Z"),
  };
});

const detail = (key: string, etag = '"abc"', size = 4_000_000) => ({
  bucket: { name: "raw-bucket" },
  object: { key, size, etag, sequencer: "01" },
});

describe("registerObject", () => {
  it("writes one control record and starts one execution for the same event delivered twice", async () => {
    const first = await registerObject(deps, detail("beer/2026/11/21/beers.json.gz"));
    const second = await registerObject(deps, detail("beer/2026/11/21/beers.json.gz"));
    expect(first).toMatchObject({ status: "started", newRecord: true });
    expect(second).toMatchObject({ status: "already-started", newRecord: false });
    expect(sfnMock.commandCalls(StartExecutionCommand).map((c) => c.args[0].input.name)).toEqual([
      first.status !== "skipped" && first.executionName,
      first.status !== "skipped" && first.executionName,
    ]);
    expect(started.size).toBe(1);

    const items = await dynamo.client.send(new ScanCommand({ TableName: "control" }));
    expect(items.Count).toBe(1);
    const record = await deps.dynamo.send(
      new GetCommand({
        TableName: "control",
        Key: { pk: "s3://raw-bucket/beer/2026/11/21/beers.json.gz#abc" },
      }),
    );
    expect(record.Item).toMatchObject({
      table: "beer",
      bucket: "raw-bucket",
      key: "beer/2026/11/21/beers.json.gz",
      size: 4_000_000,
      estimatedRecords: 50_000,
      attempts: 0,
      status: "RECEIVED",
      createdAt: "2026-11-21T10:00:00.000Z",
      updatedAt: "2026-11-21T10:00:00.000Z",
    });
    expect(JSON.parse(sfnMock.commandCalls(StartExecutionCommand)[0]!.args[0].input.input!)).toEqual({
      controlId: "s3://raw-bucket/beer/2026/11/21/beers.json.gz#abc",
      bucket: "raw-bucket",
      key: "beer/2026/11/21/beers.json.gz",
      table: "beer",
      format: "json",
      estimatedRecords: 50_000,
    });
  });

  it("records the S3 version id of the event in the control record and the execution input", async () => {
    const event = detail("beer/2026/11/21/versioned.json");
    const outcome = await registerObject(deps, {
      ...event,
      object: { ...event.object, "version-id": "3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY" },
    });
    const record = await deps.dynamo.send(
      new GetCommand({
        TableName: "control",
        Key: { pk: "s3://raw-bucket/beer/2026/11/21/versioned.json#abc" },
      }),
    );
    expect(record.Item).toMatchObject({ versionId: "3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY", etag: '"abc"' });
    expect(outcome).toMatchObject({ status: "started" });
    expect(JSON.parse(sfnMock.commandCalls(StartExecutionCommand)[0]!.args[0].input.input!)).toMatchObject({
      versionId: "3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY",
    });
  });

  it("treats a new object version (new etag) as a new file", async () => {
    await registerObject(deps, detail("brewery/b.csv", '"v1"'));
    await registerObject(deps, detail("brewery/b.csv", '"v2"'));
    expect(started.size).toBe(2);
  });

  it("skips objects outside a known table prefix", async () => {
    expect(await registerObject(deps, detail("errors/processing-failed/x.gz"))).toMatchObject({
      status: "skipped",
    });
    expect(sfnMock.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  it("fails if starting the execution fails for another reason (the event is retried)", async () => {
    sfnMock.on(StartExecutionCommand).rejects(new Error("throttled"));
    await expect(registerObject(deps, detail("brewery/c.csv"))).rejects.toThrow("throttled");
  });
});

describe("estimates and execution names", () => {
  it("estimates records from size, format and gzip", () => {
    expect(estimateRecords(400_000, "json", false)).toBe(1000);
    expect(estimateRecords(400_000, "json", true)).toBe(5000);
    expect(estimateRecords(200_000, "csv", false)).toBe(1000);
  });

  it("makes deterministic names of at most 80 allowed characters, one per replay", () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 300 }),
        fc.string(),
        fc.option(fc.nat(100_000)),
        (table, id, replay) => {
          const name = executionName(table, id, replay ?? undefined);
          expect(name).toBe(executionName(table, id, replay ?? undefined));
          expect(name.length).toBeLessThanOrEqual(80);
          expect(name).toMatch(/^[A-Za-z0-9_-]+$/);
          expect(name).not.toBe(executionName(table, id, (replay ?? 0) + 1));
        },
      ),
    );
  });
});
