import * as dockerBuild from "@pulumi/docker-build";
import * as cloudwatch from "@pulumi/aws/cloudwatch";
import * as ecr from "@pulumi/aws/ecr";
import { getAuthorizationTokenOutput } from "@pulumi/aws/ecr/getAuthorizationToken";
import * as ecs from "@pulumi/aws/ecs";
import * as iam from "@pulumi/aws/iam";
import * as pulumi from "@pulumi/pulumi";
import { awsResourceName } from "../naming";
import type { TableSpec } from "../spec";
import { imageBuild, tablesJson } from "./bundle";
import { viaService } from "./context";
import { AwsConverterNetwork } from "./converter-network";
import { AwsCustomerKey } from "./customer-key";
import type { AwsFunctionCommon } from "./function";
import { serviceTrustPolicy } from "./service-trust";
import type { AwsMedallionLayer } from "./medallion-layer";
import { ECR_AUTH_ACTIONS, ECR_PULL_ACTIONS, KMS_ECR_PULL_ACTIONS, LOGS_WRITE_ACTIONS } from "./perms";
import { policyJson } from "./policy-documents";
import { CONVERTER_CONTAINER } from "./raw-arrival-definition";

/** The image's entry; its bundle folder (with `functions/converter/Dockerfile`) is the build context. */
export const CONVERTER_IMAGE_ENTRY = "converter/task.ts";

/**
 * Where the Fargate converter runs: private subnets that reach ECR (api, dkr), CloudWatch Logs, S3 and
 * DynamoDB through VPC endpoints or NAT. The task never gets a public IP.
 */
export interface ConverterNetwork {
  readonly subnetIds: pulumi.Input<pulumi.Input<string>[]>;
  /** Security groups of the task (with `subnetIds` in the same VPC), allowing HTTPS out to those services. */
  readonly securityGroupIds: pulumi.Input<pulumi.Input<string>[]>;
}

export interface AwsConverterTaskArgs extends AwsFunctionCommon {
  readonly product: string;
  readonly environment: string;
  /** The tables the converter knows (baked into the image as `tables.json`). */
  readonly tables: readonly TableSpec[];
  readonly raw: AwsMedallionLayer;
  readonly bronze: AwsMedallionLayer;
  /** Extra environment of the container (CONTROL_TABLE, BRONZE_BUCKET). */
  readonly environmentVariables: Readonly<Record<string, pulumi.Input<string>>>;
  /**
   * vCPU units (1024 = one vCPU). @default 1024; give 2048 with CONVERTER_WORKERS=2 (the converter's worker
   * threads, functions/lib/convert/workers.ts); 2 vCPU takes 4-16 GB of memory
   * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html#fargate-tasks-size).
   */
  readonly cpu?: number;
  /** MiB of memory. @default 4096 */
  readonly memoryMb?: number;
  /**
   * Private subnets (and security groups) of the task. @default a small VPC of the stack
   * ({@link AwsConverterNetwork}: private subnets, S3/DynamoDB gateway and ECR/Logs interface endpoints)
   */
  readonly network?: ConverterNetwork;
  readonly protect?: boolean;
}

/**
 * The converter as an ECS Fargate task for files too big for Lambda: the same code
 * (`functions/converter/task.ts`) built into an image by `@pulumi/docker-build` at `pulumi up` (BuildKit
 * on the deploying machine, not on preview) and pushed to a KMS-encrypted ECR repository that scans on
 * push; a cluster with Container Insights; a task role that reads raw and writes bronze through the
 * layers' grants; a read-only root file system; logs in a KMS-encrypted group with finite retention.
 */
export class AwsConverterTask extends pulumi.ComponentResource {
  readonly cluster: ecs.Cluster;
  readonly taskDefinition: ecs.TaskDefinition;
  readonly repository: ecr.Repository;
  readonly image: dockerBuild.Image;
  readonly taskRole: iam.Role;
  readonly executionRole: iam.Role;
  /** The task role as a principal, for grants (control table updates). */
  readonly principal: { readonly name: string; readonly role: iam.Role };
  readonly subnetIds: pulumi.Output<string[]>;
  readonly securityGroupIds: pulumi.Output<string[]>;
  /** Always false: the task reaches AWS through the subnets' endpoints or NAT. */
  readonly assignPublicIp = false;
  /** The `function` dimension of the task's metrics (its task family), for alarms on them. */
  readonly metricsScope: string;

