import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { beer, review } from "./test/fixtures";

/** Cold-start checks of each handler module: environment and bundled tables.json validated on import. */
const saved = { ...process.env };
let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "tables-"));
  fs.writeFileSync(path.join(dir, "tables.json"), JSON.stringify([beer, review]));
  process.env = {
    ...saved,
    TABLES_FILE: path.join(dir, "tables.json"),
    AWS_REGION: "us-east-1",
    POWERTOOLS_METRICS_DISABLED: "true",
  };
});
afterEach(() => {
  process.env = saved;
  fs.rmSync(dir, { recursive: true, force: true });
});

const load = (module: string) => () => jest.isolateModules(() => require(module));

describe("handler cold start", () => {
  it("fails if CONTROL_TABLE is missing (control-record), naming the variable", () => {
    process.env.STATE_MACHINE_ARN = "arn:aws:states:us-east-1:123456789012:stateMachine:x";
    expect(load("./control-record/handler")).toThrow(
      "Invalid function environment: CONTROL_TABLE is required",
    );
  });

  it("fails if BRONZE_BUCKET and CONTROL_TABLE are missing (converter), naming both", () => {
    expect(load("./converter/handler")).toThrow("CONTROL_TABLE is required; BRONZE_BUCKET is required");
  });

  it("fails if SECRET_ARNS is not a JSON object (api-pull)", () => {
    Object.assign(process.env, { WATERMARK_TABLE: "w", RAW_BUCKET: "raw", SECRET_ARNS: "[1" });
    expect(load("./api-pull/handler")).toThrow("SECRET_ARNS must be JSON matching the expected shape");
  });

  it("fails if tables.json is not a list of valid table specs", () => {
    fs.writeFileSync(process.env.TABLES_FILE!, JSON.stringify([{ name: "Bad Name" }]));
    expect(load("./firehose-transformer/handler")).toThrow(
      "tables.json[0] is not a valid table spec: name: must be lower snake_case",
    );
  });

  it("loads every handler with a complete environment", () => {
    Object.assign(process.env, {
      CONTROL_TABLE: "control",
      BRONZE_BUCKET: "bronze",
      STATE_MACHINE_ARN: "arn:aws:states:us-east-1:123456789012:stateMachine:x",
      WATERMARK_TABLE: "watermarks",
      RAW_BUCKET: "raw",
      SECRET_ARNS: "{}",
    });
    for (const name of ["control-record", "converter", "firehose-transformer", "event-trigger", "api-pull"]) {
      let loaded: { handler?: unknown } = {};
      jest.isolateModules(() => {
        loaded = require(`./${name}/handler`);
      });
      expect(typeof loaded.handler).toBe("function");
    }
  });
});
