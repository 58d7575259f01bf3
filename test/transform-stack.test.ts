import { readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { diffPlans } from "../infra/preview/diff";
import type { Plan, PlanResource } from "../infra/preview/plan";
import { named, ofType, policyOf, preview, ROOT } from "./helpers";

const validateAsl = require("asl-validator") as (definition: unknown) => {
  isValid: boolean;
  errors: unknown[];
};

const ACCOUNT = "123456789012";
const ARTIFACTS = `brewery-dev-artifacts-${ACCOUNT}-us-east-1`;
const TABLES = ["brewery", "beer", "profile", "review", "customers"];
const MODELS = [
  "top_beers_by_rating",
  "top_breweries_by_rating",
  "top_drinkers",
  "top_styles_by_popularity",
  "state_by_review_volume",
  "customers_per_store",
  "total_purchases_by_store",
];

type State = Record<string, unknown> & { Type: string };

/** Every state of a definition, nested Map processors included. */
function allStates(definition: { States: Record<string, State> }): [string, State][] {
  return Object.entries(definition.States).flatMap(([name, state]) => [
    [name, state] as [string, State],
    ...(state.ItemProcessor ? allStates(state.ItemProcessor as { States: Record<string, State> }) : []),
  ]);
}

describe("the dev stack's transformations (offline preview)", () => {
  let plan: Plan;
  beforeAll(async () => {
    ({ plan } = await preview("dev"));
  });
  const definitionOf = (name: string) =>
    JSON.parse(named(plan, name, "aws:sfn/stateMachine:StateMachine").inputs.definition as string);

  it("runs one Glue 5.0 Iceberg job per stage with the security configuration, a timeout and retries", () => {
    const jobs = ofType(plan, "aws:glue/job:Job");
    expect(jobs.map((j) => j.inputs.name).sort()).toEqual([
      "brewery-dev-bronze-to-silver",
      "brewery-dev-silver-to-gold",
    ]);
    for (const job of jobs) {
      expect(job.inputs).toMatchObject({
        glueVersion: "5.0",
        command: {
          name: "glueetl",
          pythonVersion: "3",
          scriptLocation: `s3://${ARTIFACTS}/transform/spark_runner.py`,
        },
        securityConfiguration: "brewery-dev-transform",
        timeout: 60,
        maxRetries: 1,
        workerType: "G.1X",
        numberOfWorkers: 2,
        executionProperty: { maxConcurrentRuns: 4 },
        roleArn: `arn:aws:iam::${ACCOUNT}:role/brewery-dev-transform-job`,
      });
      const fixed = job.inputs.nonOverridableArguments as Record<string, string>;
      expect(fixed["--datalake-formats"]).toBe("iceberg");
      expect(fixed["--conf"]).toContain(
        "spark.sql.catalog.glue_catalog.catalog-impl=org.apache.iceberg.aws.glue.GlueCatalog",
      );
      expect(fixed["--conf"]).toContain(
        "spark.sql.extensions=org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions",
      );
      expect(fixed["--custom-logGroup-prefix"]).toBe("/aws-glue/jobs/brewery-dev-transform");
    }
    expect(named(plan, "brewery-transform-bronze-to-silver").inputs.defaultArguments).toMatchObject({
      "--plan": `s3://${ARTIFACTS}/transform/plans/silver.json`,
      "--TempDir": `s3://${ARTIFACTS}/tmp/`,
    });
    expect(named(plan, "brewery-transform-silver-to-gold").inputs.defaultArguments).toMatchObject({
      "--plan": `s3://${ARTIFACTS}/transform/plans/gold.json`,
    });
  });

  it("encrypts S3 writes, CloudWatch logs and bookmarks with the artifacts key", () => {
    const key = named(plan, "brewery-artifacts-key", "aws:kms/key:Key");
    expect(key.inputs.enableKeyRotation).toBe(true);
    const keyArn = named(plan, "brewery-artifacts-encryption").inputs.rules as {
      applyServerSideEncryptionByDefault: { kmsMasterKeyId: string };
    }[];
    const arn = keyArn[0].applyServerSideEncryptionByDefault.kmsMasterKeyId;
    expect(named(plan, "brewery-transform-security").inputs.encryptionConfiguration).toEqual({
      s3Encryption: { s3EncryptionMode: "SSE-KMS", kmsKeyArn: arn },
      cloudwatchEncryption: { cloudwatchEncryptionMode: "SSE-KMS", kmsKeyArn: arn },
      jobBookmarksEncryption: { jobBookmarksEncryptionMode: "CSE-KMS", kmsKeyArn: arn },
    });
    // The transformations' own log groups (ingestion's are under the ingestion key, tested there).
    const groups = ofType(plan, "aws:cloudwatch/logGroup:LogGroup").filter(
      (g) => !g.name.includes("-ingestion-"),
    );
    expect(groups.map((g) => g.name).sort()).toEqual([
      "brewery-transform-error-logs",
      "brewery-transform-output-logs",
      "brewery-workflows-machines-logs",
    ]);
    for (const group of groups) {
      expect(group.inputs).toMatchObject({ kmsKeyId: arn, retentionInDays: 30 });
    }
  });

  it("uploads the runner and the generated plans, KMS-encrypted", () => {
    const objects = ofType(plan, "aws:s3/bucketObjectv2:BucketObjectv2");
    expect(objects.map((o) => o.inputs.key).sort()).toEqual([
      "transform/plans/gold.json",
      "transform/plans/silver.json",
      "transform/plans/views.json",
      "transform/spark_runner.py",
    ]);
    for (const o of objects)
      expect(o.inputs).toMatchObject({ bucket: ARTIFACTS, serverSideEncryption: "aws:kms" });
    expect(named(plan, "brewery-transform-runner").inputs.content).toBe(
      readFileSync(path.join(ROOT, "functions/transform/spark_runner.py"), "utf8"),
    );
    const silver = JSON.parse(named(plan, "brewery-transform-silver-plan").inputs.content as string);
    expect(silver.plans.map((p: { name: string }) => p.name)).toEqual(TABLES);
    const merge = silver.plans[3].steps.find((s: { name: string }) => s.name === "review.merge");
    expect(merge.sql).toMatch(/^MERGE INTO glue_catalog\.brewery_dev_silver\.review AS target/);
    const stage = silver.plans[3].steps.find((s: { name: string }) => s.name === "review.stage");
    expect(stage.sql).toContain(`FROM parquet.\`s3://brewery-dev-bronze-${ACCOUNT}-us-east-1/review/\``);
    const gold = JSON.parse(named(plan, "brewery-transform-gold-plan").inputs.content as string);
    expect(gold.plans.map((p: { name: string }) => p.name)).toEqual(MODELS);
  });

  it("gives the job role least privilege: layer grants, its code read-only, its databases' tables", () => {
    const grants = ofType(plan, "aws:iam/rolePolicy:RolePolicy")
      .filter((p) => p.inputs.role === "brewery-dev-transform-job")
      .map((p) => p.name)
      .sort();
    expect(grants).toEqual([
      "brewery-artifacts-read-transform-job-tmp",
      "brewery-artifacts-read-transform-job-transform",
      "brewery-artifacts-write-transform-job-tmp",
      "brewery-bronze-read-transform-job",
      "brewery-gold-read-transform-job",
      "brewery-gold-write-transform-job",
      "brewery-hash-key-read-transform-job",
      "brewery-silver-read-transform-job",
      "brewery-silver-write-transform-job",
      "brewery-transform-runtime",
    ]);
    const runtime = policyOf(named(plan, "brewery-transform-runtime")).Statement;
    expect(runtime.map((s) => s.Sid)).toEqual([
      "ReadCatalog",
      "CommitTables",
      "EncryptedJobLogs",
      "JobMetrics",
      "BookmarkKey",
    ]);
    const commit = runtime[1];
    expect(commit.Action).toEqual(["glue:CreateTable", "glue:UpdateTable"]);
    const glue = `arn:aws:glue:us-east-1:${ACCOUNT}`;
    // Silver (tables, ledgers, flat views), quarantine and gold: the jobs own every table of the three.
    expect(commit.Resource).toEqual(
      expect.arrayContaining([
        `${glue}:table/brewery_dev_silver/*`,
        `${glue}:table/brewery_dev_quarantine/*`,
        `${glue}:table/brewery_dev_gold/*`,
      ]),
    );
    expect((commit.Resource as string[]).filter((r) => r.includes("*"))).toHaveLength(3);
    expect((commit.Resource as string[]).some((r) => r.includes("brewery_dev_raw"))).toBe(false);
    expect((commit.Resource as string[]).some((r) => r.includes("brewery_dev_bronze"))).toBe(false);
    for (const s of runtime) expect(JSON.stringify(s.Action)).not.toContain("*");
  });

  it.each([
    ["brewery-workflows-machines-bronze-to-silver", TABLES, "Table"],
    ["brewery-workflows-machines-silver-to-gold", MODELS, "Model"],
  ])(
    "%s is valid ASL: a Map over the spec with Retry, Catch → alert → Fail, and a timeout",
    (name, items, label) => {
      const definition = definitionOf(name);
      const validation = validateAsl(definition);
      expect({ isValid: validation.isValid, errors: validation.errors }).toEqual({
        isValid: true,
        errors: [],
      });
      expect(definition.TimeoutSeconds).toBe(6 * 3600);
      expect(definition.States[`List${label}s`]).toMatchObject({ Type: "Pass", Result: items });
      const map = definition.States[`${label}Map`];
      expect(map).toMatchObject({ Type: "Map", ItemsPath: "$.items", MaxConcurrency: 4 });
      expect(map.Catch).toEqual([
        { ErrorEquals: ["States.ALL"], ResultPath: "$.error", Next: "NotifyFailure" },
      ]);
      const run = map.ItemProcessor.States[`Run${label}Job`];
      expect(run).toMatchObject({
        Type: "Task",
        Resource: "arn:aws:states:::glue:startJobRun.sync",
        Parameters: { Arguments: { "--name.$": "$.name" } },
      });
      expect(run.Retry[1]).toEqual({
        ErrorEquals: ["States.TaskFailed", "States.Timeout"],
        IntervalSeconds: 60,
        MaxAttempts: 2,
        BackoffRate: 2,
      });
      expect(definition.States.NotifyFailure).toMatchObject({
        Type: "Task",
        Resource: "arn:aws:states:::sns:publish",
        Parameters: { TopicArn: `arn:aws:sns:us-east-1:${ACCOUNT}:brewery-dev-alerts` },
        Next: "Failed",
      });
      expect(definition.States.Failed.Type).toBe("Fail");
      for (const [state, body] of allStates(definition)) {
        if (body.Type !== "Task") continue;
        expect({ state, retry: Array.isArray(body.Retry), catch: Array.isArray(body.Catch) }).toEqual({
          state,
          retry: true,
          catch: true,
        });
      }
      const machine = named(plan, name, "aws:sfn/stateMachine:StateMachine");
      expect(machine.inputs).toMatchObject({
        type: "STANDARD",
        tracingConfiguration: { enabled: true },
        loggingConfiguration: {
          level: "ALL",
          includeExecutionData: true,
          logDestination: `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/aws/vendedlogs/states/brewery-dev-transform:*`,
        },
      });
    },
  );

  it("builds the flat views after the silver Map, with the same job and the views plan", () => {
    const definition = definitionOf("brewery-workflows-machines-bronze-to-silver");
    expect(definition.States.TableMap.Next).toBe("BuildFlatViews");
    expect(definition.States.BuildFlatViews).toMatchObject({
      Type: "Task",
      Parameters: {
        JobName: "brewery-dev-bronze-to-silver",
        Arguments: { "--plan": `s3://${ARTIFACTS}/transform/plans/views.json` },
      },
      End: true,
    });
  });

  it("asl-validator rejects a broken definition (the check is real)", () => {
    const definition = definitionOf("brewery-workflows-machines-silver-to-gold");
    definition.States.ModelMap.Next = "Nowhere";
    delete definition.States.ModelMap.End;
    expect(validateAsl(definition).isValid).toBe(false);
  });

  it("schedules both workflows from the spec's cron, in UTC, with retries and a dead-letter queue", () => {
    const dlq = named(plan, "brewery-workflows-schedule-dlq", "aws:sqs/queue:Queue");
    expect(dlq.inputs.kmsMasterKeyId).toMatch(/^arn:aws:kms:us-east-1:123456789012:key\//);
    const schedules = Object.fromEntries(
      ofType(plan, "aws:scheduler/schedule:Schedule")
        .filter((s) => s.name.startsWith("brewery-workflows-"))
        .map((s) => [s.inputs.name, s.inputs]),
    );
    expect(Object.keys(schedules).sort()).toEqual([
      "brewery-dev-bronze-to-silver",
      "brewery-dev-silver-to-gold",
    ]);
    expect(schedules["brewery-dev-bronze-to-silver"]).toMatchObject({
      scheduleExpression: "cron(30 2 * * ? *)",
      scheduleExpressionTimezone: "UTC",
      flexibleTimeWindow: { mode: "OFF" },
      target: {
        arn: `arn:aws:states:us-east-1:${ACCOUNT}:stateMachine:brewery-dev-bronze-to-silver`,
        roleArn: `arn:aws:iam::${ACCOUNT}:role/brewery-dev-transform-scheduler`,
        retryPolicy: { maximumRetryAttempts: 3, maximumEventAgeInSeconds: 3600 },
        deadLetterConfig: { arn: `arn:aws:sqs:us-east-1:${ACCOUNT}:brewery-dev-transform-schedule-dlq` },
      },
    });
    expect(schedules["brewery-dev-silver-to-gold"].scheduleExpression).toBe("cron(0 4 * * ? *)");
    for (const alarm of ofType(plan, "aws:cloudwatch/metricAlarm:MetricAlarm")) {
      expect(alarm.inputs.alarmActions).toEqual([`arn:aws:sns:us-east-1:${ACCOUNT}:brewery-dev-alerts`]);
    }
  });

  it("declares the Iceberg tables with the spec's schemas and partitioning", () => {
    const tables = ofType(plan, "aws:glue/catalogTable:CatalogTable");
    expect(tables).toHaveLength(TABLES.length * 2 + 1 + MODELS.length);
    const customers = named(plan, "brewery-catalog-silver-customers");
    expect(customers.inputs).toMatchObject({
      databaseName: "brewery_dev_silver",
      name: "customers",
      tableType: "EXTERNAL_TABLE",
    });
    const iceberg = (t: PlanResource) =>
      (
        t.inputs.openTableFormatInput as {
          icebergInput: { metadataOperation: string; icebergTableInput: Record<string, unknown> };
        }
      ).icebergInput;
    expect(iceberg(customers).metadataOperation).toBe("CREATE");
    const fields = (
      iceberg(customers).icebergTableInput.schema as {
        fields: { name: string; type: string; required: boolean }[];
      }
    ).fields;
    expect(fields.map((f) => [f.name, f.type, f.required])).toEqual([
      ["customer_id", "long", true],
      ["name", "string", false],
      ["cpf", "string", false],
      ["email", "string", false],
      ["card_number", "string", false],
      ["store_location", "string", false],
      ["total_purchases", "decimal(12,2)", false],
      ["created_at", "timestamp", false],
      ["_is_deleted", "boolean", true],
      ["_created_at", "timestamp", true],
      ["_updated_at", "timestamp", true],
      ["_ingested_at", "timestamp", true],
      ["_source_file", "string", true],
      ["_source_row", "long", true],
    ]);
    const top = iceberg(named(plan, "brewery-catalog-gold-top-beers-by-rating")).icebergTableInput;
    expect(top.location).toBe(`s3://brewery-dev-gold-${ACCOUNT}-us-east-1/top_beers_by_rating/`);
    expect(top.partitionSpec).toEqual({
      specId: 0,
      fields: [
        // The partition columns are the table's last (after the 4 dimensions and 2 measures).
        { fieldId: 1000, name: "review_year", sourceId: 7, transform: "identity" },
        { fieldId: 1001, name: "review_month", sourceId: 8, transform: "identity" },
      ],
    });
    const quarantine = named(plan, "brewery-catalog-quarantine-review");
    expect(quarantine.inputs.databaseName).toBe("brewery_dev_quarantine");
    expect(
      (quarantine.inputs.storageDescriptor as { columns: { name: string }[] }).columns.map((c) => c.name),
    ).toEqual(expect.arrayContaining(["_rule", "_column", "_quarantined_at"]));
  });

  it("encrypts Athena results with KMS and enforces the workgroup configuration", () => {
    expect(named(plan, "brewery-athena", "aws:athena/workgroup:Workgroup").inputs).toMatchObject({
      name: "brewery-dev",
      configuration: {
        enforceWorkgroupConfiguration: true,
        resultConfiguration: {
          outputLocation: `s3://${ARTIFACTS}/athena-results/`,
          encryptionConfiguration: { encryptionOption: "SSE_KMS" },
        },
      },
    });
  });

  it("governs the catalog with Lake Formation: admins, no IAM-only defaults, registered layers, job grants", () => {
    expect(named(plan, "brewery-lake-formation-settings").inputs).toEqual({
      // The stack file's list; the deployer (the preview's SSO role, path kept) is already in it.
      admins: [
        `arn:aws:iam::${ACCOUNT}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_DataPlatformAdmin_0123456789abcdef`,
        `arn:aws:iam::${ACCOUNT}:role/medallion-deployer`,
      ],
      createDatabaseDefaultPermissions: [],
      createTableDefaultPermissions: [],
    });
    const locations = ofType(plan, "aws:lakeformation/resource:Resource").sort((a, b) =>
      a.name.localeCompare(b.name),
    );
    expect(locations.map((r) => r.inputs)).toEqual(
      ["bronze", "gold", "silver"].map((layer) => ({
        arn: `arn:aws:s3:::brewery-dev-${layer}-${ACCOUNT}-us-east-1`,
        roleArn: `arn:aws:iam::${ACCOUNT}:role/brewery-dev-lake-registration`,
        hybridAccessEnabled: true,
      })),
    );
    const permissions = ofType(plan, "aws:lakeformation/permissions:Permissions");
    const job = `arn:aws:iam::${ACCOUNT}:role/brewery-dev-transform-job`;
    expect(permissions.filter((p) => p.inputs.principal === job)).toHaveLength(8);
    expect(named(plan, "brewery-lake-formation-jobs-quarantine-tables").inputs).toEqual({
      principal: job,
      permissions: ["SELECT", "INSERT", "DELETE", "ALTER", "DESCRIBE"],
      table: { databaseName: "brewery_dev_quarantine", wildcard: true },
    });
  });

  it("lets the gold consumer (seed 001's demo user) read gold only", () => {
    const consumer = `arn:aws:iam::${ACCOUNT}:role/brewery-dev-gold-reader`;
    const grants = ofType(plan, "aws:lakeformation/permissions:Permissions").filter(
      (p) => p.inputs.principal === consumer,
    );
    expect(grants.map((g) => g.inputs)).toEqual([
      { principal: consumer, permissions: ["DESCRIBE"], database: { name: "brewery_dev_gold" } },
      {
        principal: consumer,
        permissions: ["SELECT", "DESCRIBE"],
        table: { databaseName: "brewery_dev_gold", wildcard: true },
      },
    ]);
    const policies = ofType(plan, "aws:iam/rolePolicy:RolePolicy").filter(
      (p) => p.inputs.role === "brewery-dev-gold-reader",
    );
    expect(policies.map((p) => p.name).sort()).toEqual([
      "brewery-artifacts-read-gold-consumer-athena-results",
      "brewery-artifacts-write-gold-consumer-athena-results",
      "brewery-athena-query-gold-consumer",
      "brewery-gold-read-gold-consumer",
      "brewery-lake-formation-consumer-catalog",
    ]);
    const text = policies.map((p) => p.inputs.policy as string).join("\n");
    for (const other of ["silver", "bronze", "raw", "quarantine"])
      expect(text).not.toContain(`brewery-dev-${other}`);
    expect(text).not.toContain("brewery_dev_silver");
    expect(text).not.toContain("brewery_dev_quarantine");
  });
});

describe("a spec change in the plan diff", () => {
  it("shows a new column as a change of the Iceberg table's schema and of the silver plan", async () => {
    const document = parse(readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8")) as {
      config: Record<string, { tables: { name: string; columns: unknown[] }[] }>;
    };
    const lakehouse = structuredClone(document.config["medallion:lakehouse"]);
    lakehouse.tables.find((t) => t.name === "beer")?.columns.push({ name: "ibu", type: "int" });
    const before = (await preview("dev")).plan;
    const after = (await preview("dev", { overrides: { "medallion:lakehouse": JSON.stringify(lakehouse) } }))
      .plan;
    const diff = diffPlans(before, after);
    expect(diff.added).toEqual([]);
    expect(diff.removed).toEqual([]);
    const changed = Object.fromEntries(
      diff.changed.map((c) => [c.urn.split("::").pop(), c.changes.map((x) => x.path)]),
    );
    expect(changed["brewery-catalog-silver-beer"]).toEqual(
      expect.arrayContaining([
        // ibu is the sixth column: what followed shifts by one and the last field is new
        "storageDescriptor.columns[5].name",
        "storageDescriptor.columns[11]",
        "openTableFormatInput.icebergInput.icebergTableInput.schema.fields[5].name",
        "openTableFormatInput.icebergInput.icebergTableInput.schema.fields[11]",
      ]),
    );
    expect(Object.keys(changed)).toEqual(
      expect.arrayContaining([
        "brewery-catalog-quarantine-beer",
        "brewery-catalog-silver-review-flat",
        "brewery-transform-silver-plan",
      ]),
    );
  });
});
