import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { isProtectedStack, main } from "./stack-protected";

const ROOT = path.resolve(__dirname, "..");

describe("isProtectedStack", () => {
  let dir: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "stack-protected-"));
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: medallion\nruntime: nodejs\n");
  });

  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  function writeStack(stack: string, body: string): void {
    fs.writeFileSync(path.join(dir, `Pulumi.${stack}.yaml`), body);
  }

  it("reports this repository's dev stack as unprotected", () => {
    expect(isProtectedStack(ROOT, "dev")).toBe(false);
  });

  it("reports this repository's prod stack as protected", () => {
    expect(isProtectedStack(ROOT, "prod")).toBe(true);
  });

  it("fails with a message naming the stack file when it is missing", () => {
    writeStack("dev", "config:\n  medallion:lakehouse:\n    name: x\n");
    expect(() => isProtectedStack(dir, "staging")).toThrow(/Pulumi\.staging\.yaml/);
  });

  it("treats a spec without protect as unprotected (the spec's default)", () => {
    writeStack("sandbox", "config:\n  medallion:lakehouse:\n    name: x\n");
    expect(isProtectedStack(dir, "sandbox")).toBe(false);
  });

  it("reads the spec under the project namespace when the key is written without it", () => {
    writeStack("qa", "config:\n  lakehouse:\n    name: x\n    protect: true\n");
    expect(isProtectedStack(dir, "qa")).toBe(true);
  });

  it("fails closed when the stack has no lakehouse spec", () => {
    writeStack("empty", "config:\n  aws:region: us-east-1\n");
    expect(() => isProtectedStack(dir, "empty")).toThrow(/Pulumi\.empty\.yaml has no medallion:lakehouse/);
  });

  it("fails closed when protect is not a boolean", () => {
    writeStack("odd", 'config:\n  medallion:lakehouse:\n    name: x\n    protect: "yes"\n');
    expect(() => isProtectedStack(dir, "odd")).toThrow(/protect must be true or false/);
  });
});

describe("the stack-protected command", () => {
  let log: jest.SpyInstance;
  let error: jest.SpyInstance;

  beforeEach(() => {
    log = jest.spyOn(console, "log").mockImplementation(() => undefined);
    error = jest.spyOn(console, "error").mockImplementation(() => undefined);
  });

  afterEach(() => {
    jest.restoreAllMocks();
  });

  it("prints unprotected and allows an unprotected stack even with --refuse-protected", () => {
    expect(main(["--stack", "dev", "--refuse-protected"], ROOT)).toBe(0);
    expect(log).toHaveBeenCalledWith("unprotected");
  });

  it("prints protected and exits 0 without --refuse-protected", () => {
    expect(main(["--stack", "prod"], ROOT)).toBe(0);
    expect(log).toHaveBeenCalledWith("protected");
  });

  it("refuses a protected stack with --refuse-protected", () => {
    expect(main(["--stack", "prod", "--refuse-protected"], ROOT)).toBe(1);
    expect(error.mock.calls.join("\n")).toMatch(/stack "prod" is protected .*refusing/);
  });

  it("exits 1 naming the file for an unknown stack, and 2 without --stack", () => {
    expect(main(["--stack", "nope"], ROOT)).toBe(1);
    expect(error.mock.calls.join("\n")).toMatch(/Pulumi\.nope\.yaml/);
    expect(main([], ROOT)).toBe(2);
  });
});
