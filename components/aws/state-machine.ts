import * as cloudwatch from "@pulumi/aws/cloudwatch";
import * as iam from "@pulumi/aws/iam";
import * as sfn from "@pulumi/aws/sfn";
import * as pulumi from "@pulumi/pulumi";
import { alertAlarm } from "./alarms";
import type { AwsContext } from "./context";
import type { AwsPrincipal } from "./medallion-layer";
import { LOGS_DELIVERY_ACTIONS, STATES_START_ACTIONS, XRAY_WRITE_ACTIONS } from "./perms";
import { policyJson, type Statement } from "./policy-documents";
import { serviceTrustPolicy } from "./service-trust";

/** One Standard state machine of the component. */
export interface AwsStateMachineDefinition {
  /** Physical name (from naming.ts). */
  readonly name: pulumi.Input<string>;
  /** The ASL document as JSON. */
  readonly definition: pulumi.Input<string>;
}

/** Where the children lived before this component existed, so a stack that has them keeps them. */
export interface AwsStateMachineFormerly {
  /** Their former parent (the component that used to create them). */
  readonly parent: pulumi.Resource;
  readonly logs: string;
  readonly role: string;
  readonly rolePolicy: string;
  /** By machine key; each machine's alarms were `<name>-failed` and `<name>-timed-out`. */
  readonly machines: Readonly<Record<string, string>>;
}

export interface AwsStateMachineArgs {
  readonly context: AwsContext;
  /** The machines, by a short key used in their logical names; they share the role and the log group. */
  readonly machines: Readonly<Record<string, AwsStateMachineDefinition>>;
  /** What the machines do besides logging and tracing (which this component grants). */
  readonly statements: readonly Statement[];
  /**
   * Grants other components make to the role (an owner's own grant method), created before the machines:
   * CreateStateMachine checks the role, so the machines wait for them.
   * @default none
   */
  readonly grants?: (principal: AwsPrincipal) => readonly pulumi.Resource[];
  /** Physical role name. @default a name Pulumi generates from the logical one */
  readonly roleName?: string;
  readonly roleDescription: pulumi.Input<string>;
  /** Name of the log group every machine logs ALL events to (`/aws/vendedlogs/states/...`). */
  readonly logGroupName: pulumi.Input<string>;
  /** Customer key of the log group (its policy must admit CloudWatch Logs). */
  readonly logKeyArn: pulumi.Input<string>;
  readonly logRetentionDays: number;
  /** Failed and timed-out executions alarm to it. */
  readonly alertTopicArn: pulumi.Input<string>;
  readonly tags: Readonly<Record<string, string>>;
  /** @default none: the children are new */
  readonly formerly?: AwsStateMachineFormerly;
}

/**
 * One or more Standard state machines run by one role, logging ALL events with execution data to one
 * encrypted log group, traced by X-Ray, each with an alarm on failed and on timed-out executions (a Catch
 * sees neither a timeout nor a failure outside a Task). The role trusts Step Functions as it documents
 * (`service-trust.ts`) and may deliver logs and traces; the machines wait for every policy of the role.
 */
export class AwsStateMachine extends pulumi.ComponentResource {
  readonly role: iam.Role;
  readonly principal: AwsPrincipal;
  readonly logGroup: cloudwatch.LogGroup;
  readonly machines: Readonly<Record<string, sfn.StateMachine>>;

