import type { RoleAssignment } from "@pulumi/azure-native/authorization/roleAssignment";
import { Secret } from "@pulumi/azure-native/keyvault/secret";
import { Vault } from "@pulumi/azure-native/keyvault/vault";
import type { Provider } from "@pulumi/databricks/provider";
import { SecretScope } from "@pulumi/databricks/secretScope";
import { SecretAcl } from "@pulumi/databricks/secretAcl";
import * as pulumi from "@pulumi/pulumi";
import { randomBytes } from "node:crypto";
import type { SecretStore } from "../contracts";
import { keyVaultName, keyVaultSecretName } from "../naming";
import type { SecretSpec } from "../spec";
import type { AzurePrincipal } from "./principal";
import { afterPropagation, assignRole } from "./role-assignment";

/** A secret whose value the stack generates once (an HMAC key), never typed in or shown. */
export interface GeneratedSecretSpec {
  readonly name: string;
  readonly description: string;
  /** Random bytes of the value (base64 in the vault). @default 32 */
  readonly bytes?: number;
}

export interface AzureSecretStoreArgs {
  readonly product: string;
  readonly environment: string;
  readonly resourceGroupName: pulumi.Input<string>;
  readonly location: pulumi.Input<string>;
  readonly tenantId: pulumi.Input<string>;
  readonly subscriptionId: pulumi.Input<string>;
  /** The secrets to hold (the spec's `secrets`). */
  readonly secrets: readonly SecretSpec[];
  /**
   * Secrets generated at their first `pulumi up` and never rotated by a later one (the value is a Pulumi
   * secret, encrypted in state; later runs ignore the value). @default none
   */
  readonly generated?: readonly GeneratedSecretSpec[];
  /** Values by secret name, from Pulumi secret config; each is wrapped in `pulumi.secret`. @default none */
  readonly values?: Readonly<Record<string, pulumi.Input<string>>>;
  /** Days a deleted vault or secret can be recovered (7-90). @default 90 */
  readonly softDeleteDays?: number;
  /**
   * Purge protection: deleted secrets cannot be purged before `softDeleteDays`. Turning it off is only
   * allowed when `protect` is false (a development environment). @default true
   */
  readonly purgeProtection?: boolean;
  /** Subnets (with a Microsoft.KeyVault service endpoint) allowed through the firewall. @default none */
  readonly allowedSubnetIds?: readonly pulumi.Input<string>[];
  /**
   * A Key Vault-backed Databricks secret scope over this vault: the workspace provider and the object ID
   * of the AzureDatabricks application in this tenant, which reads secrets for the scope. @default no scope
   */
  readonly databricksScope?: {
    readonly provider: Provider;
    readonly azureDatabricksObjectId: pulumi.Input<string>;
    /** Application IDs of the Databricks principals that may READ the scope (the job's run-as). @default none */
    readonly readers?: readonly pulumi.Input<string>[];
  };
  /** Keep the vault and secrets on `pulumi destroy`. @default false */
  readonly protect?: boolean;
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * Key Vault in RBAC mode (no access policies: every reader is a role assignment) with soft delete,
 * purge protection and a default-deny firewall that lets trusted Azure services (Databricks) and named
 * subnets in; it holds the spec's source credentials, values only from Pulumi secret config. Optionally
 * exposes the vault to Databricks as a Key Vault-backed secret scope.
 */
export class AzureSecretStore extends pulumi.ComponentResource implements SecretStore<AzurePrincipal> {
  readonly vault: Vault;
  readonly secrets: Readonly<Record<string, Secret>>;
  readonly scope?: SecretScope;
  readonly references: Readonly<Record<string, pulumi.Output<string>>>;
  readonly vaultId: pulumi.Output<string>;
  readonly vaultUri: pulumi.Output<string>;
  /** Name of the Databricks secret scope, when there is one. */
  readonly scopeName?: pulumi.Output<string>;

  private readonly logicalName: string;
  private readonly subscriptionId: pulumi.Input<string>;

