import * as pulumi from "@pulumi/pulumi";
import { viaService, type AwsContext } from "./context";
import {
  ECS_RUN_TASK_ACTIONS,
  ECS_TRACK_TASK_ACTIONS,
  EVENTS_SYNC_RULE_ACTIONS,
  IAM_PASS_ROLE_ACTIONS,
  KMS_SNS_PUBLISH_ACTIONS,
  LAMBDA_INVOKE_ACTIONS,
  SNS_PUBLISH_ACTIONS,
} from "./perms";
import type { Statement } from "./policy-documents";

export interface WorkflowRoleTargets {
  readonly converterFunctionArn: pulumi.Input<string>;
  readonly clusterArn: pulumi.Input<string>;
  readonly clusterName: pulumi.Input<string>;
  /** Task definition ARN without the revision (any revision of the family may run). */
  readonly taskDefinitionArn: pulumi.Input<string>;
  readonly passRoleArns: readonly pulumi.Input<string>[];
  readonly alertTopicArn: pulumi.Input<string>;
  readonly alertKeyArn: pulumi.Input<string>;
  readonly context: AwsContext;
}

/**
 * What the raw → bronze workflow may do: invoke the converter, run and track the converter task on its
 * cluster (with the managed rule `.sync` needs), pass exactly the task's two roles to ECS, publish
 * failures to the alert topic (`AwsStateMachine` adds its logs and traces). DynamoDB access comes from the
 * control table's own grant.
 */
export function workflowRoleStatements(t: WorkflowRoleTargets): Statement[] {
  const { partition, region, accountId } = t.context;
  return [
    {
      Sid: "InvokeConverter",
      Effect: "Allow",
      Action: [...LAMBDA_INVOKE_ACTIONS],
      Resource: [t.converterFunctionArn, pulumi.interpolate`${t.converterFunctionArn}:*`],
    },
    {
      Sid: "RunConverterTask",
      Effect: "Allow",
      Action: [...ECS_RUN_TASK_ACTIONS],
      Resource: pulumi.interpolate`${t.taskDefinitionArn}:*`,
      Condition: { ArnEquals: { "ecs:cluster": t.clusterArn } },
    },
    {
      Sid: "TrackConverterTask",
      Effect: "Allow",
      Action: [...ECS_TRACK_TASK_ACTIONS],
      Resource: pulumi.interpolate`arn:${partition}:ecs:${region}:${accountId}:task/${t.clusterName}/*`,
    },
    {
      Sid: "SyncTaskRule",
      Effect: "Allow",
      Action: [...EVENTS_SYNC_RULE_ACTIONS],
      Resource: pulumi.interpolate`arn:${partition}:events:${region}:${accountId}:rule/StepFunctionsGetEventsForECSTaskRule`,
    },
    {
      Sid: "PassConverterRoles",
      Effect: "Allow",
      Action: [...IAM_PASS_ROLE_ACTIONS],
      Resource: [...t.passRoleArns],
      Condition: { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } },
    },
    { Sid: "PublishFailures", Effect: "Allow", Action: [...SNS_PUBLISH_ACTIONS], Resource: t.alertTopicArn },
    {
      Sid: "EncryptAlertsThroughSns",
      Effect: "Allow",
      Action: [...KMS_SNS_PUBLISH_ACTIONS],
      Resource: t.alertKeyArn,
      Condition: { StringEquals: { "kms:ViaService": viaService(t.context, "sns") } },
    },
  ];
}
