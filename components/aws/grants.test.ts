import * as pulumi from "@pulumi/pulumi";
import { runUnderMocks, type CapturedResource } from "../../infra/preview/harness";
import { previewMocks } from "../../infra/preview/mocks";

const ACCOUNT = "123456789012";

/** Runs `build` under mocks with a log bucket and a role at hand, returning the captured resources. */
async function capture(
  build: (kit: {
    aws: typeof import(".");
    role: import("@pulumi/aws/iam").Role;
    logs: import(".").AwsAccessLogBucket;
  }) => void,
): Promise<CapturedResource[]> {
  const aws = await import(".");
  const { Role } = await import("@pulumi/aws/iam");
  const { resources } = await runUnderMocks({
    project: "p",
    stack: "dev",
    config: {},
    mocks: previewMocks(),
    program: () => {
      const role = new Role("consumer", {
        name: "consumer",
        assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement: [] }),
      });
      const logs = new aws.AwsAccessLogBucket("logs", {
        nameParts: ["brewery", "dev"],
        context: ctx(),
        tags: {},
      });
      build({ aws, role, logs });
      return {};
    },
  });
  return resources;
}

function ctx() {
  return {
    accountId: pulumi.output(ACCOUNT),
    partition: pulumi.output("aws"),
    region: pulumi.output("us-east-1"),
    dnsSuffix: pulumi.output("amazonaws.com"),
  };
}

const statementsOf = (r: CapturedResource | undefined) => JSON.parse(r?.inputs.policy as string).Statement;
const goldBucket = `arn:aws:s3:::brewery-dev-gold-${ACCOUNT}-us-east-1`;

