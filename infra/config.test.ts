import * as fs from "node:fs";
import * as os from "node:os";
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
    // Index path and message; the spec's named paths and segments are tested in components/spec.
    if (error instanceof ConfigError) return error.problems.map(({ path, message }) => ({ path, message }));
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

describe("loadStack on Azure", () => {
  const azureConfig: Record<string, string> = {
    "medallion:cloud": "azure",
    "medallion:environment": "dev",
    "medallion:lakehouse": JSON.stringify({
      name: "shop",
      alerts: { emails: ["a@example.com"] },
      tables: [
        {
          name: "orders",
          source: { kind: "batch" },
          columns: [{ name: "order_id", type: "bigint" }],
          primaryKey: ["order_id"],
        },
      ],
    }),
    "azure-native:location": "westeurope",
    "medallion:azureDatabricksObjectId": "00000000-0000-0000-0000-0000000000db",
    "medallion:databricksAccountId": "00000000-0000-0000-0000-00000000acc7",
    "medallion:azureSources": JSON.stringify({ writerGroupObjectId: "00000000-0000-0000-0000-0000000000a1" }),
  };

  it("reads the location, the AzureDatabricks object ID, the Databricks account and the writers", () => {
    const stack = loadStack((key) => azureConfig[key]);
    expect(stack.azure).toEqual({
      location: "westeurope",
      azureDatabricksObjectId: "00000000-0000-0000-0000-0000000000db",
      databricksAccountId: "00000000-0000-0000-0000-00000000acc7",
      sources: {
        writerGroupObjectId: "00000000-0000-0000-0000-0000000000a1",
        allowedIpRanges: [],
        allowedSubnetIds: [],
      },
    });
    expect(stack.settings.spec.databricks).toEqual({
      sparkVersion: "15.4.x-scala2.12",
      nodeType: "Standard_D4ds_v5",
      workers: 2,
      trigger: "schedule",
      timezone: "UTC",
      taskTimeoutSeconds: 3600,
      maxRetries: 2,
    });
  });

  it("fails if the Azure keys are missing, naming each and how to find it", () => {
    const lookup = (key: string) =>
      key.startsWith("azure-native:") ||
      key.startsWith("medallion:azure") ||
      key.startsWith("medallion:databricks")
        ? undefined
        : azureConfig[key];
    const error = (() => {
      try {
        loadStack(lookup);
      } catch (e) {
        return e as ConfigError;
      }
      throw new Error("expected a ConfigError");
    })();
    expect(error.problems.map((p) => p.path)).toEqual([
      "azure-native:location",
      "medallion:azureDatabricksObjectId",
      "medallion:databricksAccountId",
      "medallion:azureSources",
    ]);
    expect(error.problems[1].message).toContain("az ad sp show --id 2ff814a6-3304-4ab8-85cb-cd0e6f879c1d");
    expect(error.problems[3].message).toContain("tables are written from outside (orders)");
  });

  it("refuses IP rules Azure Storage refuses and a placeholder writers' group on up, naming each field", () => {
    const lookup = (key: string) =>
      key === "medallion:azureSources"
        ? JSON.stringify({
            writerGroupObjectId: "00000000-0000-0000-0000-0000000000a1",
            allowedIpRanges: ["203.0.113.0/24", "198.51.100.7/32", "10.1.0.0/16", "2001:db8::/32"],
          })
        : azureConfig[key];
    const problems = (() => {
      try {
        loadStack(lookup, () => false, true);
      } catch (e) {
        return (e as ConfigError).problems;
      }
      throw new Error("expected a ConfigError");
    })();
    expect(problems.filter((p) => p.path.startsWith("medallion:azureSources"))).toEqual([
      {
        path: "medallion:azureSources.allowedIpRanges[1]",
        message:
          '"198.51.100.7/32" uses a /31 or /32 range, which Azure Storage refuses: give the single address instead',
      },
      {
        path: "medallion:azureSources.allowedIpRanges[2]",
        message:
          '"10.1.0.0/16" is a private (RFC 1918) range, which Azure Storage IP rules do not take (use a subnet)',
      },
      {
        path: "medallion:azureSources.allowedIpRanges[3]",
        message: '"2001:db8::/32" is not an IPv4 address or CIDR range (Azure Storage takes no IPv6 rules)',
      },
    ]);
    const placeholder = (() => {
      try {
        loadStack(
          (key) => azureConfig[key],
          () => false,
          true,
        );
      } catch (e) {
        return (e as ConfigError).problems.map((p) => p.path);
      }
      return [];
    })();
    expect(placeholder).toContain("medallion:azureSources.writerGroupObjectId");
  });

  it("fails if the pinned Databricks settings are malformed", () => {
    const spec = JSON.parse(azureConfig["medallion:lakehouse"]) as object;
    const lookup = (key: string) =>
      key === "medallion:lakehouse"
        ? JSON.stringify({ ...spec, databricks: { sparkVersion: "latest", nodeType: "big", workers: 0 } })
        : azureConfig[key];
    expect(() => loadStack(lookup)).toThrow(
      expect.objectContaining({
        problems: [
          expect.objectContaining({
            path: "medallion:lakehouse.databricks.sparkVersion",
            message: 'must be a runtime key such as "15.4.x-scala2.12"',
          }),
          expect.objectContaining({
            path: "medallion:lakehouse.databricks.nodeType",
            message: 'must be an Azure VM size such as "Standard_D4ds_v5"',
          }),
          expect.objectContaining({
            path: "medallion:lakehouse.databricks.workers",
            message: expect.stringContaining("1"),
          }),
        ],
      }),
    );
  });
});

describe("loadStack with its stack file", () => {
  it("points each spec problem at its line in the file", () => {
    const text = fs
      .readFileSync(path.join(__dirname, "..", "Pulumi.dev.yaml"), "utf8")
      .replace('daily: "0 2 * * *"', 'daily: "30 25 * * *"');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "medallion-config-"));
    const file = path.join(dir, "Pulumi.dev.yaml");
    fs.writeFileSync(file, text);
    const config = flattenConfig("medallion", parse(text).config).config;
    const line = text.split("\n").findIndex((l) => l.includes("30 25 * * *")) + 1;
    try {
      expect(() =>
        loadStack(
          (key) => config[key],
          () => false,
          false,
          file,
        ),
      ).toThrow(`Pulumi.dev.yaml:${line}:`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
