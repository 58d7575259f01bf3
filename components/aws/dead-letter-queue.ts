import * as cloudwatch from "@pulumi/aws/cloudwatch";
import * as iam from "@pulumi/aws/iam";
import * as sqs from "@pulumi/aws/sqs";
import * as pulumi from "@pulumi/pulumi";
import { alertAlarm } from "./alarms";
import { viaService, type ServiceEndpoints } from "./context";
import type { AwsPrincipal } from "./medallion-layer";
import { KMS_SQS_SEND_ACTIONS, SQS_SEND_ACTIONS } from "./perms";
import { denyInsecureTransport, policyJson, type Statement } from "./policy-documents";

/** Fourteen days, SQS's maximum: time to find and redrive what failed. */
const DLQ_RETENTION_SECONDS = 1_209_600;

export interface AwsDeadLetterQueueArgs {
  /** Physical queue name (from `awsResourceName(..., 80)`). */
  readonly queueName: string;
  /** Customer key the messages are encrypted with. */
  readonly keyArn: pulumi.Input<string>;
  /** A service (e.g. `events.amazonaws.com`) that sends here on behalf of the listed source ARNs. @default none */
  readonly serviceSender?: { readonly service: string; readonly sourceArns: readonly pulumi.Input<string>[] };
  /** The alert topic the depth alarm notifies. */
  readonly alertTopicArn: pulumi.Input<string>;
  /** What failed, for the alarm's description. */
  readonly purpose: string;
  /** Region and DNS suffix, for the `kms:ViaService` condition of send grants. */
  readonly via: ServiceEndpoints;
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * Where a failure path ends: an SQS queue encrypted with a customer key, TLS-only, holding messages for
 * fourteen days, with an alarm as soon as anything arrives (depth > 0) that notifies the alert topic.
 */
export class AwsDeadLetterQueue extends pulumi.ComponentResource {
  readonly queue: sqs.Queue;
  readonly arn: pulumi.Output<string>;
  readonly depthAlarm: cloudwatch.MetricAlarm;

  private readonly logicalName: string;
  private readonly keyArn: pulumi.Input<string>;
  private readonly via: ServiceEndpoints;

  constructor(name: string, args: AwsDeadLetterQueueArgs, opts?: pulumi.ComponentResourceOptions) {
    super("medallion:aws:DeadLetterQueue", name, {}, opts);
    this.logicalName = name;
    this.keyArn = args.keyArn;
    this.via = args.via;
    this.queue = new sqs.Queue(
      name,
      {
        name: args.queueName,
        kmsMasterKeyId: args.keyArn,
        kmsDataKeyReusePeriodSeconds: 300,
        messageRetentionSeconds: DLQ_RETENTION_SECONDS,
        tags: { ...args.tags },
      },
      { parent: this },
    );
    const statements: Statement[] = [denyInsecureTransport("sqs:*", [this.queue.arn])];
    if (args.serviceSender) {
      statements.push({
        Sid: "AllowServiceSender",
        Effect: "Allow",
        Principal: { Service: args.serviceSender.service },
        Action: [...SQS_SEND_ACTIONS],
        Resource: this.queue.arn,
        Condition: { ArnEquals: { "aws:SourceArn": [...args.serviceSender.sourceArns] } },
      });
    }
    new sqs.QueuePolicy(
      `${name}-policy`,
      { queueUrl: this.queue.url, policy: policyJson(statements) },
      { parent: this },
    );
    this.depthAlarm = queueDepthAlarm(
      `${name}-depth`,
      this.queue,
      args.alertTopicArn,
      args.purpose,
      args.tags,
      this,
    );
    this.arn = this.queue.arn;
    this.registerOutputs({ arn: this.arn });
  }

  /** Lets the role send failed items here (scheduler and rule targets send with their own role). */
  grantSend(principal: AwsPrincipal): iam.RolePolicy {
    return new iam.RolePolicy(
      `${this.logicalName}-send-${principal.name}`,
      {
        role: principal.role.name,
        policy: policyJson([
          {
            Sid: "SendToDeadLetterQueue",
            Effect: "Allow",
            Action: [...SQS_SEND_ACTIONS],
            Resource: this.arn,
          },
          {
            Sid: "EncryptThroughSqs",
            Effect: "Allow",
            Action: [...KMS_SQS_SEND_ACTIONS],
            Resource: this.keyArn,
            Condition: {
              StringEquals: { "kms:ViaService": viaService(this.via, "sqs") },
            },
          },
        ]),
      },
      { parent: this },
    );
  }
}

/** An alarm as soon as a queue holds a visible message, notifying the alert topic. */
export function queueDepthAlarm(
  name: string,
  queue: sqs.Queue,
  alertTopicArn: pulumi.Input<string>,
  purpose: string,
  tags: Readonly<Record<string, string>>,
  parent: pulumi.Resource,
): cloudwatch.MetricAlarm {
  return alertAlarm(
    name,
    {
      description: `Messages are waiting in a dead-letter queue: ${purpose}`,
      namespace: "AWS/SQS",
      metricName: "ApproximateNumberOfMessagesVisible",
      dimensions: { QueueName: queue.name },
      statistic: "Maximum",
      period: 60,
      alertTopicArn,
      tags,
    },
    parent,
  );
}