  constructor(name: string, args: AzureSecretStoreArgs, opts?: pulumi.ComponentResourceOptions) {
    super("medallion:azure:SecretStore", name, {}, opts);
    const softDeleteDays = args.softDeleteDays ?? 90;
    const purgeProtection = args.purgeProtection ?? true;
    const protect = args.protect ?? false;
    const values = args.values ?? {};
    validateSecretStoreArgs(name, args, softDeleteDays, purgeProtection);
    this.logicalName = name;
    this.subscriptionId = args.subscriptionId;

    this.vault = new Vault(
      name,
      {
        vaultName: keyVaultName([args.product, args.environment, "kv"]),
        resourceGroupName: args.resourceGroupName,
        location: args.location,
        properties: {
          tenantId: args.tenantId,
          sku: { family: "A", name: "standard" },
          enableRbacAuthorization: true,
          enableSoftDelete: true,
          softDeleteRetentionInDays: softDeleteDays,
          // The API accepts only true or absent: once on, purge protection cannot be turned off.
          ...(purgeProtection ? { enablePurgeProtection: true } : {}),
          enabledForDeployment: false,
          enabledForDiskEncryption: false,
          enabledForTemplateDeployment: false,
          publicNetworkAccess: "Enabled",
          networkAcls: {
            defaultAction: "Deny",
            bypass: "AzureServices",
            ipRules: [],
            virtualNetworkRules: (args.allowedSubnetIds ?? []).map((id) => ({ id })),
          },
        },
        tags: { ...args.tags },
      },
      { parent: this, protect, retainOnDelete: protect },
    );
    const secrets: Record<string, Secret> = {};
    // ARM refuses an empty secret value, so `pulumi up` needs every value; a preview shows the plan without.
    const missing = missingSecretValues(args.secrets, values);
    if (missing.length > 0 && !pulumi.runtime.isDryRun()) {
      throw new Error(`AzureSecretStore ${name}: ${missing.join("; ")}`);
    }
    for (const spec of args.secrets) {
      const value = values[spec.name];
      const description = spec.description ?? `${spec.name} credential`;
      secrets[spec.name] = this.secret(
        name,
        args,
        spec.name,
        description,
        value ?? "",
        protect,
        value === undefined,
      );
    }
    for (const spec of args.generated ?? []) {
      const value = randomBytes(spec.bytes ?? 32).toString("base64");
      secrets[spec.name] = this.secret(name, args, spec.name, spec.description, value, protect, true);
    }
    this.secrets = secrets;
    this.vaultId = this.vault.id;
    this.vaultUri = this.vault.properties.apply((p) => p.vaultUri ?? "");
    // Built from the vault URI, not the secret's outputs: those carry the value, so they are all secret.
    this.references = Object.fromEntries(
      args.secrets.map((spec) => [
        spec.name,
        pulumi.interpolate`${this.vaultUri}secrets/${keyVaultSecretName(spec.name)}`,
      ]),
    );
    if (args.databricksScope) {
      // With an RBAC vault the AzureDatabricks application needs Key Vault Secrets User to read for the
      // scope (github.com/MicrosoftDocs/azure-docs/issues/84380; access-policy vaults get Get/List instead).
      const scopeRole = assignRole(
        `${name}-read-azure-databricks`,
        {
          scope: this.vault.id,
          role: "keyVaultSecretsUser",
          principal: { name: "azure-databricks", principalId: args.databricksScope.azureDatabricksObjectId },
          subscriptionId: args.subscriptionId,
          description: "The AzureDatabricks application reads secrets for the Key Vault-backed scope",
        },
        { parent: this },
      );
      this.scope = new SecretScope(
        `${name}-scope`,
        {
          name: `${args.product}-${args.environment}`,
          backendType: "AZURE_KEYVAULT",
          keyvaultMetadata: { resourceId: this.vault.id, dnsName: this.vaultUri },
        },
        { parent: this, provider: args.databricksScope.provider, dependsOn: afterPropagation([scopeRole]) },
      );
      (args.databricksScope.readers ?? []).forEach(
        (principal, i) =>
          new SecretAcl(
            `${name}-scope-reader-${i}`,
            { scope: this.scope!.name, principal, permission: "READ" },
            { parent: this, provider: args.databricksScope!.provider },
          ),
      );
      this.scopeName = this.scope.name;
    }
    this.registerOutputs({ references: this.references, vaultUri: this.vaultUri });
  }

