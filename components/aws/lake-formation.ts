import { getCallerIdentityOutput } from "@pulumi/aws/getCallerIdentity";
import * as iam from "@pulumi/aws/iam";
import { getSessionContextOutput } from "@pulumi/aws/iam/getSessionContext";
import * as lakeformation from "@pulumi/aws/lakeformation";
import * as pulumi from "@pulumi/pulumi";
import { dashedResourceName, NAME_LIMITS, type LayerName } from "../naming";
import type { LakehouseSpec } from "../spec";
import type { AwsAthenaWorkgroup } from "./athena";
import type { AwsIcebergTables } from "./catalog-tables";
import type { AwsContext } from "./context";
import type { AwsMedallionLayer, AwsPrincipal } from "./medallion-layer";
import { GLUE_CATALOG_READ_ACTIONS, LAKE_FORMATION_DATA_ACCESS_ACTIONS } from "./perms";
import { policyJson } from "./policy-documents";
import { serviceRole } from "./service-role";

/** Layers registered with Lake Formation: the ones the catalog's tables live in. */
export const REGISTERED_LAYERS = ["bronze", "silver", "gold"] as const satisfies readonly LayerName[];

/** What the transformation jobs may do in their databases and on their tables. */
export const JOB_DATABASE_PERMISSIONS = ["CREATE_TABLE", "ALTER", "DESCRIBE"];
export const JOB_TABLE_PERMISSIONS = ["SELECT", "INSERT", "DELETE", "ALTER", "DESCRIBE"];
/** What the gold consumer may do: see the gold database and read its tables, nothing else. */
export const CONSUMER_DATABASE_PERMISSIONS = ["DESCRIBE"];
export const CONSUMER_TABLE_PERMISSIONS = ["SELECT", "DESCRIBE"];

