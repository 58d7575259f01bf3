import { z } from "zod";

/**
 * The LakehouseSpec schema: plain data, usually from stack config `medallion:lakehouse`.
 * Shape only; cross-field rules (a PII column must exist, a key must be a column, ...) live in
 * `references.ts` so each rule can name the exact path it breaks.
 */

/** Lower snake_case: safe as a Glue, Unity Catalog, Athena and Spark identifier on both clouds. */
export const identifier = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,62}$/, "must be lower snake_case: a letter, then letters, digits or _ (max 63)");

/** Secret and source names end up in Secrets Manager / Key Vault names, so dashes are allowed. */
export const resourceKey = z
  .string()
  .regex(
    /^[a-z][a-z0-9-]{0,39}$/,
    "must be lower-case letters, digits and dashes, starting with a letter (max 40)",
  );

/** Five-field cron (minute hour day-of-month month day-of-week), rendered per cloud by the orchestrators. */
export const cron = z
  .string()
  .regex(
    /^(\S+\s+){4}\S+$/,
    'must be a five-field cron expression "minute hour day-of-month month day-of-week", e.g. "0 2 * * *"',
  )
  .refine((value) => value.split(/\s+/).every((field) => /^[0-9*,/\-?A-Za-z]+$/.test(field)), {
    message: "cron fields may only hold digits, names and * , / - ?",
  });

export const columnType = z.union([
  z.enum(["string", "int", "bigint", "double", "boolean", "date", "timestamp"]),
  z
    .string()
    .regex(
      /^decimal\(\d{1,2},\d{1,2}\)$/,
      "must be string, int, bigint, double, boolean, date, timestamp or decimal(p,s)",
    ),
]);

export const column = z.strictObject({
  name: identifier,
  type: columnType,
  /** @default true */
  nullable: z.boolean().default(true),
  description: z.string().optional(),
});

export const maskingRule = z.enum(["cpf", "card", "email", "hash", "redact"]);

export const source = z.discriminatedUnion("kind", [
  z.strictObject({
    kind: z.literal("cdc"),
    /** Field carrying insert/update/delete. @default "operation" */
    operationField: identifier.default("operation"),
    /**
     * Columns that order the source's changes (e.g. a DMS commit timestamp or log sequence number), compared
     * ascending before the arrival order (`_ingested_at`, `_source_file`, `_source_row`). Every change must
     * carry them, deletes included: a change without one is quarantined (rule `required`).
     * @default [] (changes are ordered by arrival of their file, then by their position in it)
     */
    sequenceBy: z.array(identifier).default([]),
  }),
  z.strictObject({ kind: z.literal("batch") }),
  z.strictObject({
    kind: z.literal("api"),
    url: z.url({ protocol: /^https$/, error: "must be an https:// URL" }),
    /** Name of an entry in `secrets` holding the API credential. */
    secret: resourceKey.optional(),
  }),
  z.strictObject({
    kind: z.literal("event"),
    /** Message field carrying the idempotency key. @default "transaction_id" */
    idField: identifier.default("transaction_id"),
  }),
]);

const qualityColumn = { column: identifier };
export const qualityRule = z.discriminatedUnion("rule", [
  z.strictObject({ rule: z.literal("required"), ...qualityColumn }),
  z.strictObject({ rule: z.literal("format"), ...qualityColumn, format: z.enum(["cpf", "email"]) }),
  z.strictObject({
    rule: z.literal("regex"),
    ...qualityColumn,
    pattern: z.string().refine(isValidRegex, { message: "must be a valid regular expression" }),
  }),
  z.strictObject({ rule: z.literal("domain"), ...qualityColumn, values: z.array(z.string()).min(1) }),
  z
    .strictObject({
      rule: z.literal("range"),
      ...qualityColumn,
      min: z.number().optional(),
      max: z.number().optional(),
    })
    .refine((r) => r.min !== undefined || r.max !== undefined, { message: "a range needs min, max or both" })
    .refine((r) => r.min === undefined || r.max === undefined || r.min <= r.max, {
      message: "min must not exceed max",
    }),
]);