  /** One vault secret; a generated one keeps its first value (`ignoreChanges`), so it never rotates by accident. */
  private secret(
    name: string,
    args: AzureSecretStoreArgs,
    secretName: string,
    description: string,
    value: pulumi.Input<string>,
    protect: boolean,
    generated: boolean,
  ): Secret {
    return new Secret(
      `${name}-${secretName}`,
      {
        vaultName: this.vault.name,
        resourceGroupName: args.resourceGroupName,
        secretName: keyVaultSecretName(secretName),
        properties: { value: pulumi.secret(value), contentType: description, attributes: { enabled: true } },
        tags: { ...args.tags },
      },
      {
        parent: this,
        protect,
        retainOnDelete: protect,
        ignoreChanges: generated ? ["properties.value"] : [],
      },
    );
  }

  /** Assigns Key Vault Secrets User on each named secret (all when omitted), never the whole vault. */
  grantRead(principal: AzurePrincipal, names?: readonly string[]): RoleAssignment {
    // One assignment per secret; the contract hands back one resource, the first.
    return this.grantReadEach(principal, names)[0];
  }

  /** `grantRead`, returning every assignment (what a consumer waits for before it reads). */
  grantReadEach(principal: AzurePrincipal, names?: readonly string[]): RoleAssignment[] {
    const selected = names ?? Object.keys(this.secrets);
    const unknown = selected.filter((n) => !Object.hasOwn(this.secrets, n));
    if (unknown.length > 0) {
      throw new Error(
        `AzureSecretStore ${this.logicalName}: grantRead names unknown secrets ${unknown.join(", ")}`,
      );
    }
    if (selected.length === 0) {
      throw new Error(`AzureSecretStore ${this.logicalName}: grantRead has no secret to grant`);
    }
    return selected.map((secretName) =>
      assignRole(
        `${this.logicalName}-read-${principal.name}-${secretName}`,
        {
          scope: this.secrets[secretName].id,
          role: "keyVaultSecretsUser",
          principal,
          subscriptionId: this.subscriptionId,
          description: `${principal.name} reads the ${secretName} secret`,
        },
        { parent: this },
      ),
    );
  }
}

/**
 * One message per spec secret with no value in config, naming the config path to set: Key Vault refuses
 * an empty value (the secret's `value` must be a non-empty string), so `pulumi up` would fail there.
 */
export function missingSecretValues(
  specs: readonly SecretSpec[],
  values: Readonly<Record<string, unknown>>,
): string[] {
  return specs
    .filter((spec) => !Object.hasOwn(values, spec.name))
    .map(
      (spec) =>
        `medallion:secrets.${spec.name}: is required before pulumi up (Key Vault refuses an empty value): pulumi config set --secret --path 'medallion:secrets.${spec.name}' '<value>'`,
    );
}

function validateSecretStoreArgs(
  name: string,
  args: AzureSecretStoreArgs,
  softDeleteDays: number,
  purgeProtection: boolean,
): void {
  const problems: string[] = [];
  if (!Number.isInteger(softDeleteDays) || softDeleteDays < 7 || softDeleteDays > 90) {
    problems.push(`softDeleteDays: must be a whole number of 7-90, got ${softDeleteDays}`);
  }
  if (!purgeProtection && args.protect) {
    problems.push("purgeProtection: may only be turned off in an unprotected environment (protect: false)");
  }
  const names = new Set(args.secrets.map((s) => s.name));
  for (const valueName of Object.keys(args.values ?? {})) {
    if (!names.has(valueName)) problems.push(`values.${valueName}: no secret of that name in secrets`);
  }
  if (problems.length > 0) {
    throw new Error(
      `AzureSecretStore ${name} has invalid args:\n${problems.map((p) => `  - ${p}`).join("\n")}`,
    );
  }
}
