import * as glue from "@pulumi/aws/glue";
import * as pulumi from "@pulumi/pulumi";
import { glueName } from "../naming";
import type { AwsMedallionLayer } from "./medallion-layer";

export interface AwsIcebergTablesArgs {
  readonly product: string;
  readonly environment: string;
  readonly silver: AwsMedallionLayer;
  /** Keep the quarantine database on `pulumi destroy`. @default false */
  readonly protect?: boolean;
  /** What the quarantine database waits for (the Lake Formation settings). @default nothing */
  readonly databaseDependsOn?: readonly pulumi.Resource[];
  readonly tags: Readonly<Record<string, string>>;
}

/** Prefix of the silver bucket under which quarantine tables live. */
export const QUARANTINE_PREFIX = "_quarantine/";

/**
 * The catalog namespace the silver layer does not already have: the quarantine database (on the silver
 * bucket). Pulumi owns namespaces and grants, Spark owns the tables: spark_runner.py creates each silver,
 * quarantine and ledger table when missing and evolves it with the spec (functions/transform/ddl.ts);
 * flat views and gold models are rebuilt by their own statements. A table is therefore never a Pulumi
 * resource, and adding one adds nothing to the plan (Lake Formation grants are per database, with the
 * `TABLE` wildcard: lake-formation.ts).
 *
 * The Glue tables earlier versions declared here (`aws.glue.CatalogTable` with `icebergInput`, which wrote
 * Iceberg metadata at creation only, so a later column never reached the table) are gone from the program.
 * Removing them is safe for the data but not for the catalog entry: Glue's DeleteTable "removes a table
 * definition from the Data Catalog" (Glue API reference) and leaves the S3 data and metadata files, yet the
 * entry is the only pointer to the table's current metadata file, and the next run would create an empty
 * table. So an upgraded stack first drops them from its state without deleting them
 * (`scripts/retire-catalog-tables.sh`, docs/OPERATIONS.md); on a protected stack they were `protect`ed,
 * so a `pulumi up` skipping that step fails before it deletes anything.
 *
 * The component keeps its type and name (the quarantine database's URN is unchanged: a new URN would
 * replace it, and Glue's DeleteDatabase deletes every table in it).
 */
export class AwsIcebergTables extends pulumi.ComponentResource {
  readonly quarantineDatabase: glue.CatalogDatabase;

  constructor(name: string, args: AwsIcebergTablesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("medallion:aws:IcebergTables", name, {}, opts);
    const protect = args.protect ?? false;
    this.quarantineDatabase = new glue.CatalogDatabase(
      `${name}-quarantine`,
      {
        name: glueName([args.product, args.environment, "quarantine"]),
        description: `Rows of ${args.product} (${args.environment}) that failed a quality rule, with the rule`,
        locationUri: pulumi.interpolate`s3://${args.silver.bucketName}/${QUARANTINE_PREFIX}`,
        tags: { ...args.tags },
      },
      { parent: this, protect, dependsOn: [...(args.databaseDependsOn ?? [])] },
    );
    this.registerOutputs({ quarantineDatabase: this.quarantineDatabase.name });
  }
}