describe("AwsMedallionLayer grants", () => {
  it("grantRead allows listing, reading and decrypting through S3 only, on that bucket and key", async () => {
    const resources = await capture(({ aws, role, logs }) => {
      const gold = new aws.AwsMedallionLayer("gold", {
        layer: "gold",
        product: "brewery",
        environment: "dev",
        accessLogs: logs,
        context: ctx(),
        tags: {},
      });
      gold.grantRead({ name: "consumer", role });
    });
    const grant = resources.find((r) => r.name === "gold-read-consumer");
    expect(grant?.type).toBe("aws:iam/rolePolicy:RolePolicy");
    expect(grant?.inputs.role).toBe("consumer");
    const keyArn = (
      resources.find((r) => r.name === "gold-encryption")?.inputs.rules as {
        applyServerSideEncryptionByDefault: { kmsMasterKeyId: string };
      }[]
    )[0].applyServerSideEncryptionByDefault.kmsMasterKeyId;
    expect(statementsOf(grant)).toEqual([
      { Sid: "ListLayer", Effect: "Allow", Action: ["s3:ListBucket"], Resource: goldBucket },
      {
        Sid: "ReadObjects",
        Effect: "Allow",
        Action: ["s3:GetObject", "s3:GetObjectVersion"],
        Resource: `${goldBucket}/*`,
      },
      {
        Sid: "DecryptThroughS3",
        Effect: "Allow",
        Action: ["kms:Decrypt"],
        Resource: keyArn,
        Condition: { StringEquals: { "kms:ViaService": "s3.us-east-1.amazonaws.com" } },
      },
    ]);
  });

  it("grantWrite with a prefix writes only under that prefix and encrypts with that key", async () => {
    const resources = await capture(({ aws, role, logs }) => {
      const raw = new aws.AwsMedallionLayer("raw", {
        layer: "raw",
        product: "brewery",
        environment: "dev",
        accessLogs: logs,
        context: ctx(),
        tags: {},
      });
      raw.grantWrite({ name: "ingest", role }, { prefix: "/customers" });
      raw.grantRead({ name: "ingest", role }, { prefix: "customers/" });
    });
    const rawBucket = `arn:aws:s3:::brewery-dev-raw-${ACCOUNT}-us-east-1`;
    const write = statementsOf(resources.find((r) => r.name === "raw-write-ingest-customers"));
    expect(write[0]).toEqual({
      Sid: "WriteObjects",
      Effect: "Allow",
      Action: ["s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
      Resource: `${rawBucket}/customers/*`,
    });
    expect(write[1]).toMatchObject({
      Sid: "EncryptThroughS3",
      Action: ["kms:GenerateDataKey", "kms:Decrypt"],
    });
    const read = statementsOf(resources.find((r) => r.name === "raw-read-ingest-customers"));
    expect(read[0]).toEqual({
      Sid: "ListLayer",
      Effect: "Allow",
      Action: ["s3:ListBucket"],
      Resource: rawBucket,
      Condition: { StringLike: { "s3:prefix": ["customers/*"] } },
    });
  });

  it("never grants a wildcard action or a resource outside the layer", async () => {
    const resources = await capture(({ aws, role, logs }) => {
      const silver = new aws.AwsMedallionLayer("silver", {
        layer: "silver",
        product: "brewery",
        environment: "dev",
        accessLogs: logs,
        context: ctx(),
        tags: {},
      });
      silver.grantRead({ name: "a", role });
      silver.grantWrite({ name: "a", role });
    });
    const silverBucket = `arn:aws:s3:::brewery-dev-silver-${ACCOUNT}-us-east-1`;
    const grants = resources.filter((r) => r.type === "aws:iam/rolePolicy:RolePolicy");
    expect(grants).toHaveLength(2);
    for (const statement of grants.flatMap(statementsOf)) {
      for (const action of statement.Action) expect(action).not.toContain("*");
      expect(
        statement.Resource === silverBucket ||
          statement.Resource === `${silverBucket}/*` ||
          /^arn:aws:kms:/.test(statement.Resource),
      ).toBe(true);
    }
  });

  it("fails if a grant prefix holds an IAM wildcard", async () => {
    await expect(
      capture(({ aws, role, logs }) => {
        new aws.AwsMedallionLayer("raw", {
          layer: "raw",
          product: "brewery",
          environment: "dev",
          accessLogs: logs,
          context: ctx(),
          tags: {},
        }).grantRead({ name: "x", role }, { prefix: "customers/*" });
      }),
    ).rejects.toThrow('grant prefix "customers/*" must not contain IAM wildcards (* or ?)');
  });

  it("fails if lifecycle days are impossible, naming every bad field", async () => {
    await expect(
      capture(({ aws, logs }) => {
        new aws.AwsMedallionLayer("raw", {
          layer: "raw",
          product: "brewery",
          environment: "dev",
          accessLogs: logs,
          context: ctx(),
          tags: {},
          transitionToInfrequentAccessDays: 10,
          expirationDays: 5,
        });
      }),
    ).rejects.toThrow(
      [
        "AwsMedallionLayer raw has invalid args:",
        "  - transitionToInfrequentAccessDays: S3 needs a whole number of at least 30, got 10",
        "  - expirationDays: must be later than transitionToInfrequentAccessDays (5 <= 10)",
      ].join("\n"),
    );
  });
});

describe("AwsSecretStore", () => {
  it("grantRead allows reading the named secrets and decrypting through Secrets Manager only", async () => {
    const resources = await capture(({ aws, role }) => {
      const store = new aws.AwsSecretStore("secrets", {
        product: "brewery",
        environment: "dev",
        secrets: [{ name: "brewery-api" }, { name: "crm-api" }],
        context: ctx(),
        tags: {},
      });
      store.grantRead({ name: "puller", role }, ["brewery-api"]);
    });
    const [read, decrypt] = statementsOf(resources.find((r) => r.name === "secrets-read-puller"));
    expect(read).toEqual({
      Sid: "ReadSecrets",
      Effect: "Allow",
      Action: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
      Resource: [
        expect.stringMatching(
          /^arn:aws:secretsmanager:us-east-1:123456789012:secret:brewery\/dev\/brewery-api-/,
        ),
      ],
    });
    expect(decrypt.Condition).toEqual({
      StringEquals: { "kms:ViaService": "secretsmanager.us-east-1.amazonaws.com" },
    });
    expect(resources.filter((r) => r.type === "aws:secretsmanager/secretVersion:SecretVersion")).toEqual([]);
  });

  it("fails if a value names no declared secret, or grantRead names an unknown one", async () => {
    await expect(
      capture(({ aws }) => {
        new aws.AwsSecretStore("s", {
          product: "b",
          environment: "dev",
          secrets: [],
          values: { x: "1" },
          context: ctx(),
          tags: {},
        });
      }),
    ).rejects.toThrow("AwsSecretStore s has invalid args:\n  - values.x: no secret of that name in secrets");
    await expect(
      capture(({ aws, role }) => {
        new aws.AwsSecretStore("s", {
          product: "b",
          environment: "dev",
          secrets: [],
          context: ctx(),
          tags: {},
        }).grantRead({ name: "r", role }, ["nope"]);
      }),
    ).rejects.toThrow("AwsSecretStore s: grantRead names unknown secrets nope");
  });
});

describe("AwsAlertTopic", () => {
  it("fails if nobody would receive alerts", async () => {
    await expect(
      capture(({ aws }) => {
        new aws.AwsAlertTopic("alerts", {
          product: "b",
          environment: "dev",
          emails: [],
          context: ctx(),
          tags: {},
        });
      }),
    ).rejects.toThrow(
      "AwsAlertTopic alerts: at least one e-mail or webhook is required, or alerts reach nobody",
    );
  });
});