  constructor(name: string, args: AwsStateMachineArgs, opts?: pulumi.ComponentResourceOptions) {
    super("medallion:aws:StateMachine", name, {}, opts);
    const keys = Object.keys(args.machines);
    validateStateMachineArgs(name, args);
    const tags = { ...args.tags };
    const was = (child: string | undefined) =>
      args.formerly && child ? { aliases: [{ name: child, parent: args.formerly.parent }] } : {};

    this.logGroup = new cloudwatch.LogGroup(
      `${name}-logs`,
      { name: args.logGroupName, retentionInDays: args.logRetentionDays, kmsKeyId: args.logKeyArn, tags },
      { parent: this, ...was(args.formerly?.logs) },
    );
    this.role = new iam.Role(
      `${name}-role`,
      {
        ...(args.roleName ? { name: args.roleName } : {}),
        description: args.roleDescription,
        assumeRolePolicy: serviceTrustPolicy("step-functions", args.context),
        tags,
      },
      { parent: this, ...was(args.formerly?.role) },
    );
    this.principal = { name, role: this.role };
    const rolePolicy = new iam.RolePolicy(
      `${name}-role-policy`,
      {
        role: this.role.name,
        policy: policyJson([
          ...args.statements,
          // Log delivery and X-Ray actions support no resource ARNs (AWS documents them on *).
          { Sid: "LogDelivery", Effect: "Allow", Action: [...LOGS_DELIVERY_ACTIONS], Resource: "*" },
          { Sid: "Tracing", Effect: "Allow", Action: [...XRAY_WRITE_ACTIONS], Resource: "*" },
        ]),
      },
      { parent: this, ...was(args.formerly?.rolePolicy) },
    );
    // CreateStateMachine checks that the role may deliver logs, so the machines wait for its policies
    // (https://docs.aws.amazon.com/step-functions/latest/dg/cw-logs.html#cloudwatch-iam-policy).
    const policies = [...(args.grants?.(this.principal) ?? []), rolePolicy];

    const machines: Record<string, sfn.StateMachine> = {};
    for (const key of keys) {
      const { name: machineName, definition } = args.machines[key];
      const former = args.formerly?.machines[key];
      const machine = new sfn.StateMachine(
        `${name}-${key}`,
        {
          name: machineName,
          type: "STANDARD",
          roleArn: this.role.arn,
          definition,
          loggingConfiguration: {
            level: "ALL",
            includeExecutionData: true,
            logDestination: pulumi.interpolate`${this.logGroup.arn}:*`,
          },
          tracingConfiguration: { enabled: true },
          tags,
        },
        { parent: this, dependsOn: policies, ...was(former) },
      );
      // https://docs.aws.amazon.com/step-functions/latest/dg/procedure-cw-metrics.html (execution metrics)
      for (const [suffix, metricName] of [
        ["failed", "ExecutionsFailed"],
        ["timed-out", "ExecutionsTimedOut"],
      ] as const) {
        alertAlarm(
          `${name}-${key}-${suffix}`,
          {
            description: pulumi.interpolate`${machineName}: executions ${suffix.replace("-", " ")}`,
            namespace: "AWS/States",
            metricName,
            dimensions: { StateMachineArn: machine.arn },
            alertTopicArn: args.alertTopicArn,
            tags,
          },
          this,
          was(former && `${former}-${suffix}`),
        );
      }
      machines[key] = machine;
    }
    this.machines = machines;
    this.registerOutputs({
      roleArn: this.role.arn,
      stateMachineArns: Object.fromEntries(keys.map((k) => [k, machines[k].arn])),
    });
  }

  /** The machine of `key`. */
  machine(key: string): sfn.StateMachine {
    const machine = this.machines[key];
    if (!machine)
      throw new Error(`no state machine "${key}" (have ${Object.keys(this.machines).join(", ")})`);
    return machine;
  }

  /** A statement letting its holder start executions of the machines named (@default every machine). */
  startStatement(sid: string, keys: readonly string[] = Object.keys(this.machines)): Statement {
    const arns = keys.map((k) => this.machine(k).arn);
    return {
      Sid: sid,
      Effect: "Allow",
      Action: [...STATES_START_ACTIONS],
      Resource: arns.length === 1 ? arns[0] : arns,
    };
  }
}

/** Collects every problem with the args and throws one error naming the component and each field. */
export function validateStateMachineArgs(name: string, args: AwsStateMachineArgs): void {
  const problems: string[] = [];
  const keys = Object.keys(args.machines);
  if (keys.length === 0) problems.push("machines: at least one state machine");
  for (const key of keys.filter((k) => !/^[a-z0-9]+(-[a-z0-9]+)*$/.test(k)))
    problems.push(`machines.${key}: keys are lower-case words joined by dashes (they name resources)`);
  for (const key of Object.keys(args.formerly?.machines ?? {}).filter((k) => !keys.includes(k)))
    problems.push(`formerly.machines.${key}: no such machine`);
  if (!Number.isInteger(args.logRetentionDays) || args.logRetentionDays < 1)
    problems.push(`logRetentionDays: a whole number of days, got ${args.logRetentionDays}`);
  if (problems.length > 0) {
    throw new Error(
      `AwsStateMachine ${name} has invalid args:\n${problems.map((p) => `  - ${p}`).join("\n")}`,
    );
  }
}
