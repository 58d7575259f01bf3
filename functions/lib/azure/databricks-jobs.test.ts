import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { DATABRICKS_RESOURCE, DatabricksJobsClient } from "./databricks-jobs";
import { bodyText } from "./event-hubs-source";

let server: Server;
let url: string;
let requests: { path: string; authorization?: string; body: unknown }[];
let answer: { status: number; body: string };

beforeAll(async () => {
  server = createServer((request, response) => {
    let text = "";
    request.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")));
    request.on("end", () => {
      requests.push({
        path: request.url ?? "",
        authorization: request.headers.authorization,
        body: JSON.parse(text),
      });
      response.statusCode = answer.status;
      response.end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));
beforeEach(() => {
  requests = [];
  answer = { status: 200, body: JSON.stringify({ run_id: 77, number_in_job: 1 }) };
});

const scopes: string[] = [];
const credential = {
  getToken: async (scope: string | string[]) => {
    scopes.push(String(scope));
    return { token: "entra-token", expiresOnTimestamp: Date.now() + 60_000 };
  },
};

describe("DatabricksJobsClient", () => {
  it("posts run-now with the idempotency token and job parameters, as the Entra identity", async () => {
    const client = new DatabricksJobsClient(url, credential);
    await expect(
      client.runNow({
        jobId: "123",
        idempotencyToken: "a".repeat(64),
        jobParameters: { transaction_id: "t" },
      }),
    ).resolves.toEqual({ runId: 77 });
    expect(requests).toEqual([
      {
        path: "/api/2.2/jobs/run-now",
        authorization: "Bearer entra-token",
        body: { job_id: 123, idempotency_token: "a".repeat(64), job_parameters: { transaction_id: "t" } },
      },
    ]);
    expect(scopes).toContain(`${DATABRICKS_RESOURCE}/.default`);
  });

  it("throws on an error answer, so the message is abandoned", async () => {
    answer = { status: 429, body: '{"error_code":"RESOURCE_EXHAUSTED"}' };
    await expect(
      new DatabricksJobsClient(url, credential).runNow({
        jobId: "1",
        idempotencyToken: "t",
        jobParameters: {},
      }),
    ).rejects.toThrow("run-now answered 429");
  });
});

describe("bodyText", () => {
  it("reads strings, bytes and SDK-decoded JSON bodies", () => {
    expect(bodyText('{"a":1}')).toBe('{"a":1}');
    expect(bodyText(Buffer.from('{"a":1}'))).toBe('{"a":1}');
    expect(bodyText({ a: 1 })).toBe('{"a":1}');
  });
});
