import * as sns from "@pulumi/aws/sns";
import * as pulumi from "@pulumi/pulumi";
import type { Monitoring } from "../contracts";
import { awsContext, type AwsContext } from "./context";
import { AwsCustomerKey } from "./customer-key";
import { KMS_SERVICE_PUBLISH_ACTIONS } from "./perms";
import { denyInsecureTransport, policyJson } from "./policy-documents";

/** Services that publish alerts: CloudWatch alarms and EventBridge rules (failed workflows, jobs). */
const PUBLISHERS = ["cloudwatch.amazonaws.com", "events.amazonaws.com"] as const;
/** AWS Budgets, which notifies the topic at the stack budget's thresholds (components/aws/budget.ts). */
const BUDGETS_PRINCIPAL = "budgets.amazonaws.com";

export interface AwsAlertTopicArgs {
  readonly product: string;
  readonly environment: string;
  /** Addresses subscribed by e-mail (each must confirm the subscription). */
  readonly emails: readonly string[];
  /** HTTPS endpoints subscribed to the topic. @default none */
  readonly webhooks?: readonly string[];
  readonly context?: AwsContext;
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * The lakehouse's single alert channel: an SNS topic encrypted with a customer-managed key that
 * CloudWatch and EventBridge may use, TLS-only, with the spec's e-mail and webhook subscriptions.
 */
export class AwsAlertTopic extends pulumi.ComponentResource implements Monitoring {
  readonly topic: sns.Topic;
  readonly key: AwsCustomerKey;
  readonly alertChannel: pulumi.Output<string>;

  constructor(name: string, args: AwsAlertTopicArgs, opts?: pulumi.ComponentResourceOptions) {
    super("medallion:aws:AlertTopic", name, {}, opts);
    const webhooks = args.webhooks ?? [];
    if (args.emails.length + webhooks.length === 0) {
      throw new Error(
        `AwsAlertTopic ${name}: at least one e-mail or webhook is required, or alerts reach nobody`,
      );
    }
    const context = args.context ?? awsContext(this);

    this.key = new AwsCustomerKey(
      `${name}-key`,
      {
        aliasParts: [args.product, args.environment, "alerts"],
        description: `${args.product} ${args.environment} alert topic`,
        context,
        servicePrincipals: ["cloudwatch.amazonaws.com"],
        extraStatements: [
          // EventBridge's calls to the key (made through SNS) carry no aws:SourceAccount, so a statement
          // conditioned on it drops every EventBridge alert silently; the topic policy below keeps
          // publishing to this account's rules, and SNS binds each data key to this topic.
          {
            Sid: "AllowEventBridgeThroughSns",
            Effect: "Allow",
            Principal: { Service: "events.amazonaws.com" },
            Action: [...KMS_SERVICE_PUBLISH_ACTIONS],
            Resource: "*",
          },
          // Budget alerts: no document says Budgets' calls through SNS carry aws:SourceAccount, so like
          // EventBridge the key does not require it; the topic policy keeps it to this account's budgets.
          {
            Sid: "AllowBudgetsThroughSns",
            Effect: "Allow",
            Principal: { Service: BUDGETS_PRINCIPAL },
            Action: [...KMS_SERVICE_PUBLISH_ACTIONS],
            Resource: "*",
          },
        ],
        tags: args.tags,
      },
      { parent: this },
    );
    this.topic = new sns.Topic(
      name,
      {
        name: `${args.product}-${args.environment}-alerts`
          .toLowerCase()
          .replace(/[^a-z0-9_-]+/g, "-")
          .slice(0, 256),
        kmsMasterKeyId: this.key.arn,
        tags: { ...args.tags },
      },
      { parent: this },
    );
    new sns.TopicPolicy(
      `${name}-policy`,
      {
        arn: this.topic.arn,
        policy: policyJson([
          denyInsecureTransport("sns:Publish", [this.topic.arn]),
          {
            Sid: "AllowAlertPublishers",
            Effect: "Allow",
            Principal: { Service: [...PUBLISHERS] },
            Action: "sns:Publish",
            Resource: this.topic.arn,
            Condition: { StringEquals: { "aws:SourceAccount": context.accountId } },
          },
          // The statement the Budgets guide gives (https://docs.aws.amazon.com/cost-management/latest/userguide/budgets-sns-policy.html).
          {
            Sid: "AllowBudgetNotifications",
            Effect: "Allow",
            Principal: { Service: BUDGETS_PRINCIPAL },
            Action: "sns:Publish",
            Resource: this.topic.arn,
            Condition: {
              StringEquals: { "aws:SourceAccount": context.accountId },
              ArnLike: {
                "aws:SourceArn": pulumi.interpolate`arn:${context.partition}:budgets::${context.accountId}:*`,
              },
            },
          },
        ]),
      },
      { parent: this },
    );
    // Logical names derive from the address, so reordering the list replaces nothing.
    args.emails.forEach((email) => {
      new sns.TopicSubscription(
        `${name}-email-${slug(email)}`,
        { topic: this.topic.arn, protocol: "email", endpoint: email },
        { parent: this },
      );
    });
    webhooks.forEach((url) => {
      new sns.TopicSubscription(
        `${name}-webhook-${slug(url.replace(/^https:\/\//, ""))}`,
        { topic: this.topic.arn, protocol: "https", endpoint: url },
        { parent: this },
      );
    });
    this.alertChannel = this.topic.arn;
    this.registerOutputs({ alertChannel: this.alertChannel });
  }
}

function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
}
