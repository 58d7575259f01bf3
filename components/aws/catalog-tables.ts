import * as glue from "@pulumi/aws/glue";
import * as pulumi from "@pulumi/pulumi";
import {
  goldColumns,
  quarantineColumns,
  silverColumns,
  viewColumns,
  type SpecType,
  type TableColumn,
} from "../../functions/transform/schema";
import type { LakehouseSpec } from "../spec";
import { glueName } from "../naming";
import type { AwsMedallionLayer } from "./medallion-layer";

export interface AwsIcebergTablesArgs {
  readonly spec: LakehouseSpec;
  readonly product: string;
  readonly environment: string;
  readonly silver: AwsMedallionLayer;
  readonly gold: AwsMedallionLayer;
  /** Keep the quarantine database on `pulumi destroy`. @default false */
  readonly protect?: boolean;
  /** What the quarantine database waits for (the Lake Formation settings). @default nothing */
  readonly databaseDependsOn?: readonly pulumi.Resource[];
  readonly tags: Readonly<Record<string, string>>;
}

/** Prefix of the silver bucket under which quarantine tables live. */
export const QUARANTINE_PREFIX = "_quarantine/";

/**
 * The Iceberg tables the transformations write, declared in the Glue Data Catalog with the spec's
 * schemas and partitioning, so a schema change shows in the plan diff and Athena sees every table before
 * the first run: silver tables, their quarantine tables (in a quarantine database on the silver bucket),
 * flat views (materialised) and gold models. Spark commits move each table's metadata pointer, so the
 * table `parameters` are left to the engine.
 */
export class AwsIcebergTables extends pulumi.ComponentResource {
  readonly quarantineDatabase: glue.CatalogDatabase;
  /** Logical table key (`silver.review`, `quarantine.review`, `gold.top_drinkers`) → catalog table. */
  readonly tables: Readonly<Record<string, glue.CatalogTable>>;

  constructor(name: string, args: AwsIcebergTablesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("medallion:aws:IcebergTables", name, {}, opts);
    const protect = args.protect ?? false;
    const { spec } = args;

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

    const tables: Record<string, glue.CatalogTable> = {};
    const declare = (
      key: string,
      database: pulumi.Input<string>,
      table: string,
      location: pulumi.Input<string>,
      columns: TableColumn[],
      partitionBy: readonly string[],
      description: string | undefined,
    ) => {
      tables[key] = new glue.CatalogTable(
        `${name}-${key.replace(/[^a-z0-9]+/g, "-")}`,
        {
          databaseName: database,
          name: table,
          description,
          tableType: "EXTERNAL_TABLE",
          storageDescriptor: {
            location,
            columns: columns.map((c) => ({ name: c.name, type: c.type })),
          },
          openTableFormatInput: {
            icebergInput: {
              metadataOperation: "CREATE",
              version: "2",
              icebergTableInput: icebergTableInput(location, columns, partitionBy),
            },
          },
        },
        { parent: this, protect, ignoreChanges: ["parameters"] },
      );
    };

    const silverDb = args.silver.catalogNamespace;
    for (const table of spec.tables) {
      declare(
        `silver.${table.name}`,
        silverDb,
        table.name,
        pulumi.interpolate`s3://${args.silver.bucketName}/${table.name}/`,
        silverColumns(table),
        table.partitionBy,
        table.description,
      );
      declare(
        `quarantine.${table.name}`,
        this.quarantineDatabase.name,
        table.name,
        pulumi.interpolate`s3://${args.silver.bucketName}/${QUARANTINE_PREFIX}${table.name}/`,
        quarantineColumns(table),
        [],
        `Rows of ${table.name} that failed a quality rule`,
      );
    }
    for (const view of spec.views) {
      declare(
        `silver.${view.name}`,
        silverDb,
        view.name,
        pulumi.interpolate`s3://${args.silver.bucketName}/${view.name}/`,
        viewColumns(spec, view.name),
        [],
        `Flat view of ${view.from} and its joins`,
      );
    }
    for (const model of spec.gold) {
      const time = model.timePartition;
      declare(
        `gold.${model.name}`,
        args.gold.catalogNamespace,
        model.name,
        pulumi.interpolate`s3://${args.gold.bucketName}/${model.name}/`,
        goldColumns(spec, model),
        time ? [time.yearAs, time.monthAs] : [],
        model.description,
      );
    }
    this.tables = tables;
    this.registerOutputs({ quarantineDatabase: this.quarantineDatabase.name });
  }
}

/** Iceberg's names for the spec types. */
export function icebergType(type: SpecType): string {
  if (type === "bigint") return "long";
  return type; // string, int, double, boolean, date, timestamp and decimal(p,s) are spelled the same
}

function icebergTableInput(
  location: pulumi.Input<string>,
  columns: TableColumn[],
  partitionBy: readonly string[],
) {
  const ids = new Map(columns.map((c, i) => [c.name, i + 1]));
  return {
    location,
    schema: {
      schemaId: 0,
      type: "struct",
      fields: columns.map((c) => ({
        id: ids.get(c.name) as number,
        name: c.name,
        type: icebergType(c.type),
        required: !c.nullable,
      })),
    },
    ...(partitionBy.length
      ? {
          partitionSpec: {
            specId: 0,
            fields: partitionBy.map((column, i) => ({
              fieldId: 1000 + i,
              name: column,
              sourceId: ids.get(column) as number,
              transform: "identity",
            })),
          },
        }
      : {}),
    properties: { "format-version": "2", "write.parquet.compression-codec": "zstd" },
  };
}
