import * as fs from "node:fs";
import * as path from "node:path";
import { STACK_SCHEMA_FILE } from "./json-schema";
import type { Cloud } from "./stack";

/** The first line of every stack file: YAML editors (yaml-language-server) check the file against the schema. */
export function schemaComment(schemaPath: string): string {
  return `# yaml-language-server: $schema=${schemaPath}`;
}

/** Where a consumer's editor finds the schema: the installed package's copy. */
export const PACKAGE_SCHEMA_PATH = `./node_modules/medallion-lakehouse/${STACK_SCHEMA_FILE}`;

/** The smallest stack file the program accepts on `cloud`, with what to replace before `pulumi up`. */
export function minimalStackFile(
  cloud: Cloud,
  environment = "dev",
  schemaPath = PACKAGE_SCHEMA_PATH,
): string {
  const cloudKeys =
    cloud === "aws"
      ? [
          "  aws:region: us-east-1",
          "  # Every IAM role/user that must stay a Lake Formation admin of the account (the list replaces the",
          "  # account's admins; the deploying identity is added). Replace with your account's roles.",
          "  medallion:lakeFormationAdmins:",
          "    - arn:aws:iam::123456789012:role/medallion-deployer",
        ]
      : [
          "  azure-native:location: westeurope",
          "  # Placeholders: the offline preview takes them, `pulumi up` refuses them until you set yours.",
          "  # az ad sp show --id 2ff814a6-3304-4ab8-85cb-cd0e6f879c1d --query id -o tsv",
          "  medallion:azureDatabricksObjectId: 00000000-0000-0000-0000-0000000000db",
          "  # Your Databricks account ID (account console, top right).",
          "  medallion:databricksAccountId: 00000000-0000-0000-0000-00000000acc7",
          "  # The Entra group whose members upload batch files (az storage blob upload --auth-mode login).",
          "  medallion:azureSources:",
          "    writerGroupObjectId: 00000000-0000-0000-0000-0000000000a1",
        ];
  return [
    schemaComment(schemaPath),
    `# A minimal ${cloud} stack written by \`medallion init\`; every field is in docs/SPEC.md.`,
    "config:",
    `  medallion:cloud: ${cloud}`,
    `  medallion:environment: ${environment}`,
    ...cloudKeys,
    "  medallion:lakehouse:",
    "    name: lakehouse",
    "    alerts:",
    "      emails:",
    "        - data-platform@example.com",
    "    tables:",
    "      - name: orders",
    "        description: Orders, dropped as JSON lines under raw/orders/.",
    "        source: { kind: batch }",
    "        columns:",
    "          - { name: order_id, type: bigint, nullable: false }",
    '          - { name: amount, type: "decimal(10,2)" }',
    "          - { name: ordered_at, type: timestamp }",
    "        primaryKey: [order_id]",
    "",
  ].join("\n");
}

/**
 * `medallion init --cloud aws|azure`: writes `Pulumi.<stack>.yaml` in `dir` (refusing to overwrite one
 * unless `force`) and returns its path.
 */
export function initStackFile(
  cloud: Cloud,
  options: {
    readonly dir?: string;
    readonly stack?: string;
    readonly force?: boolean;
    readonly schemaPath?: string;
  } = {},
): string {
  const stack = options.stack ?? "dev";
  const file = path.join(options.dir ?? process.cwd(), `Pulumi.${stack}.yaml`);
  if (fs.existsSync(file) && !options.force) {
    throw new Error(`${file} exists; pass --force to overwrite it`);
  }
  fs.writeFileSync(file, minimalStackFile(cloud, stack, options.schemaPath));
  return file;
}
