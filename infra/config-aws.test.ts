import * as fs from "node:fs";
import * as path from "node:path";
import fc from "fast-check";
import { parse } from "yaml";
import { ConfigError, type ConfigProblem } from "../components/spec";
import { loadStack } from "./config";
import { flattenConfig } from "./preview/stack-file";

const devConfig = flattenConfig(
  "medallion",
  parse(fs.readFileSync(path.join(__dirname, "..", "Pulumi.dev.yaml"), "utf8")).config,
).config;

function problemsWith(overrides: Record<string, string | undefined>): ConfigProblem[] {
  const config: Record<string, string | undefined> = { ...devConfig, ...overrides };
  try {
    loadStack(
      (key) => config[key],
      () => false,
    );
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  return [];
}

const ADMINS = "medallion:lakeFormationAdmins";
const segment = fc.stringMatching(/^[A-Za-z0-9+=,.@_-]{1,20}$/);

describe("loadStack on AWS: Lake Formation admins (issue 13 item 4)", () => {
  it("loads the dev stack's admins", () => {
    const stack = loadStack(
      (key) => devConfig[key],
      () => false,
    );
    expect(stack.aws?.lakeFormationAdmins).toEqual(JSON.parse(devConfig[ADMINS]));
    expect(stack.aws?.converterNetwork).toBeUndefined();
  });

  it("fails if medallion:lakeFormationAdmins is missing: the settings would replace the account's admins", () => {
    expect(problemsWith({ [ADMINS]: undefined })).toEqual([
      {
        path: ADMINS,
        message:
          "is required when medallion:cloud is aws: every IAM role/user ARN that must stay a Lake Formation admin of the account (the list replaces the account's admins)",
      },
    ]);
  });

  it("fails if the list is empty, not a list, or names an STS session or a group", () => {
    expect(problemsWith({ [ADMINS]: "[]" })).toEqual([
      { path: ADMINS, message: "must name at least one IAM role or user ARN" },
    ]);
    expect(problemsWith({ [ADMINS]: '"arn:aws:iam::123456789012:role/x"' })).toEqual([
      { path: ADMINS, message: "must be a YAML list" },
    ]);
    const session = "arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Admin_1/me@example.com";
    expect(
      problemsWith({ [ADMINS]: JSON.stringify([session, "arn:aws:iam::123456789012:group/admins"]) }),
    ).toEqual(
      [0, 1].map((i) => ({
        path: `${ADMINS}[${i}]`,
        message: expect.stringContaining("must be an IAM role or user ARN with its path"),
      })),
    );
  });

  it("accepts role and user ARNs with any IAM path, in every partition", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("aws", "aws-cn", "aws-us-gov"),
        fc.constantFrom("role", "user"),
        fc.array(segment, { maxLength: 3 }),
        segment,
        (partition, kind, pathParts, name) => {
          const arn = `arn:${partition}:iam::123456789012:${kind}/${[...pathParts, name].join("/")}`;
          expect(problemsWith({ [ADMINS]: JSON.stringify([arn]) })).toEqual([]);
        },
      ),
      { numRuns: 50 },
    );
  });
});

describe("loadStack on AWS: converter network (issue 13 item 5)", () => {
  const NETWORK = "medallion:converterNetwork";

  it("loads named private subnets and security groups", () => {
    const config: Record<string, string> = {
      ...devConfig,
      [NETWORK]: JSON.stringify({
        subnetIds: ["subnet-0123456789abcdef0"],
        securityGroupIds: ["sg-0123456789abcdef0"],
      }),
    };
    const stack = loadStack(
      (key) => config[key],
      () => false,
    );
    expect(stack.aws?.converterNetwork).toEqual({
      subnetIds: ["subnet-0123456789abcdef0"],
      securityGroupIds: ["sg-0123456789abcdef0"],
    });
  });

  it("fails if the subnets or security groups are missing or not IDs", () => {
    expect(problemsWith({ [NETWORK]: JSON.stringify({ subnetIds: ["vpc-1"] }) })).toEqual([
      { path: `${NETWORK}.subnetIds[0]`, message: 'is not an ID, got "vpc-1"' },
      { path: `${NETWORK}.securityGroupIds`, message: "must be a non-empty list of IDs" },
    ]);
    expect(problemsWith({ [NETWORK]: '["subnet-0123456789abcdef0"]' })).toEqual([
      { path: NETWORK, message: "must be an object { subnetIds, securityGroupIds }" },
    ]);
  });
});
