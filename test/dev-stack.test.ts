import type { Plan } from "../infra/preview/plan";
import { countsByType, named, ofType, policyOf, preview } from "./helpers";

const LAYERS = ["raw", "bronze", "silver", "gold"];
const ACCOUNT = "123456789012";

describe("the dev stack under the offline preview", () => {
  let plan: Plan;
  let outputs: Record<string, unknown>;

  beforeAll(async () => {
    ({ plan, outputs } = await preview("dev"));
  });

  it("creates exactly the expected resources", () => {
    expect(countsByType(plan)).toEqual({
      "pulumi:providers:aws": 1,
      // Storage: four layers, the access-log bucket and the transformations' artifact bucket.
      "aws:s3/bucket:Bucket": 6,
      "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": 6,
      "aws:s3/bucketOwnershipControls:BucketOwnershipControls": 6,
      "aws:s3/bucketVersioning:BucketVersioning": 6,
      "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": 6,
      "aws:s3/bucketPolicy:BucketPolicy": 6,
      "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": 6,
      "aws:s3/bucketLogging:BucketLogging": 5,
      // Keys: layers, secrets, alerts (6) + ingestion (5) + artifacts, hash key (2).
      "aws:kms/key:Key": 6 + 5 + 2,
      "aws:kms/alias:Alias": 6 + 5 + 2,
      "aws:glue/catalogDatabase:CatalogDatabase": 4 + 1,
      // The source credential and the environment's hash key (its value generated at deploy).
      "aws:secretsmanager/secret:Secret": 1 + 1,
      "aws:secretsmanager/secretVersion:SecretVersion": 1,
      "aws:sns/topic:Topic": 1,
      "aws:sns/topicPolicy:TopicPolicy": 1,
      "aws:sns/topicSubscription:TopicSubscription": 2,
      // Ingestion (2; test/dev-ingestion.test.ts checks what each one is) + Glue job failures (1).
      "aws:cloudwatch/eventRule:EventRule": 2 + 1,
      "aws:cloudwatch/eventTarget:EventTarget": 2 + 1,
      "aws:dynamodb/table:Table": 2,
      // The converter's own private network: VPC, 2 subnets, routes, task and endpoint groups, 5 endpoints.
      "aws:ec2/vpc:Vpc": 1,
      "aws:ec2/subnet:Subnet": 2,
      "aws:ec2/routeTable:RouteTable": 1,
      "aws:ec2/routeTableAssociation:RouteTableAssociation": 2,
      "aws:ec2/securityGroup:SecurityGroup": 2,
      "aws:ec2/vpcEndpoint:VpcEndpoint": 5,
      "aws:ecr/lifecyclePolicy:LifecyclePolicy": 1,
      "aws:ecr/repository:Repository": 1,
      "aws:ecs/cluster:Cluster": 1,
      "aws:ecs/taskDefinition:TaskDefinition": 1,
      "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig": 2,
      "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream": 1,
      "aws:kinesis/stream:Stream": 1,
      "aws:lambda/function:Function": 4,
      "aws:lambda/permission:Permission": 1,
      "aws:s3/bucketNotification:BucketNotification": 1,
      "aws:scheduler/scheduleGroup:ScheduleGroup": 1,
      "docker-build:index:Image": 1,
      // Transformations: one job per stage; no catalog table (Spark creates them).
      "aws:glue/job:Job": 2,
      "aws:glue/securityConfiguration:SecurityConfiguration": 1,
      "aws:s3/bucketObjectv2:BucketObjectv2": 4,
      "aws:athena/workgroup:Workgroup": 1,
      "aws:lakeformation/dataLakeSettings:DataLakeSettings": 1,
      "aws:lakeformation/resource:Resource": 3,
      "aws:lakeformation/permissions:Permissions": 10,
      // Shared by ingestion (first term) and transformations (second).
      "aws:cloudwatch/logGroup:LogGroup": 7 + 3,
      "aws:cloudwatch/logStream:LogStream": 1,
      // Ingestion's 12 + the emitted failure metrics' 4 + the _errors/ alert DLQ's depth, then the transformations' 6.
      // ... + a quarantine-ratio and a freshness alarm per table (5 tables, issue 16).
      "aws:cloudwatch/metricAlarm:MetricAlarm": 12 + 4 + 1 + 6 + 2 * 5,
      // Observability (issue 16): the stack's dashboard and budget.
      "aws:cloudwatch/dashboard:Dashboard": 1,
      "aws:budgets/budget:Budget": 1,
      "aws:iam/role:Role": 9 + 5,
      "aws:iam/rolePolicy:RolePolicy": 24 + 22,
      "aws:scheduler/schedule:Schedule": 2 + 2,
      "aws:sfn/stateMachine:StateMachine": 1 + 2,
      "aws:sqs/queue:Queue": 3 + 2,
      "aws:sqs/queuePolicy:QueuePolicy": 3 + 2,
    });
    expect(
      plan.resources
        .filter((r) => !r.custom)
        .map((r) => r.type)
        .sort(),
    ).toEqual([
      "medallion:aws:AccessLogBucket",
      "medallion:aws:AlertTopic",
      "medallion:aws:ApiPulls",
      "medallion:aws:ArtifactBucket",
      "medallion:aws:AthenaWorkgroup",
      "medallion:aws:CdcStream",
      "medallion:aws:ConverterNetwork",
      "medallion:aws:ConverterTask",
      ...Array(6 + 5 + 2).fill("medallion:aws:CustomerKey"),
      ...Array(3 + 1).fill("medallion:aws:DeadLetterQueue"),
      ...Array(2).fill("medallion:aws:DynamoTable"),
      ...Array(4).fill("medallion:aws:Function"),
      "medallion:aws:HashKey",
      "medallion:aws:IcebergTables",
      "medallion:aws:Ingestion",
      "medallion:aws:LakeFormation",
      "medallion:aws:Lakehouse",
      ...Array(4).fill("medallion:aws:MedallionLayer"),
      "medallion:aws:RawArrival",
      "medallion:aws:SecretStore",
      ...Array(2).fill("medallion:aws:StateMachine"),
      "medallion:aws:TransformJobs",
      "medallion:aws:TransformWorkflows",
      "pulumi:pulumi:Stack",
    ]);
  });

  it("names each layer bucket for product, environment, layer, account and region", () => {
    for (const layer of LAYERS) {
      expect(named(plan, `brewery-${layer}`, "aws:s3/bucket:Bucket").inputs).toEqual({
        bucket: `brewery-dev-${layer}-${ACCOUNT}-us-east-1`,
        forceDestroy: false,
        tags: { environment: "dev", layer, "managed-by": "pulumi-medallion-lakehouse", project: "brewery" },
      });
    }
  });

  it.each(LAYERS)("encrypts the %s bucket with its own rotating customer key and a bucket key", (layer) => {
    const key = named(plan, `brewery-${layer}-key`, "aws:kms/key:Key");
    expect(key.inputs).toMatchObject({
      enableKeyRotation: true,
      rotationPeriodInDays: 365,
      deletionWindowInDays: 30,
    });
    const keyArn = (outputs.layers as Record<string, { keyArn: string }>)[layer].keyArn;
    expect(keyArn).toMatch(new RegExp(`^arn:aws:kms:us-east-1:${ACCOUNT}:key/`));
    expect(named(plan, `brewery-${layer}-encryption`).inputs.rules).toEqual([
      {
        applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: keyArn },
        bucketKeyEnabled: true,
      },
    ]);
  });

  it("gives every layer a different key", () => {
    const keys = LAYERS.map((layer) => (outputs.layers as Record<string, { keyArn: string }>)[layer].keyArn);
    expect(new Set(keys).size).toBe(4);
  });

  it.each([...LAYERS, "access-logs"])(
    "blocks all public access, disables ACLs and versions the %s bucket",
    (part) => {
      expect(named(plan, `brewery-${part}-public-access`).inputs).toMatchObject({
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      });
      expect(named(plan, `brewery-${part}-ownership`).inputs.rule).toEqual({
        objectOwnership: "BucketOwnerEnforced",
      });
      expect(named(plan, `brewery-${part}-versioning`).inputs.versioningConfiguration).toEqual({
        status: "Enabled",
      });
    },
  );

  it.each([...LAYERS, "access-logs"])("denies non-TLS requests to the %s bucket and its objects", (part) => {
    const bucket = named(plan, `brewery-${part}`, "aws:s3/bucket:Bucket").inputs.bucket as string;
    const [deny] = policyOf(named(plan, `brewery-${part}-policy`)).Statement;
    expect(deny).toEqual({
      Sid: "DenyInsecureTransport",
      Effect: "Deny",
      Principal: "*",
      Action: "s3:*",
      Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`],
      Condition: { Bool: { "aws:SecureTransport": "false" } },
    });
  });

  it("refuses writes under any other encryption than the layer key", () => {
    const statements = policyOf(named(plan, "brewery-silver-policy")).Statement;
    const keyArn = (outputs.layers as Record<string, { keyArn: string }>).silver.keyArn;
    expect(statements.map((s) => s.Sid)).toEqual([
      "DenyInsecureTransport",
      "DenyOtherEncryption",
      "DenyOtherKmsKeys",
    ]);
    expect(statements[2].Condition).toEqual({
      StringNotEqualsIfExists: { "s3:x-amz-server-side-encryption-aws-kms-key-id": keyArn },
    });
  });

  it.each(LAYERS)(
    "sends the %s bucket's access logs to the shared log bucket under its own prefix",
    (layer) => {
      expect(named(plan, `brewery-${layer}-logging`).inputs).toMatchObject({
        targetBucket: `brewery-dev-access-logs-${ACCOUNT}-us-east-1`,
        targetPrefix: `${layer}/`,
      });
    },
  );

  it("uses SSE-S3 only on the access-log bucket, where S3 logging requires it, and lets only this account's logging deliver", () => {
    expect(named(plan, "brewery-access-logs-encryption").inputs.rules).toEqual([
      { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } },
    ]);
    const delivery = policyOf(named(plan, "brewery-access-logs-policy")).Statement[1];
    expect(delivery).toMatchObject({
      Effect: "Allow",
      Principal: { Service: "logging.s3.amazonaws.com" },
      Action: "s3:PutObject",
      Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT } },
    });
  });

  it("applies the spec's raw retention and aborts incomplete uploads in every bucket", () => {
    expect(named(plan, "brewery-raw-lifecycle").inputs.rules).toEqual([
      {
        id: "abort-incomplete-multipart-uploads",
        status: "Enabled",
        filter: {},
        abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
      },
      {
        id: "expire-noncurrent-versions",
        status: "Enabled",
        filter: {},
        noncurrentVersionExpiration: { noncurrentDays: 30 },
      },
      {
        id: "raw-retention",
        status: "Enabled",
        filter: {},
        transitions: [{ days: 30, storageClass: "STANDARD_IA" }],
        expiration: { days: 180 },
      },
    ]);
    for (const layer of ["bronze", "silver", "gold"]) {
      const rules = named(plan, `brewery-${layer}-lifecycle`).inputs.rules as { id: string }[];
      expect(rules.map((r) => r.id)).toEqual([
        "abort-incomplete-multipart-uploads",
        "expire-noncurrent-versions",
      ]);
    }
  });

  it("creates a Glue database per layer pointing at its bucket", () => {
    expect(
      ofType(plan, "aws:glue/catalogDatabase:CatalogDatabase")
        .map((d) => [d.inputs.name, d.inputs.locationUri])
        .sort(),
    ).toEqual(
      [
        ...LAYERS.map((l) => [`brewery_dev_${l}`, `s3://brewery-dev-${l}-${ACCOUNT}-us-east-1/`]),
        // Rows failing a quality rule, beside silver.
        ["brewery_dev_quarantine", `s3://brewery-dev-silver-${ACCOUNT}-us-east-1/_quarantine/`],
      ].sort(),
    );
  });

  it("holds the source secret under the secrets key", () => {
    const secret = named(plan, "brewery-secrets-brewery-api", "aws:secretsmanager/secret:Secret");
    const keyArn = `arn:aws:kms:us-east-1:${ACCOUNT}:key/`;
    expect(secret.inputs).toMatchObject({ name: "brewery/dev/brewery-api", recoveryWindowInDays: 30 });
    // A third-party API token: no rotator exists, and the tag says so (policy rule aws-secret-rotation).
    expect((secret.inputs.tags as Record<string, string>).rotation).toBe("external");
    expect(secret.inputs.kmsKeyId).toEqual(expect.stringContaining(keyArn));
    expect(named(plan, "brewery-secrets-key", "aws:kms/key:Key").inputs.enableKeyRotation).toBe(true);
  });

  it("sends alerts through an encrypted, TLS-only topic to the spec's e-mails", () => {
    const topic = named(plan, "brewery-alerts", "aws:sns/topic:Topic");
    expect(topic.inputs.kmsMasterKeyId).toMatch(/^arn:aws:kms:us-east-1:123456789012:key\//);
    expect(
      ofType(plan, "aws:sns/topicSubscription:TopicSubscription").map((s) => [
        s.inputs.protocol,
        s.inputs.endpoint,
      ]),
    ).toEqual(
      expect.arrayContaining([
        ["email", "data-platform@example.com"],
        ["email", "oncall-data@example.com"],
      ]),
    );
    const [deny, publishers] = policyOf(named(plan, "brewery-alerts-policy")).Statement;
    expect(deny).toMatchObject({
      Effect: "Deny",
      Action: "sns:Publish",
      Condition: { Bool: { "aws:SecureTransport": "false" } },
    });
    expect(publishers.Principal).toEqual({ Service: ["cloudwatch.amazonaws.com", "events.amazonaws.com"] });
  });

  it("tags every taggable resource with project, environment, layer and managed-by", () => {
    // docker-build's `tags` are image tags, not resource tags.
    const taggable = plan.resources.filter(
      (r) => r.custom && "tags" in r.inputs && r.type.startsWith("aws:"),
    );
    // Foundation, then ingestion (67 with the converter network's 10, 5 alarms and the _errors/ alert DLQ; no event
    // jobs without event tables), then the transformations' bucket, key, quarantine database, 3 log groups, 2 jobs,
    // 4 artifacts, 5 roles, 2 state machines, 2 queues, 6 alarms, workgroup, hash key and secret, job-failure rule (31).
    // ... then observability: 2 alarms per table (10) and the budget (the dashboard takes no tags).
    expect(taggable).toHaveLength(5 + 6 + 4 + 1 + 1 + 67 + 31 + 11);
    for (const r of taggable) {
      // `rotation` marks third-party secrets (no rotator); every other key is the standard set.
      const keys = Object.keys(r.inputs.tags as object).filter((k) => k !== "rotation");
      expect(keys.sort()).toEqual(["environment", "layer", "managed-by", "project"]);
    }
    expect(named(plan, "aws", "pulumi:providers:aws").inputs).toMatchObject({
      region: "us-east-1",
    });
    expect(JSON.parse(named(plan, "aws", "pulumi:providers:aws").inputs.defaultTags as string)).toEqual({
      tags: { environment: "dev", "managed-by": "pulumi-medallion-lakehouse", project: "brewery" },
    });
  });

  it("does not protect dev data", () => {
    expect(plan.resources.filter((r) => r.protect || r.retainOnDelete)).toEqual([]);
  });

  it("exports each layer's location and database, the secret ARNs and the alert topic", () => {
    expect(outputs).toMatchObject({
      cloud: "aws",
      layers: {
        raw: { location: `s3://brewery-dev-raw-${ACCOUNT}-us-east-1/`, catalogDatabase: "brewery_dev_raw" },
        gold: {
          location: `s3://brewery-dev-gold-${ACCOUNT}-us-east-1/`,
          catalogDatabase: "brewery_dev_gold",
        },
      },
      secretArns: {
        "brewery-api": expect.stringMatching(
          /^arn:aws:secretsmanager:us-east-1:123456789012:secret:brewery\/dev\/brewery-api-/,
        ),
      },
      alertTopicArn: `arn:aws:sns:us-east-1:${ACCOUNT}:brewery-dev-alerts`,
    });
  });
});