export const incremental = z.strictObject({
  /**
   * How bronze → silver reads bronze. `watermark` and `d-1` both read every bronze row not yet merged or
   * quarantined (a ledger of consumed rows, so each row counts exactly once whatever its `_ingested_at` or
   * arrival order). `d-1` does not re-read the previous day: re-reading it would change nothing, because the
   * daily D-1 source pull (`schedules.daily`) re-delivers that day as new files, which silver reads like any
   * other. `full` re-reads all of bronze every run (idempotent: silver keeps the newest version of each key,
   * and a quarantined row is never recorded twice).
   * With `watermarkColumn` on a table that is not CDC, an older version (by that column, NULL oldest) never
   * replaces a newer one, whatever order they arrive in; CDC tables are ordered by `source.sequenceBy`.
   */
  strategy: z.enum(["watermark", "d-1", "full"]).default("d-1"),
  watermarkColumn: identifier.optional(),
});

export const table = z.strictObject({
  name: identifier,
  description: z.string().optional(),
  source,
  /** Raw file format. @default "json" */
  format: z.enum(["json", "csv"]).default("json"),
  columns: z.array(column).min(1, "a table needs at least one column"),
  primaryKey: z.array(identifier).min(1, "a table needs a primary key"),
  /** @default [] */
  partitionBy: z.array(identifier).default([]),
  /** Column name → masking rule, applied bronze → silver. @default {} */
  pii: z.record(z.string(), maskingRule).default({}),
  /** @default [] */
  quality: z.array(qualityRule).default([]),
  incremental: incremental.optional(),
  migrations: z
    .array(
      z.strictObject({
        column: identifier.describe("The silver (and quarantine) column the change is about."),
        change: z
          .enum(["drop", "recast"])
          .describe(
            "drop: the column was removed from `columns`; delete it and its values. recast: its type " +
              "changed; convert the kept values with try_cast (a value that does not fit becomes NULL).",
          ),
      }),
    )
    .optional()
    .describe(
      "How the transform runs migrate existing silver and quarantine tables when a column is removed or " +
        "retyped (a breaking change, refused without an entry here; the table is rewritten once, atomically). " +
        "An added column needs no entry: it is added, NULL in the rows already there. Entries may stay after " +
        "the change is applied. Primary-key and partition columns cannot be migrated.",
    ),
  overrides: z
    .strictObject({
      /** Records above which the raw → bronze converter runs on ECS instead of Lambda. */
      lambdaMaxRecords: z.int().positive().optional(),
      rawExpirationDays: z.int().positive().optional(),
    })
    .default({}),
});

export const join = z.strictObject({
  table: identifier,
  /** Column on the view's base table (or on `via`). */
  leftColumn: identifier,
  /** Column on the joined table. @default leftColumn */
  rightColumn: identifier.optional(),
  /** Join through an already-joined table instead of the base table. */
  via: identifier.optional(),
});

/** A flat view over silver tables; joined columns are exposed as `<table>_<column>`. */
export const view = z.strictObject({
  name: identifier,
  from: identifier,
  joins: z.array(join).default([]),
});

export const measure = z.strictObject({
  name: identifier,
  fn: z.enum(["count", "count_distinct", "sum", "avg", "min", "max"]),
  /** Required for every fn but `count`. */
  column: identifier.optional(),
});

export const goldModel = z.strictObject({
  name: identifier,
  description: z.string().optional(),
  /** A silver table or a view. */
  from: identifier,
  dimensions: z.array(identifier).min(1, "a gold model needs at least one dimension"),
  measures: z.array(measure).min(1, "a gold model needs at least one measure"),
  /** Partition by the year and month of a timestamp column (seed 001: review_year, review_month). */
  timePartition: z.strictObject({ column: identifier, yearAs: identifier, monthAs: identifier }).optional(),
  orderBy: z
    .array(z.strictObject({ column: identifier, direction: z.enum(["asc", "desc"]).default("desc") }))
    .default([]),
  limit: z.int().positive().optional(),
});

export const secret = z.strictObject({
  name: resourceKey,
  description: z.string().optional(),
});

