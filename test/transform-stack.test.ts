import { readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { diffPlans } from "../infra/preview/diff";
import type { Plan } from "../infra/preview/plan";
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

  it("declares no table: Spark owns them (ddl.ts), Pulumi the databases and grants", () => {
    expect(ofType(plan, "aws:glue/catalogTable:CatalogTable")).toEqual([]);
    expect(
      named(plan, "brewery-catalog-quarantine", "aws:glue/catalogDatabase:CatalogDatabase").inputs,
    ).toMatchObject({
      name: "brewery_dev_quarantine",
      locationUri: `s3://brewery-dev-silver-${ACCOUNT}-us-east-1/_quarantine/`,
    });
    // The silver plan's create_table steps carry each table's columns and partitioning instead.
    const silver = JSON.parse(
      named(plan, "brewery-transform-silver-plan", "aws:s3/bucketObjectv2:BucketObjectv2").inputs
        .content as string,
    ) as {
      plans: {
        name: string;
        steps: { name: string; kind: string; columns?: { name: string; type: string }[]; options?: string }[];
      }[];
    };
    const customers = silver.plans.find((p) => p.name === "customers")!.steps[0]!;
    expect(customers).toMatchObject({
      name: "customers.create_silver",
      kind: "create_table",
      options: "USING iceberg",
    });
    expect(customers.columns?.map((c) => `${c.name} ${c.type}`)).toEqual([
      "customer_id BIGINT",
      "name STRING",
      "cpf STRING",
      "email STRING",
      "card_number STRING",
      "store_location STRING",
      "total_purchases DECIMAL(12,2)",
      "created_at TIMESTAMP",
      "_is_deleted BOOLEAN",
      "_created_at TIMESTAMP",
      "_updated_at TIMESTAMP",
      "_ingested_at TIMESTAMP",
      "_source_file STRING",
      "_source_row BIGINT",
    ]);
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
    // The gold database's tables by wildcard (Spark creates them): one ARN whatever the number of models.
    expect(text).toContain(`arn:aws:glue:us-east-1:${ACCOUNT}:table/brewery_dev_gold/*`);
    expect(text).not.toMatch(/table\/brewery_dev_gold\/[a-z]/);
  });
});

describe("a spec change in the plan diff", () => {
  const document = () =>
    parse(readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8")) as {
      config: Record<string, { tables: { name: string; columns: unknown[] }[] }>;
    };

  it("shows a new column as a change of the plans, no catalog resource (Spark adds it to the table)", async () => {
    const lakehouse = structuredClone(document().config["medallion:lakehouse"]);
    lakehouse.tables.find((t) => t.name === "beer")?.columns.push({ name: "ibu", type: "int" });
    const before = (await preview("dev")).plan;
    const after = (await preview("dev", { overrides: { "medallion:lakehouse": JSON.stringify(lakehouse) } }))
      .plan;
    const diff = diffPlans(before, after);
    expect(diff.added).toEqual([]);
    expect(diff.removed).toEqual([]);
    // The converter's image carries the spec; the flat view joins beer, so its plan selects ibu too.
    // The converter Lambdas carry the spec in tables.json, whose content hash the plan records.
    expect(diff.changed.map((c) => c.urn.split("::").pop()).sort()).toEqual([
      "brewery-ingestion-raw-arrival-control-record",
      "brewery-ingestion-raw-arrival-converter",
      "brewery-ingestion-raw-arrival-converter-task-image",
      "brewery-transform-silver-plan",
      "brewery-transform-views-plan",
    ]);
  });

  it("adds no catalog table, grant or policy for a new table", async () => {
    const lakehouse = structuredClone(document().config["medallion:lakehouse"]);
    const brewery = lakehouse.tables.find((t) => t.name === "brewery")!;
    lakehouse.tables.push({ ...structuredClone(brewery), name: "brewery_copy" });
    const before = (await preview("dev")).plan;
    const after = (await preview("dev", { overrides: { "medallion:lakehouse": JSON.stringify(lakehouse) } }))
      .plan;
    const diff = diffPlans(before, after);
    const types = (urns: string[]) => urns.map((urn) => urn.split("::")[2]!.split("$").pop());
    const governance = /glue\/catalog|lakeformation|iam\/role/;
    expect(types(diff.added.map((r) => r.urn)).filter((t) => governance.test(t!))).toEqual([]);
    expect(types(diff.changed.map((c) => c.urn)).filter((t) => governance.test(t!))).toEqual([]);
  });
});
