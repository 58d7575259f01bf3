import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { ConfigError } from "../components/spec";
import { loadStack } from "./config";
import { flattenConfig } from "./preview/stack-file";

const devConfig = flattenConfig(
  "medallion",
  parse(fs.readFileSync(path.join(__dirname, "..", "Pulumi.dev.yaml"), "utf8")).config,
).config;

function problemsWith(overrides: Record<string, string | undefined>) {
  const config: Record<string, string | undefined> = { ...devConfig, ...overrides };
  try {
    loadStack(
      (key) => config[key],
      () => false,
    );
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe("loadStack", () => {
  it("loads the dev stack", () => {
    const stack = loadStack(
      (key) => devConfig[key],
      () => false,
    );
    expect(stack.settings.cloud).toBe("aws");
    expect(stack.settings.environment).toBe("dev");
    expect(stack.settings.spec.tables.map((t) => t.name)).toEqual([
      "brewery",
      "beer",
      "profile",
      "review",
      "customers",
    ]);
    expect(stack.awsRegion).toBe("us-east-1");
    expect(stack.secretValues).toEqual({});
  });

  it("fails if medallion:cloud is unknown", () => {
    expect(problemsWith({ "medallion:cloud": "gcp" })).toEqual([
      { path: "medallion:cloud", message: 'unknown cloud "gcp": must be one of "aws", "azure"' },
    ]);
  });

  it("fails if medallion:cloud or medallion:environment is missing", () => {
    expect(problemsWith({ "medallion:cloud": undefined, "medallion:environment": undefined })).toEqual([
      { path: "medallion:cloud", message: 'is required: one of "aws", "azure"' },
      { path: "medallion:environment", message: "is required (e.g. dev, prod)" },
    ]);
  });

  it("fails if the environment name has characters no cloud accepts", () => {
    expect(problemsWith({ "medallion:environment": "dev env" })).toEqual([
      {
        path: "medallion:environment",
        message: "must be 1-64 letters, digits, dashes or underscores, starting with a letter or digit",
      },
    ]);
  });

  it("fails if aws:region is missing on AWS", () => {
    expect(problemsWith({ "aws:region": undefined })).toEqual([
      { path: "aws:region", message: "is required when medallion:cloud is aws (e.g. us-east-1)" },
    ]);
  });

  it("fails if medallion:lakehouse is not structured config", () => {
    expect(problemsWith({ "medallion:lakehouse": "tables: [" })).toEqual([
      {
        path: "medallion:lakehouse",
        message: "must be a YAML object (it did not parse as structured config)",
      },
    ]);
  });

  it("names every bad field of cloud, environment and spec in one error", () => {
    const lakehouse = JSON.parse(devConfig["medallion:lakehouse"]);
    lakehouse.tables[2].pii = { cpf: "cpf" };
    lakehouse.alerts.emails = [];
    const problems = problemsWith({
      "medallion:cloud": "gcp",
      "medallion:environment": "",
      "medallion:lakehouse": JSON.stringify(lakehouse),
    });
    expect(problems).toEqual([
      { path: "medallion:cloud", message: 'unknown cloud "gcp": must be one of "aws", "azure"' },
      {
        path: "medallion:environment",
        message: "must be 1-64 letters, digits, dashes or underscores, starting with a letter or digit",
      },
      { path: "medallion:lakehouse.alerts.emails", message: "at least one alert e-mail is required" },
      { path: "medallion:lakehouse.tables[2].pii.cpf", message: 'column "cpf" is not in columns' },
    ]);
  });

  it("reports reference problems under the config key path", () => {
    const lakehouse = JSON.parse(devConfig["medallion:lakehouse"]);
    lakehouse.tables[2].pii = { cpf: "cpf" };
    expect(problemsWith({ "medallion:lakehouse": JSON.stringify(lakehouse) })).toEqual([
      { path: "medallion:lakehouse.tables[2].pii.cpf", message: 'column "cpf" is not in columns' },
    ]);
  });
});