export interface AwsLakeFormationArgs {
  readonly spec: LakehouseSpec;
  readonly product: string;
  readonly environment: string;
  readonly layers: Readonly<Record<LayerName, AwsMedallionLayer>>;
  readonly tables: AwsIcebergTables;
  /** The transformation jobs' role. */
  readonly jobs: AwsPrincipal;
  readonly athena: AwsAthenaWorkgroup;
  readonly context: AwsContext;
  /**
   * Lake Formation administrators (IAM role or user ARNs, paths kept). `DataLakeSettings` replaces the
   * account's whole admin list, so name every admin the account must keep (stacks sharing an account
   * must name the same list). The deploying identity is always added, resolved through its session
   * issuer. @default the deploying identity only
   */
  readonly admins?: readonly pulumi.Input<string>[];
  /**
   * The account's data lake settings, when the caller created them first (before any Glue database, see
   * {@link dataLakeSettings}); `admins` is then ignored. @default created here from `admins`
   */
  readonly settings?: lakeformation.DataLakeSettings;
  /** Principals (ARNs) that may assume the gold consumer role. @default this account */
  readonly consumerTrustedPrincipals?: readonly pulumi.Input<string>[];
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * Lake Formation governance of the catalog: the administrators, and no implicit IAM-only access on new
 * databases or tables; the layer buckets registered (hybrid access, through a registration role with the
 * layers' own grants); the jobs' permissions on the silver, quarantine and gold databases; and a consumer
 * role (seed 001's demo user) that can read gold only: Lake Formation grants on the gold database and its
 * tables, the gold layer's read grant, Athena through the workgroup, and the gold catalog entries.
 */
export class AwsLakeFormation extends pulumi.ComponentResource {
  readonly settings: lakeformation.DataLakeSettings;
  readonly consumerRole: iam.Role;
  readonly consumer: AwsPrincipal;

  constructor(name: string, args: AwsLakeFormationArgs, opts?: pulumi.ComponentResourceOptions) {
    super("medallion:aws:LakeFormation", name, {}, opts);
    const { context, layers, product, environment } = args;
    const tags = { ...args.tags };
    const trusted = args.consumerTrustedPrincipals ?? [
      pulumi.interpolate`arn:${context.partition}:iam::${context.accountId}:root`,
    ];
    this.settings =
      args.settings ??
      dataLakeSettings(`${name}-settings`, { ...(args.admins ? { admins: args.admins } : {}) }, this);
    const governed = { parent: this, dependsOn: [this.settings] };

    const registrar = serviceRole(
      `${name}-registration-role`,
      {
        roleName: dashedResourceName([product, environment, "lake-registration"], NAME_LIMITS.iamRole),
        service: "lakeformation.amazonaws.com",
        accountId: context.accountId,
        description: `Lake Formation's access to the ${product} (${environment}) layers`,
        tags,
      },
      this,
    );
    const registration: AwsPrincipal = { name: "lake-registration", role: registrar };
    const registered = {} as Record<(typeof REGISTERED_LAYERS)[number], lakeformation.Resource>;
    for (const layer of REGISTERED_LAYERS) {
      layers[layer].grantRead(registration);
      if (layer !== "bronze") layers[layer].grantWrite(registration);
      registered[layer] = new lakeformation.Resource(
        `${name}-${layer}-location`,
        { arn: layers[layer].bucketArn, roleArn: registrar.arn, hybridAccessEnabled: true },
        governed,
      );
    }

    const jobRole = args.jobs.role.arn;
    const databases = {
      silver: layers.silver.catalogNamespace,
      quarantine: args.tables.quarantineDatabase.name,
      gold: layers.gold.catalogNamespace,
    };
    for (const [key, database] of Object.entries(databases)) {
      new lakeformation.Permissions(
        `${name}-jobs-${key}-database`,
        { principal: jobRole, permissions: JOB_DATABASE_PERMISSIONS, database: { name: database } },
        governed,
      );
      new lakeformation.Permissions(
        `${name}-jobs-${key}-tables`,
        {
          principal: jobRole,
          permissions: JOB_TABLE_PERMISSIONS,
          table: { databaseName: database, wildcard: true },
        },
        governed,
      );
    }
    for (const layer of ["silver", "gold"] as const) {
      new lakeformation.Permissions(
        `${name}-jobs-${layer}-location`,
        {
          principal: jobRole,
          permissions: ["DATA_LOCATION_ACCESS"],
          dataLocation: { arn: layers[layer].bucketArn },
        },
        // Lake Formation refuses a data-location grant on a location that is not registered yet.
        { ...governed, dependsOn: [this.settings, registered[layer]] },
      );
    }

    this.consumerRole = new iam.Role(
      `${name}-gold-consumer`,
      {
        name: dashedResourceName([product, environment, "gold-reader"], NAME_LIMITS.iamRole),
        description: `Reads the ${product} (${environment}) gold layer through Athena, nothing else`,
        assumeRolePolicy: pulumi.jsonStringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Principal: { AWS: [...trusted] }, Action: "sts:AssumeRole" }],
        }),
        tags,
      },
      { parent: this },
    );
    this.consumer = { name: "gold-consumer", role: this.consumerRole };
    const consumerArn = this.consumerRole.arn;
    new lakeformation.Permissions(
      `${name}-consumer-gold-database`,
      {
        principal: consumerArn,
        permissions: CONSUMER_DATABASE_PERMISSIONS,
        database: { name: databases.gold },
      },
      governed,
    );
    new lakeformation.Permissions(
      `${name}-consumer-gold-tables`,
      {
        principal: consumerArn,
        permissions: CONSUMER_TABLE_PERMISSIONS,
        table: { databaseName: databases.gold, wildcard: true },
      },
      governed,
    );
    layers.gold.grantRead(this.consumer);
    args.athena.grantQuery(this.consumer);
    const glueArn = (resource: pulumi.Input<string>) =>
      pulumi.interpolate`arn:${context.partition}:glue:${context.region}:${context.accountId}:${resource}`;
    new iam.RolePolicy(
      `${name}-consumer-catalog`,
      {
        role: this.consumerRole.name,
        policy: policyJson([
          {
            Sid: "ReadGoldCatalog",
            Effect: "Allow",
            Action: [...GLUE_CATALOG_READ_ACTIONS],
            Resource: [
              glueArn("catalog"),
              glueArn(pulumi.interpolate`database/${databases.gold}`),
              // Every table of the gold database, whichever Spark creates: constant in the number of models.
              glueArn(pulumi.interpolate`table/${databases.gold}/*`),
            ],
          },
          // Athena reads a Lake Formation location with credentials vended to the caller; what those
          // credentials reach is decided by the Lake Formation grants above (gold only), not by this action.
          {
            Sid: "LakeFormationCredentials",
            Effect: "Allow",
            Action: [...LAKE_FORMATION_DATA_ACCESS_ACTIONS],
            Resource: "*",
          },
        ]),
      },
      { parent: this },
    );
    this.registerOutputs({ consumerRoleArn: consumerArn });
  }
}

/**
 * The account's Lake Formation settings: `admins` plus the deploying identity, and no IAMAllowedPrincipals
 * grant on new databases and tables (Lake Formation decides). `DataLakeSettings` replaces the account's
 * whole admin list and its defaults, so `admins` must name every admin the account keeps, and every Glue
 * database must be created after these settings (a database gets the defaults in force when it is made;
 * the policy rule `medallion-deploy-order` checks it).
 */
export function dataLakeSettings(
  name: string,
  args: { readonly admins?: readonly pulumi.Input<string>[] },
  parent: pulumi.Resource,
): lakeformation.DataLakeSettings {
  if (args.admins && args.admins.length === 0) {
    throw new Error(`${name}: admins must not be empty (it would remove every Lake Formation admin)`);
  }
  const admins = pulumi
    .all([...(args.admins ?? []), deployingPrincipal(parent)])
    .apply((arns) => [...new Set(arns)]);
  return new lakeformation.DataLakeSettings(
    name,
    { admins, createDatabaseDefaultPermissions: [], createTableDefaultPermissions: [] },
    { parent },
  );
}

/**
 * The IAM principal that deploys, as Lake Formation wants admins: an STS assumed-role session resolves
 * through its session issuer (`aws.iam.getSessionContext`), which keeps the role's path. Rebuilding the
 * role ARN from the session ARN drops the path, and SSO roles live under
 * `/aws-reserved/sso.amazonaws.com/`: Lake Formation refuses such an ARN as an invalid principal.
 */
function deployingPrincipal(parent: pulumi.Resource): pulumi.Output<string> {
  const caller = getCallerIdentityOutput({}, { parent });
  return getSessionContextOutput({ arn: caller.arn }, { parent }).issuerArn;
}
