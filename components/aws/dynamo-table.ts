import * as dynamodb from "@pulumi/aws/dynamodb";
import * as iam from "@pulumi/aws/iam";
import * as pulumi from "@pulumi/pulumi";
import { viaService, type AwsContext } from "./context";
import type { AwsCustomerKey } from "./customer-key";
import type { AwsPrincipal } from "./medallion-layer";
import { KMS_DYNAMODB_ACTIONS } from "./perms";
import { policyJson } from "./policy-documents";

export interface AwsDynamoTableArgs {
  /** Physical table name (from `awsResourceName(..., 255)`). */
  readonly tableName: string;
  /** The partition key attribute (a string). */
  readonly hashKey: string;
  /** Attribute holding an epoch-seconds expiry; DynamoDB deletes expired items. @default no TTL */
  readonly ttlAttribute?: string;
  /** Customer key the table is encrypted with (shared by the ingestion's tables). */
  readonly key: AwsCustomerKey;
  /** Keep the table on `pulumi destroy`, refuse its deletion, and turn on deletion protection. @default false */
  readonly protect?: boolean;
  readonly context: AwsContext;
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * A hardened DynamoDB table: on-demand, encrypted with a customer-managed key, point-in-time recovery
 * on, optional TTL; grants name exactly the item actions a principal needs and the key only through
 * DynamoDB.
 */
export class AwsDynamoTable extends pulumi.ComponentResource {
  readonly table: dynamodb.Table;
  readonly arn: pulumi.Output<string>;
  readonly tableName: pulumi.Output<string>;
  readonly hashKey: string;

  private readonly logicalName: string;
  private readonly keyArn: pulumi.Output<string>;
  private readonly context: AwsContext;

  constructor(name: string, args: AwsDynamoTableArgs, opts?: pulumi.ComponentResourceOptions) {
    super("medallion:aws:DynamoTable", name, {}, opts);
    const protect = args.protect ?? false;
    if (!/^[A-Za-z0-9_.-]{3,255}$/.test(args.tableName)) {
      throw new Error(
        `AwsDynamoTable ${name} has invalid args:\n  - tableName: 3-255 letters, digits, _ . or -, got "${args.tableName}"`,
      );
    }
    this.logicalName = name;
    this.hashKey = args.hashKey;
    this.keyArn = args.key.arn;
    this.context = args.context;

    this.table = new dynamodb.Table(
      name,
      {
        name: args.tableName,
        billingMode: "PAY_PER_REQUEST",
        hashKey: args.hashKey,
        attributes: [{ name: args.hashKey, type: "S" }],
        serverSideEncryption: { enabled: true, kmsKeyArn: args.key.arn },
        pointInTimeRecovery: { enabled: true },
        ...(args.ttlAttribute ? { ttl: { enabled: true, attributeName: args.ttlAttribute } } : {}),
        deletionProtectionEnabled: protect,
        tags: { ...args.tags },
      },
      { parent: this, protect, retainOnDelete: protect },
    );
    this.arn = this.table.arn;
    this.tableName = this.table.name;
    this.registerOutputs({ arn: this.arn, tableName: this.tableName });
  }

  /** Lets the role run exactly `actions` on this table's items, and use its key through DynamoDB. */
  grant(principal: AwsPrincipal, actions: readonly string[]): iam.RolePolicy {
    return new iam.RolePolicy(
      `${this.logicalName}-items-${principal.name}`,
      {
        role: principal.role.name,
        policy: policyJson([
          { Sid: "TableItems", Effect: "Allow", Action: [...actions], Resource: this.arn },
          {
            Sid: "KeyThroughDynamoDB",
            Effect: "Allow",
            Action: [...KMS_DYNAMODB_ACTIONS],
            Resource: this.keyArn,
            Condition: {
              StringEquals: { "kms:ViaService": viaService(this.context, "dynamodb") },
            },
          },
        ]),
      },
      { parent: this },
    );
  }
}
