import { z } from "zod";
import { lakehouseSpec, resourceKey } from "./schema";
import { CLOUDS } from "./stack";

/**
 * A whole Pulumi stack file (`Pulumi.<stack>.yaml`) as this program reads it: the `config:` keys it takes,
 * the spec under `medallion:lakehouse`. The editor JSON Schema and docs/SPEC.md are generated from it, and
 * `medallion validate` checks a file against it. The program itself validates the same keys in
 * `infra/config.ts` (with the preview's mocked values); keep the two in step.
 */

function doc(description: string, ...examples: unknown[]) {
  return examples.length > 0 ? { description, examples } : { description };
}

/** A value set with `pulumi config set --secret`: Pulumi writes the ciphertext under `secure`. */
const secureValue = z
  .strictObject({ secure: z.string().min(1) })
  .meta(doc("An encrypted Pulumi config value."));

/** An IAM role or user ARN with its path, as Lake Formation takes admins (see infra/config-aws.ts). */
const IAM_PRINCIPAL_ARN = /^arn:aws[a-z-]*:iam::\d{12}:(role|user)\/([\w+=,.@-]+\/)*[\w+=,.@-]+$/;
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** Every `medallion:*` key the program reads, and the provider keys it needs. */
export const stackConfigKeys = {
  "medallion:cloud": z.enum(CLOUDS).meta(doc("The cloud the lakehouse is assembled on.", "aws")),
  "medallion:environment": z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, "must be 1-64 letters, digits, dashes or underscores")
    .meta(doc("Environment name (dev, prod, ...), part of every physical name.", "dev")),
  "medallion:lakehouse": lakehouseSpec,
  "medallion:secrets": z
    .record(resourceKey, z.union([secureValue, z.string()]))
    .optional()
    .meta(
      doc(
        "Secret values by `secrets[].name`, always set with `pulumi config set --secret --path 'medallion:secrets.<name>' <value>` (plain text is refused).",
        { "brewery-api": { secure: "v1:…" } },
      ),
    ),
  "aws:region": z
    .string()
    .min(1)
    .optional()
    .meta(doc("AWS region; required when medallion:cloud is aws.", "us-east-1")),
  "medallion:lakeFormationAdmins": z
    .array(z.string().regex(IAM_PRINCIPAL_ARN, "must be an IAM role or user ARN with its path"))
    .min(1)
    .optional()
    .meta(
      doc(
        "AWS, required: every IAM role/user that must stay a Lake Formation admin of the account (the list replaces the account's admins; the deploying identity is added).",
        ["arn:aws:iam::123456789012:role/medallion-deployer"],
      ),
    ),
  "medallion:converterNetwork": z
    .strictObject({
      subnetIds: z
        .array(z.string().regex(/^subnet-[0-9a-f]{8,17}$/))
        .min(1)
        .meta(doc("Private subnet IDs.", ["subnet-0123456789abcdef0"])),
      securityGroupIds: z
        .array(z.string().regex(/^sg-[0-9a-f]{8,17}$/))
        .min(1)
        .meta(doc("Security group IDs.", ["sg-0123456789abcdef0"])),
    })
    .optional()
    .meta(
      doc(
        "AWS: private subnets and security groups the Fargate converter runs in; absent: a small VPC of the stack with the endpoints the task needs.",
        { subnetIds: ["subnet-0123456789abcdef0"], securityGroupIds: ["sg-0123456789abcdef0"] },
      ),
    ),
  "medallion:databaseNetwork": z
    .strictObject({
      subnetIds: z
        .array(z.string().regex(/^subnet-[0-9a-f]{8,17}$/))
        .min(1)
        .meta(doc("Subnet IDs that reach the source databases.", ["subnet-0123456789abcdef0"])),
      securityGroupIds: z
        .array(z.string().regex(/^sg-[0-9a-f]{8,17}$/))
        .min(1)
        .meta(doc("Security group IDs the database pulls run with.", ["sg-0123456789abcdef0"])),
    })
    .optional()
    .meta(
      doc(
        "AWS: subnets and security groups the database pulls run in (required when the spec has database pulls); the subnets need routes to S3, DynamoDB, Secrets Manager, CloudWatch Logs and STS (endpoints or NAT).",
        { subnetIds: ["subnet-0123456789abcdef0"], securityGroupIds: ["sg-0123456789abcdef0"] },
      ),
    ),
  "azure-native:location": z
    .string()
    .min(1)
    .optional()
    .meta(doc("Azure region; required when medallion:cloud is azure.", "westeurope")),
  "medallion:azureDatabricksObjectId": z
    .string()
    .regex(UUID, "must be an object ID (a GUID)")
    .optional()
    .meta(
      doc(
        "Azure, required: object ID of the AzureDatabricks application in the tenant (`az ad sp show --id 2ff814a6-3304-4ab8-85cb-cd0e6f879c1d --query id -o tsv`).",
        "00000000-0000-0000-0000-0000000000db",
      ),
    ),
  "medallion:databricksAccountId": z
    .string()
    .regex(UUID, "must be an account ID (a GUID)")
    .optional()
    .meta(
      doc(
        "Azure, required: the Databricks account ID (account console, top right).",
        "00000000-0000-0000-0000-00000000acc7",
      ),
    ),
  "medallion:databricksMetastoreId": z
    .string()
    .regex(UUID, "must be a metastore ID (a GUID)")
    .optional()
    .meta(
      doc(
        "Azure: the Unity Catalog metastore to assign the workspace to (`databricks metastores list`).",
        "00000000-0000-0000-0000-0000000000a1",
      ),
    ),
  // The same shape as components/azure/sources-config.ts, which also checks the IP rules Azure Storage refuses.
  "medallion:azureSources": z
    .strictObject({
      writerGroupObjectId: z
        .string()
        .regex(UUID, "must be an object ID (a GUID)")
        .meta(
          doc(
            "Object ID of the Entra group whose members write batch files, CDC events and event messages.",
            "00000000-0000-0000-0000-0000000000a1",
          ),
        ),
      allowedIpRanges: z
        .array(z.string())
        .default([])
        .meta(
          doc(
            "Public IPv4 addresses or CIDR ranges (/0-/30) the writers come from, added to the storage and Event Hubs firewalls.",
            ["203.0.113.0/24"],
          ),
        ),
      allowedSubnetIds: z
        .array(z.string())
        .default([])
        .meta(
          doc(
            "ARM IDs of subnets (with the Microsoft.Storage and Microsoft.EventHub service endpoints) the writers run in.",
            [
              "/subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.Network/virtualNetworks/<vnet>/subnets/<subnet>",
            ],
          ),
        ),
    })
    .optional()
    .meta(
      doc(
        "Azure: who may write into the lakehouse's sources and from where; required when a table is written from outside the stack (batch, cdc, event).",
        {
          writerGroupObjectId: "00000000-0000-0000-0000-0000000000a1",
          allowedIpRanges: ["203.0.113.0/24"],
          allowedSubnetIds: [],
        },
      ),
    ),
} as const;

