import * as iam from "@pulumi/aws/iam";
import * as secretsmanager from "@pulumi/aws/secretsmanager";
import * as pulumi from "@pulumi/pulumi";
import type { SecretStore } from "../contracts";
import { secretPath } from "../naming";
import type { SecretSpec } from "../spec";
import { awsContext, viaService, type AwsContext } from "./context";
import { AwsCustomerKey } from "./customer-key";
import type { AwsPrincipal } from "./medallion-layer";
import { KMS_DECRYPT_ACTIONS, SECRET_READ_ACTIONS } from "./perms";
import { policyJson } from "./policy-documents";

export interface AwsSecretStoreArgs {
  readonly product: string;
  readonly environment: string;
  /** The secrets to hold (the spec's `secrets`). */
  readonly secrets: readonly SecretSpec[];
  /**
   * Values by secret name, from Pulumi secret config. A secret without a value gets no version: its
   * value is then set outside Pulumi. Every value is wrapped in `pulumi.secret`.
   */
  readonly values?: Readonly<Record<string, pulumi.Input<string>>>;
  /** Days a deleted secret can be restored (7-30). @default 30 */
  readonly recoveryWindowInDays?: number;
  /**
   * Rotation Lambda ARNs by secret name, for credentials a rotator exists for (every 30 days). Secrets
   * without one are third-party credentials and are tagged `rotation=external`. @default none
   */
  readonly rotators?: Readonly<Record<string, pulumi.Input<string>>>;
  /** Keep the key and secrets on `pulumi destroy`. @default false */
  readonly protect?: boolean;
  readonly context?: AwsContext;
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * Secrets Manager secrets for the spec's source credentials, under one customer-managed key.
 * Values only ever come from Pulumi secret config and stay secret in state, plans and logs.
 */
export class AwsSecretStore extends pulumi.ComponentResource implements SecretStore<AwsPrincipal> {
  readonly key: AwsCustomerKey;
  readonly secrets: Readonly<Record<string, secretsmanager.Secret>>;
  readonly references: Readonly<Record<string, pulumi.Output<string>>>;

  private readonly logicalName: string;
  private readonly context: AwsContext;

  constructor(name: string, args: AwsSecretStoreArgs, opts?: pulumi.ComponentResourceOptions) {
    super("medallion:aws:SecretStore", name, {}, opts);
    const recoveryWindowInDays = args.recoveryWindowInDays ?? 30;
    const protect = args.protect ?? false;
    const values = args.values ?? {};
    const rotators = args.rotators ?? {};
    const problems = validateSecretStoreArgs(args, recoveryWindowInDays);
    if (problems.length > 0) {
      throw new Error(
        `AwsSecretStore ${name} has invalid args:\n${problems.map((p) => `  - ${p}`).join("\n")}`,
      );
    }
    this.logicalName = name;
    this.context = args.context ?? awsContext(this);

    this.key = new AwsCustomerKey(
      `${name}-key`,
      {
        aliasParts: [args.product, args.environment, "secrets"],
        description: `${args.product} ${args.environment} source credentials`,
        context: this.context,
        protect,
        tags: args.tags,
      },
      { parent: this },
    );
    const secrets: Record<string, secretsmanager.Secret> = {};
    for (const spec of args.secrets) {
      const secret = new secretsmanager.Secret(
        `${name}-${spec.name}`,
        {
          name: secretPath([args.product, args.environment, spec.name]),
          description:
            spec.description ?? `${spec.name} credential for ${args.product} (${args.environment})`,
          kmsKeyId: this.key.arn,
          recoveryWindowInDays,
          tags: { ...args.tags, ...(rotators[spec.name] ? {} : { rotation: "external" }) },
        },
        { parent: this, protect, retainOnDelete: protect },
      );
      const rotator = rotators[spec.name];
      if (rotator !== undefined) {
        new secretsmanager.SecretRotation(
          `${name}-${spec.name}-rotation`,
          { secretId: secret.id, rotationLambdaArn: rotator, rotationRules: { automaticallyAfterDays: 30 } },
          { parent: this },
        );
      }
      const value = values[spec.name];
      if (value !== undefined) {
        new secretsmanager.SecretVersion(
          `${name}-${spec.name}-value`,
          { secretId: secret.id, secretString: pulumi.secret(value) },
          { parent: this },
        );
      }
      secrets[spec.name] = secret;
    }
    this.secrets = secrets;
    this.references = Object.fromEntries(Object.entries(secrets).map(([k, s]) => [k, s.arn]));
    this.registerOutputs({ references: this.references });
  }

  /** Lets the role read the named secrets (all when omitted) and decrypt them through Secrets Manager. */
  grantRead(principal: AwsPrincipal, names?: readonly string[]): iam.RolePolicy {
    const selected = names ?? Object.keys(this.secrets);
    const unknown = selected.filter((n) => !(n in this.secrets));
    if (unknown.length > 0) {
      throw new Error(
        `AwsSecretStore ${this.logicalName}: grantRead names unknown secrets ${unknown.join(", ")}`,
      );
    }
    return new iam.RolePolicy(
      `${this.logicalName}-read-${principal.name}`,
      {
        role: principal.role.name,
        policy: policyJson([
          {
            Sid: "ReadSecrets",
            Effect: "Allow",
            Action: [...SECRET_READ_ACTIONS],
            Resource: selected.map((n) => this.secrets[n].arn),
          },
          {
            Sid: "DecryptThroughSecretsManager",
            Effect: "Allow",
            Action: [...KMS_DECRYPT_ACTIONS],
            Resource: this.key.arn,
            Condition: {
              StringEquals: {
                "kms:ViaService": viaService(this.context, "secretsmanager"),
              },
            },
          },
        ]),
      },
      { parent: this },
    );
  }
}

function validateSecretStoreArgs(args: AwsSecretStoreArgs, recoveryWindowInDays: number): string[] {
  const problems: string[] = [];
  if (recoveryWindowInDays < 7 || recoveryWindowInDays > 30) {
    problems.push(`recoveryWindowInDays: must be 7-30, got ${recoveryWindowInDays}`);
  }
  const names = new Set(args.secrets.map((s) => s.name));
  for (const valueName of Object.keys(args.values ?? {})) {
    if (!names.has(valueName)) problems.push(`values.${valueName}: no secret of that name in secrets`);
  }
  for (const rotatorName of Object.keys(args.rotators ?? {})) {
    if (!names.has(rotatorName)) problems.push(`rotators.${rotatorName}: no secret of that name in secrets`);
  }
  return problems;
}
