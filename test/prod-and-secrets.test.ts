import { ConfigError } from "../components/spec";
import { named, ofType, preview } from "./helpers";

const SECRET_VALUE = "tok_3f9a-very-secret-value";

describe("the prod stack (a protected environment)", () => {
  it("protects and retains every data bucket, key, secret and database", async () => {
    const { plan } = await preview("prod");
    const mustKeep = plan.resources.filter((r) =>
      ["aws:s3/bucket:Bucket", "aws:kms/key:Key", "aws:secretsmanager/secret:Secret"].includes(r.type),
    );
    // + the ingestion keys: logs, state, messages, CDC stream, container images (issue 4),
    // + the transformations' artifact bucket and its key, the hash key's secret and its key.
    expect(mustKeep).toHaveLength(5 + 6 + 1 + 5 + 2 + 2);
    // The alert topic's key holds no data, so it is the one key a destroy may schedule for deletion.
    for (const r of mustKeep.filter((r) => r.name !== "brewery-alerts-key")) {
      expect({ name: r.name, protect: r.protect, retainOnDelete: r.retainOnDelete }).toEqual({
        name: r.name,
        protect: true,
        retainOnDelete: true,
      });
    }
    for (const db of ofType(plan, "aws:glue/catalogDatabase:CatalogDatabase")) expect(db.protect).toBe(true);
    expect(named(plan, "brewery-raw-lifecycle").inputs.rules).toContainEqual({
      id: "raw-retention",
      status: "Enabled",
      filter: {},
      transitions: [{ days: 90, storageClass: "STANDARD_IA" }],
      expiration: { days: 1825 },
    });
  });
});

describe("secret values", () => {
  it("reach Secrets Manager only as Pulumi secrets, redacted in the plan", async () => {
    const { plan } = await preview("dev", {
      overrides: { "medallion:secrets": JSON.stringify({ "brewery-api": SECRET_VALUE }) },
      overrideSecretKeys: ["medallion:secrets"],
    });
    const version = named(plan, "brewery-secrets-brewery-api-value");
    expect(version.inputs.secretString).toBe("[secret]");
    expect(JSON.stringify(plan)).not.toContain(SECRET_VALUE);
  });

  it("fails if a secret value is set in plain text, naming the key and the command to fix it", async () => {
    await expect(
      preview("dev", { overrides: { "medallion:secrets": JSON.stringify({ "brewery-api": SECRET_VALUE }) } }),
    ).rejects.toThrow(
      "medallion:secrets: holds plain text; set each value with `pulumi config set --secret --path medallion:secrets.<name> <value>`",
    );
  });

  it("fails if a value is given for a secret the spec does not declare", async () => {
    const error = await preview("dev", {
      overrides: { "medallion:secrets": JSON.stringify({ other: "x" }) },
      overrideSecretKeys: ["medallion:secrets"],
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      { path: "medallion:secrets.other", message: 'no secret "other" in medallion:lakehouse.secrets' },
    ]);
  });
});