  constructor(name: string, args: AwsConverterTaskArgs, opts?: pulumi.ComponentResourceOptions) {
    super("medallion:aws:ConverterTask", name, {}, opts);
    const cpu = args.cpu ?? 1024;
    const memoryMb = args.memoryMb ?? 4096;
    const protect = args.protect ?? false;
    const { context, product, environment } = args;
    const repositoryName = awsResourceName([product, environment, "converter"], 256);
    const clusterName = awsResourceName([product, environment, "ingestion"], 255);
    const family = awsResourceName([product, environment, "converter"], 255);
    this.metricsScope = family;

    const key = new AwsCustomerKey(
      `${name}-images-key`,
      {
        aliasParts: [product, environment, "images"],
        description: `${product} ${environment} container images`,
        context,
        protect,
        tags: args.tags,
      },
      { parent: this },
    );
    this.repository = new ecr.Repository(
      `${name}-repository`,
      {
        name: repositoryName,
        // Tasks run the image by digest, so a moved tag never changes what runs.
        imageTagMutability: "MUTABLE",
        imageScanningConfiguration: { scanOnPush: true },
        encryptionConfigurations: [{ encryptionType: "KMS", kmsKey: key.arn }],
        forceDelete: false,
        tags: { ...args.tags },
      },
      { parent: this, protect, retainOnDelete: protect },
    );
    new ecr.LifecyclePolicy(
      `${name}-repository-lifecycle`,
      {
        repository: this.repository.name,
        policy: JSON.stringify({
          rules: [
            {
              rulePriority: 1,
              description: "keep the 20 most recent images",
              selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: 20 },
              action: { type: "expire" },
            },
          ],
        }),
      },
      { parent: this },
    );
    const auth = getAuthorizationTokenOutput({ registryId: this.repository.registryId }, { parent: this });
    this.image = new dockerBuild.Image(
      `${name}-image`,
      {
        ...imageBuild(CONVERTER_IMAGE_ENTRY),
        platforms: ["linux/amd64"],
        buildArgs: { TABLES_JSON: tablesJson(args.tables) },
        buildOnPreview: false,
        push: true,
        tags: [pulumi.interpolate`${this.repository.repositoryUrl}:latest`],
        registries: [
          {
            address: this.repository.repositoryUrl,
            username: auth.userName,
            password: pulumi.secret(auth.password),
          },
        ],
      },
      { parent: this },
    );

    this.cluster = new ecs.Cluster(
      `${name}-cluster`,
      {
        name: clusterName,
        settings: [{ name: "containerInsights", value: "enabled" }],
        tags: { ...args.tags },
      },
      { parent: this },
    );
    const logGroup = new cloudwatch.LogGroup(
      `${name}-logs`,
      {
        name: `/ecs/${clusterName}/converter`,
        retentionInDays: args.logRetentionDays,
        kmsKeyId: args.logKeyArn,
        tags: { ...args.tags },
      },
      { parent: this },
    );
    this.executionRole = new iam.Role(
      `${name}-execution-role`,
      {
        description: "Pulls the converter image and writes its logs",
        assumeRolePolicy: serviceTrustPolicy("ecs-task-execution", context),
        tags: { ...args.tags },
      },
      { parent: this },
    );
    const executionPolicy = new iam.RolePolicy(
      `${name}-execution-access`,
      {
        role: this.executionRole.name,
        policy: policyJson([
          { Sid: "RegistryLogin", Effect: "Allow", Action: [...ECR_AUTH_ACTIONS], Resource: "*" },
          {
            Sid: "PullConverterImage",
            Effect: "Allow",
            Action: [...ECR_PULL_ACTIONS],
            Resource: this.repository.arn,
          },
          {
            Sid: "DecryptImageThroughEcr",
            Effect: "Allow",
            Action: [...KMS_ECR_PULL_ACTIONS],
            Resource: key.arn,
            Condition: {
              StringEquals: { "kms:ViaService": viaService(context, "ecr") },
            },
          },
          {
            Sid: "WriteTaskLogs",
            Effect: "Allow",
            Action: [...LOGS_WRITE_ACTIONS],
            Resource: pulumi.interpolate`${logGroup.arn}:log-stream:*`,
          },
        ]),
      },
      { parent: this },
    );
    this.taskRole = new iam.Role(
      `${name}-task-role`,
      {
        description: "Runs the converter: reads raw, writes bronze, updates the control record",
        assumeRolePolicy: serviceTrustPolicy("ecs-task", context),
        tags: { ...args.tags },
      },
      { parent: this },
    );
    this.principal = { name: "converter-task", role: this.taskRole };
    args.raw.grantRead(this.principal);
    args.bronze.grantWrite(this.principal);

    this.taskDefinition = new ecs.TaskDefinition(
      `${name}-task`,
      {
        family,
        requiresCompatibilities: ["FARGATE"],
        networkMode: "awsvpc",
        cpu: String(cpu),
        memory: String(memoryMb),
        runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: "X86_64" },
        executionRoleArn: this.executionRole.arn,
        // The root file system is read-only; the converter may spill to /tmp, on the task's ephemeral storage.
        volumes: [{ name: "tmp" }],
        taskRoleArn: this.taskRole.arn,
        containerDefinitions: pulumi.jsonStringify([
          {
            name: CONVERTER_CONTAINER,
            image: this.image.ref,
            essential: true,
            readonlyRootFilesystem: true,
            mountPoints: [{ sourceVolume: "tmp", containerPath: "/tmp", readOnly: false }],
            environment: Object.entries({ ...args.environmentVariables, METRICS_SCOPE: family })
              .sort(([a], [b]) => a.localeCompare(b))
              .map(([n, value]) => ({ name: n, value })),
            logConfiguration: {
              logDriver: "awslogs",
              options: {
                "awslogs-group": logGroup.name,
                "awslogs-region": context.region,
                "awslogs-stream-prefix": "converter",
              },
            },
          },
        ]),
        tags: { ...args.tags },
      },
      { parent: this, dependsOn: [executionPolicy] },
    );

    if (args.network) {
      this.subnetIds = pulumi.output(args.network.subnetIds);
      this.securityGroupIds = pulumi.output(args.network.securityGroupIds);
    } else {
      const network = new AwsConverterNetwork(
        `${name}-network`,
        { context, tags: args.tags },
        { parent: this },
      );
      this.subnetIds = network.subnetIds;
      this.securityGroupIds = pulumi.output([network.taskSecurityGroup.id]);
    }
    this.registerOutputs({ clusterArn: this.cluster.arn, taskDefinitionArn: this.taskDefinition.arn });
  }
}