export const lakehouseSpec = z.strictObject({
  /** Short product name used in every physical name. */
  name: z
    .string()
    .regex(
      /^[a-z][a-z0-9-]{1,20}$/,
      "must be 2-21 lower-case letters, digits or dashes, starting with a letter",
    ),
  /** Protected environments keep data stores and keys on `pulumi destroy`. @default false */
  protect: z.boolean().default(false),
  retention: z
    .strictObject({
      /** Days before raw objects move to STANDARD_IA (S3 needs at least 30). @default 30 */
      rawTransitionDays: z
        .int()
        .min(30, "S3 allows STANDARD_IA transitions after at least 30 days")
        .default(30),
      /** Days before raw objects expire. @default 365 */
      rawExpirationDays: z.int().positive().default(365),
      /** Days before non-current object versions expire in every layer. @default 90 */
      noncurrentVersionDays: z.int().positive().default(90),
      /** Log retention for functions, workflows and access logs. @default 30 */
      logDays: z.int().positive().default(30),
    })
    .prefault({}),
  routing: z
    .strictObject({
      /** Files with up to this many estimated records convert on Lambda, above it on ECS. @default 100000 */
      lambdaMaxRecords: z.int().positive().default(100_000),
    })
    .prefault({}),
  schedules: z
    .strictObject({
      /** @default "0 * * * *" (hourly) */
      ingestion: cron.default("0 * * * *"),
      /** Daily D-1 reprocessing. @default "0 2 * * *" (02:00 UTC) */
      daily: cron.default("0 2 * * *"),
      /** @default "30 2 * * *" */
      bronzeToSilver: cron.default("30 2 * * *"),
      /** @default "0 4 * * *" */
      silverToGold: cron.default("0 4 * * *"),
    })
    .prefault({}),
  alerts: z.strictObject({
    emails: z
      .array(z.email({ error: "must be an e-mail address" }))
      .min(1, "at least one alert e-mail is required"),
    webhooks: z.array(z.url({ protocol: /^https$/, error: "must be an https:// URL" })).default([]),
  }),
  /**
   * Databricks settings for the Azure stack, pinned so nothing has to be looked up in a workspace that
   * does not exist yet (the first preview). Ignored on AWS. @default {} (every field at its default)
   */
  databricks: z
    .strictObject({
      /** Databricks Runtime of the job cluster (an LTS line). @default "15.4.x-scala2.12" */
      sparkVersion: z
        .string()
        .regex(/^\d+\.\d+\.x-[a-z0-9.-]+$/, 'must be a runtime key such as "15.4.x-scala2.12"')
        .default("15.4.x-scala2.12"),
      /** Azure VM size of the job cluster's driver and workers. @default "Standard_D4ds_v5" */
      nodeType: z
        .string()
        .regex(/^Standard_[A-Za-z0-9_]+$/, 'must be an Azure VM size such as "Standard_D4ds_v5"')
        .default("Standard_D4ds_v5"),
      /** Workers of the job cluster. @default 2 */
      workers: z.int().min(1).max(100).default(2),
      /** Start the job on the spec's bronzeToSilver schedule, or when files arrive in raw. @default "schedule" */
      trigger: z.enum(["schedule", "fileArrival"]).default("schedule"),
      /** IANA time zone of the schedule. @default "UTC" */
      timezone: z.string().min(1).default("UTC"),
      /** Timeout of each task. @default 3600 */
      taskTimeoutSeconds: z.int().min(60).max(172_800).default(3600),
      /** Retries of each task before the run fails. @default 2 */
      maxRetries: z.int().min(0).max(10).default(2),
    })
    .prefault({}),
  /** Source credentials to hold; values come from `pulumi config set --secret --path medallion:secrets.<name>`. */
  secrets: z.array(secret).default([]),
  tables: z.array(table).min(1, "a lakehouse needs at least one table"),
  views: z.array(view).default([]),
  gold: z.array(goldModel).default([]),
});

export type LakehouseSpecInput = z.input<typeof lakehouseSpec>;
export type LakehouseSpec = z.output<typeof lakehouseSpec>;
export type TableSpec = LakehouseSpec["tables"][number];
export type ColumnSpec = TableSpec["columns"][number];
export type SourceSpec = TableSpec["source"];
export type QualityRuleSpec = TableSpec["quality"][number];
export type ColumnMigrationSpec = NonNullable<TableSpec["migrations"]>[number];
export type MaskingRule = z.output<typeof maskingRule>;
export type ViewSpec = LakehouseSpec["views"][number];
export type GoldModelSpec = LakehouseSpec["gold"][number];
export type SecretSpec = LakehouseSpec["secrets"][number];
export type DatabricksSpec = LakehouseSpec["databricks"];

function isValidRegex(pattern: string): boolean {
  try {
    new RegExp(pattern);
    return true;
  } catch {
    return false;
  }
}