/** Keys each cloud requires beyond cloud, environment and lakehouse. */
export const REQUIRED_BY_CLOUD: Readonly<
  Record<(typeof CLOUDS)[number], readonly (keyof typeof stackConfigKeys)[]>
> = {
  aws: ["aws:region", "medallion:lakeFormationAdmins"],
  azure: ["azure-native:location", "medallion:azureDatabricksObjectId", "medallion:databricksAccountId"],
};

/**
 * The `config:` mapping with `spec` under `medallion:lakehouse`: the keys above; other namespaces (other
 * providers) pass, an unknown `medallion:` key does not, and each cloud's required keys are required.
 */
export function configSchemaWith(spec: z.ZodType) {
  return z.looseObject({ ...stackConfigKeys, "medallion:lakehouse": spec }).superRefine((config, context) => {
    const cloud = config["medallion:cloud"];
    for (const key of REQUIRED_BY_CLOUD[cloud] ?? []) {
      if (config[key] === undefined) {
        context.addIssue({
          code: "custom",
          path: [key],
          message: `is required when medallion:cloud is ${cloud}`,
        });
      }
    }
  });
}

export const stackConfig = configSchemaWith(lakehouseSpec);

/** The stack file: Pulumi's own top-level keys, and `config:`. */
export const stackDocument = z
  .looseObject({
    config: stackConfig.meta(doc("Stack configuration: `namespace:key` → value.")),
    secretsprovider: z.string().optional().meta(doc("Pulumi's secrets provider of the stack.")),
    encryptedkey: z.string().optional().meta(doc("Pulumi's data key, encrypted by the secrets provider.")),
    encryptionsalt: z.string().optional().meta(doc("Pulumi's salt of the passphrase secrets provider.")),
    environment: z.unknown().optional().meta(doc("Pulumi ESC environments imported by the stack.")),
  })
  .meta({
    title: "Pulumi.<stack>.yaml (medallion-lakehouse)",
    description: "A Pulumi stack file of a medallion-lakehouse program.",
  });

/**
 * `medallion:` keys the program does not read (a typo, or a key of another version). Checked apart from
 * {@link configSchemaWith}: zod skips refinements once a required key is missing, and a typo is exactly that.
 */
export function unknownMedallionKeys(config: Record<string, unknown>): string[] {
  const known = new Set<string>(Object.keys(stackConfigKeys));
  return Object.keys(config).filter((key) => key.startsWith("medallion:") && !known.has(key));
}
