import { z } from "zod";
import { cronPattern, cronProblems } from "./cron";

/**
 * The LakehouseSpec schema: plain data, usually from stack config `medallion:lakehouse`.
 * Shape only; cross-field rules (a PII column must exist, a key must be a column, ...) live in
 * `references.ts` so each rule can name the exact path it breaks.
 *
 * Every field carries `.meta({ description, examples })`: `npm run docs:spec` turns them into
 * docs/SPEC.md and the JSON Schema (`medallion schema`), so a field added here is documented there.
 */

/** A field's documentation: what it means, and one example value (omitted where the default says it all). */
function doc(description: string, ...examples: unknown[]) {
  return examples.length > 0 ? { description, examples } : { description };
}

/**
 * The retention values CloudWatch Logs accepts (PutRetentionPolicy `retentionInDays`,
 * https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html);
 * `AwsFunction` checks the same list as a guard.
 */
export const CLOUDWATCH_LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

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

/**
 * Five-field cron (minute hour day-of-month month day-of-week), rendered per cloud by the orchestrators
 * (EventBridge Scheduler, Quartz for Databricks, Container Apps); every field is range-checked in `cron.ts`.
 */
export const cron = z
  .string()
  .superRefine((value, context) => {
    for (const message of cronProblems(value)) context.addIssue({ code: "custom", message });
  })
  .meta({ pattern: cronPattern() });

/** Seconds of a duration such as "90m", "26h" or "2d". */
export function durationSeconds(duration: string): number {
  const unit = { m: 60, h: 3600, d: 86_400 }[duration.slice(-1) as "m" | "h" | "d"];
  return Number(duration.slice(0, -1)) * unit;
}

/** A duration such as "90m", "26h" or "2d". */
export const duration = z
  .string()
  .regex(/^[1-9]\d*[mhd]$/, 'must be a duration such as "90m", "26h" or "2d"');

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
  name: identifier.meta(doc("Column name in bronze, silver and the catalogs (lower snake_case).", "beer_id")),
  type: columnType.meta(
    doc(
      "Column type: string, int, bigint, double, boolean, date, timestamp or decimal(p,s). Raw values that do not convert are quarantined per record.",
      "decimal(4,2)",
    ),
  ),
  /** @default true */
  nullable: z
    .boolean()
    .default(true)
    .meta(doc("Whether the column may be NULL; a NULL in a non-nullable column is quarantined.", false)),
  description: z
    .string()
    .optional()
    .meta(doc("Column comment in the Glue / Unity Catalog table.", "Alcohol by volume, in percent")),
});

export const maskingRule = z.enum(["cpf", "card", "email", "hash", "redact"]);

export const source = z.discriminatedUnion("kind", [
  z
    .strictObject({
      kind: z.literal("cdc").meta(doc("Change data capture: insert/update/delete records of a database.")),
      /** Field carrying insert/update/delete. @default "operation" */
      operationField: identifier
        .default("operation")
        .meta(
          doc("Record field carrying the operation (insert, update or delete); not a declared column.", "op"),
        ),
      /**
       * Columns that order the source's changes (e.g. a DMS commit timestamp or log sequence number), compared
       * ascending before the arrival order (`_ingested_at`, `_source_file`, `_source_row`). Every change must
       * carry them, deletes included: a change without one is quarantined (rule `required`).
       * @default [] (changes are ordered by arrival of their file, then by their position in it)
       */
      sequenceBy: z
        .array(identifier)
        .default([])
        .meta(
          doc(
            "Columns that order the changes (a commit timestamp, a log sequence number), compared before arrival order; a change without them is quarantined. Empty: changes are ordered by arrival of their file, then their position in it.",
            ["commit_ts"],
          ),
        ),
    })
    .meta(doc("A CDC source.")),
  z
    .strictObject({
      kind: z.literal("batch").meta(doc("Files dropped under raw/<table>/ (JSON lines or CSV).")),
    })
    .meta(doc("A batch file source.")),
  z
    .strictObject({
      kind: z.literal("api").meta(doc("An HTTPS API pulled on the ingestion and daily schedules.")),
      url: z
        .url({ protocol: /^https$/, error: "must be an https:// URL" })
        .meta(doc("The API's https:// URL.", "https://api.example.com/customers")),
      /** Name of an entry in `secrets` holding the API credential. */
      secret: resourceKey
        .optional()
        .meta(doc("Name of an entry in `secrets` holding the API credential.", "brewery-api")),
    })
    .meta(doc("An API source.")),
  z
    .strictObject({
      kind: z
        .literal("database")
        .meta(doc("A table of an operational database, pulled by watermark or captured by DMS.")),
      engine: z
        .enum(["postgres", "mysql", "sqlserver", "aurora-postgresql", "aurora-mysql"])
        .meta(
          doc(
            "The source database's engine: picks the driver, the SQL dialect and the DMS endpoint engine.",
            "postgres",
          ),
        ),
      secret: resourceKey.meta(
        doc(
          'Name of an entry in `secrets` holding the connection as JSON in the RDS secret format (host, port, username, password, dbname; optional ca, a PEM bundle the server\'s certificate must chain to; optional tls: "require" to skip certificate checks).',
          "shop-db",
        ),
      ),
      capture: z
        .enum(["pull", "cdc"])
        .meta(
          doc(
            "pull: a scheduled query of the rows whose incremental.watermarkColumn falls in the window since the watermark (hourly) and of the whole previous day (daily D-1). cdc: AWS DMS streams every change into the CDC stream (not built yet: refused).",
            "pull",
          ),
        ),
      sourceTable: z
        .string()
        .regex(
          /^[A-Za-z_][A-Za-z0-9_$]{0,62}(\.[A-Za-z_][A-Za-z0-9_$]{0,62})?$/,
          'must be "table" or "schema.table"',
        )
        .optional()
        .meta(
          doc(
            "The source table as schema.table; absent: the table's name in public (PostgreSQL), dbo (SQL Server) or the connection's database (MySQL).",
            "sales.orders",
          ),
        ),
      timeZone: z
        .string()
        .refine(isTimeZone, { message: 'must be an IANA time zone such as "UTC" or "America/Sao_Paulo"' })
        .default("UTC")
        .meta(
          doc(
            "IANA time zone in which the source stores timestamps without a zone (timestamp, datetime); zoned columns are read as instants.",
            "America/Sao_Paulo",
          ),
        ),
    })
    .meta(doc("A database source.")),
  z
    .strictObject({
      kind: z.literal("event").meta(doc("Messages that each trigger a job run (SNS/SQS on AWS).")),
      /** Message field carrying the idempotency key. @default "transaction_id" */
      idField: identifier
        .default("transaction_id")
        .meta(doc("Message field carrying the idempotency key: a repeated key runs once.", "order_id")),
    })
    .meta(doc("An event source.")),
]);

const qualityColumn = {
  column: identifier.meta(
    doc("The column the rule checks; a failing record is quarantined with the rule's name.", "email"),
  ),
};
const qualityRuleName = <R extends string>(rule: R, description: string) =>
  z.literal(rule).meta(doc(description));
export const qualityRule = z.discriminatedUnion("rule", [
  z.strictObject({
    rule: qualityRuleName("required", "The column must not be NULL or empty."),
    ...qualityColumn,
  }),
  z.strictObject({
    rule: qualityRuleName("format", "The column must be a valid CPF or e-mail address."),
    ...qualityColumn,
    format: z.enum(["cpf", "email"]).meta(doc("The format to check.", "email")),
  }),
  z.strictObject({
    rule: qualityRuleName("regex", "The column must match a regular expression."),
    ...qualityColumn,
    pattern: z
      .string()
      .refine(isValidRegex, { message: "must be a valid regular expression" })
      .meta(doc("A regular expression the whole value must match.", "^[A-Z]{2}$")),
  }),
  z.strictObject({
    rule: qualityRuleName("domain", "The column must be one of a list of values."),
    ...qualityColumn,
    values: z
      .array(z.string())
      .min(1)
      .meta(doc("The allowed values.", ["open", "closed"])),
  }),
  z
    .strictObject({
      rule: qualityRuleName("range", "The column must lie between min and max (inclusive)."),
      ...qualityColumn,
      min: z.number().optional().meta(doc("Smallest allowed value.", 0)),
      max: z.number().optional().meta(doc("Largest allowed value.", 5)),
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
  strategy: z
    .enum(["watermark", "d-1", "full"])
    .default("d-1")
    .meta(
      doc(
        "How bronze → silver reads bronze. `watermark` and `d-1` read every bronze row not yet merged or quarantined (each row counts exactly once); `d-1` relies on the daily D-1 pull re-delivering the previous day as new files. `full` re-reads all of bronze every run (idempotent).",
        "watermark",
      ),
    ),
  watermarkColumn: identifier
    .optional()
    .meta(
      doc(
        'Column ordering versions of a non-CDC table (NULL oldest): an older version never replaces a newer one. Required when strategy is "watermark".',
        "updated_at",
      ),
    ),
});

export const table = z.strictObject({
  name: identifier.meta(
    doc("Table name: the raw/<name>/ prefix and the bronze and silver table names.", "orders"),
  ),
  description: z
    .string()
    .optional()
    .meta(doc("Table comment in the catalogs.", "Orders, one row per order.")),
  source: source.meta(
    doc(
      'Where the table\'s records come from, chosen by `kind`: "cdc", "batch", "api", "event" or "database".',
    ),
  ),
  /** Raw file format. @default "json" */
  format: z
    .enum(["json", "csv"])
    .default("json")
    .meta(doc("Raw file format: JSON lines or CSV with a header.", "csv")),
  columns: z
    .array(column)
    .min(1, "a table needs at least one column")
    .meta(doc("The table's columns, in order.")),
  primaryKey: z
    .array(identifier)
    .min(1, "a table needs a primary key")
    .meta(doc("Columns identifying a row: silver keeps the newest version of each key.", ["order_id"])),
  /** @default [] */
  partitionBy: z
    .array(identifier)
    .default([])
    .meta(doc("Columns the bronze and silver tables are partitioned by.", ["country"])),
  /** Column name → masking rule, applied bronze → silver. @default {} */
  pii: z
    .record(z.string(), maskingRule)
    .default({})
    .meta(
      doc(
        "Column name → masking rule (cpf, card, email, hash, redact), applied bronze → silver. Keys, partition and join columns take only hash (HMAC-SHA256).",
        { email: "email", customer_id: "hash" },
      ),
    ),
  /** @default [] */
  quality: z
    .array(qualityRule)
    .default([])
    .meta(
      doc("Quality rules checked bronze → silver; a failing record is quarantined with the rule's name."),
    ),
  incremental: incremental.optional().meta(doc("How bronze → silver reads bronze; absent: strategy d-1.")),
  monitoring: z
    .strictObject({
      maxQuarantineRatio: z
        .number()
        .gt(0)
        .max(1)
        .optional()
        .meta(
          doc(
            "Share of a table's rows (bronze and silver, per hour) above which its quarantine alarm fires, e.g. 0.05 for 5%. Default 0.05.",
            0.05,
          ),
        ),
      expectedEvery: duration
        // PutMetricAlarm: Period × EvaluationPeriods ≤ 7 days, and ≤ 1 day for periods under an hour
        // (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html).
        .refine((d) => durationSeconds(d) <= 7 * 86_400, { message: "must be at most 7 days (7d)" })
        .refine((d) => durationSeconds(d) % 3600 === 0 || durationSeconds(d) <= 86_400, {
          message: "must be whole hours when longer than 1 day",
        })
        .optional()
        .meta(
          doc(
            'Longest time without new rows for this table before its freshness alarm fires: "<n>m", "<n>h" or "<n>d", at most 7 days (CloudWatch evaluates at most 7 days; 1 day unless whole hours). Default "1d".',
            "26h",
          ),
        ),
    })
    .optional()
    .meta(doc("Data alarms of this table (AWS: CloudWatch alarms on the per-table data metrics).")),
  migrations: z
    .array(
      z.strictObject({
        column: identifier.meta(doc("The silver (and quarantine) column the change is about.", "abv")),
        change: z
          .enum(["drop", "recast"])
          .meta(
            doc(
              "drop: the column was removed from `columns`; delete it and its values. recast: its type changed; convert the kept values with try_cast (a value that does not fit becomes NULL).",
              "recast",
            ),
          ),
      }),
    )
    .optional()
    .meta(
      doc(
        "How the transform runs migrate existing silver and quarantine tables when a column is removed or retyped (a breaking change, refused without an entry here; the table is rewritten once, atomically). An added column needs no entry: it is added, NULL in the rows already there. Entries may stay after the change is applied. Primary-key and partition columns cannot be migrated.",
        [{ column: "abv", change: "recast" }],
      ),
    ),
  overrides: z
    .strictObject({
      /** Records above which the raw → bronze converter runs on ECS instead of Lambda. */
      lambdaMaxRecords: z
        .int()
        .positive()
        .optional()
        .meta(
          doc(
            "This table's `routing.lambdaMaxRecords` (AWS): estimated records above which its files convert on ECS.",
            20000,
          ),
        ),
      rawExpirationDays: z
        .int()
        .positive()
        .optional()
        .meta(
          doc("Not applied by either cloud yet, so refused: set `retention.rawExpirationDays` instead.", 90),
        ),
    })
    .default({})
    .meta(doc("Per-table settings replacing the spec-wide ones.")),
});

export const join = z.strictObject({
  table: identifier.meta(doc("The silver table to join.", "beer")),
  /** Column on the view's base table (or on `via`). */
  leftColumn: identifier.meta(doc("Column on the view's base table (or on `via`).", "beer_id")),
  /** Column on the joined table. @default leftColumn */
  rightColumn: identifier
    .optional()
    .meta(doc("Column on the joined table; absent: the same name as leftColumn.", "id")),
  /** Join through an already-joined table instead of the base table. */
  via: identifier
    .optional()
    .meta(doc("Join through an already-joined table instead of the base table.", "beer")),
});

/** A flat view over silver tables; joined columns are exposed as `<table>_<column>`. */
export const view = z.strictObject({
  name: identifier.meta(doc("View name in silver; must not be a table name.", "review_flat")),
  from: identifier.meta(doc("The view's base silver table.", "review")),
  joins: z
    .array(join)
    .default([])
    .meta(doc("Left joins, in order; joined columns are exposed as `<table>_<column>`.")),
});

export const measure = z.strictObject({
  name: identifier.meta(doc("Output column name.", "avg_rating")),
  fn: z.enum(["count", "count_distinct", "sum", "avg", "min", "max"]).meta(doc("Aggregate function.", "avg")),
  /** Required for every fn but `count`. */
  column: identifier.optional().meta(doc("Column aggregated; required for every fn but count.", "overall")),
});

export const goldModel = z.strictObject({
  name: identifier.meta(doc("Gold table name.", "top_beers")),
  description: z
    .string()
    .optional()
    .meta(doc("Table comment in the catalogs.", "Best-rated beers per month.")),
  /** A silver table or a view. */
  from: identifier.meta(doc("A silver table or a view.", "review_flat")),
  dimensions: z
    .array(identifier)
    .min(1, "a gold model needs at least one dimension")
    .meta(doc("Group-by columns of `from`.", ["beer_id", "beer_name"])),
  measures: z
    .array(measure)
    .min(1, "a gold model needs at least one measure")
    .meta(doc("Aggregates computed per group.")),
  /** Partition by the year and month of a timestamp column (seed 001: review_year, review_month). */
  timePartition: z
    .strictObject({
      column: identifier.meta(doc("A timestamp or date column of `from`.", "review_time")),
      yearAs: identifier.meta(doc("Name of the year output column.", "review_year")),
      monthAs: identifier.meta(doc("Name of the month output column.", "review_month")),
    })
    .optional()
    .meta(doc("Group and partition by the year and month of a timestamp column.")),
  orderBy: z
    .array(
      z.strictObject({
        column: identifier.meta(doc("A dimension or measure name.", "avg_rating")),
        direction: z.enum(["asc", "desc"]).default("desc").meta(doc("Sort direction.", "asc")),
      }),
    )
    .default([])
    .meta(doc("Sort order of the gold table (used with limit).")),
  limit: z.int().positive().optional().meta(doc("Keep only the first rows after orderBy.", 100)),
});

export const secret = z.strictObject({
  name: resourceKey.meta(doc("Secret name; its value is `medallion:secrets.<name>`.", "brewery-api")),
  description: z
    .string()
    .optional()
    .meta(doc("What the secret is, kept on the secret.", "Token for the brewery API")),
});

export const lakehouseSpec = z
  .strictObject({
    /** Short product name used in every physical name. */
    name: z
      .string()
      .regex(
        /^[a-z][a-z0-9-]{1,20}$/,
        "must be 2-21 lower-case letters, digits or dashes, starting with a letter",
      )
      .meta(
        doc(
          "Short product name used in every physical name (renaming it replaces every resource).",
          "brewery",
        ),
      ),
    /** Protected environments keep data stores and keys on `pulumi destroy`. @default false */
    protect: z
      .boolean()
      .default(false)
      .meta(doc("Protected environments keep data stores and keys on `pulumi destroy`.", true)),
    retention: z
      .strictObject({
        /** Days before raw objects move to STANDARD_IA (S3 needs at least 30). @default 30 */
        rawTransitionDays: z
          .int()
          .min(30, "S3 allows STANDARD_IA transitions after at least 30 days")
          .default(30)
          .meta(
            doc(
              "Days before raw objects move to infrequent access (S3 STANDARD_IA, Azure cool); at least 30.",
              60,
            ),
          ),
        /** Days before raw objects expire. @default 365 */
        rawExpirationDays: z
          .int()
          .positive()
          .default(365)
          .meta(doc("Days before raw objects expire; later than rawTransitionDays.", 180)),
        /** Days before non-current object versions expire in every layer. @default 90 */
        noncurrentVersionDays: z
          .int()
          .positive()
          .default(90)
          .meta(doc("Days before non-current object versions expire in every layer.", 30)),
        /** Log retention for functions, workflows and access logs. @default 30 */
        logDays: z
          .literal(CLOUDWATCH_LOG_RETENTION_DAYS)
          .default(30)
          .meta(
            doc(
              "Log retention of functions, workflows and jobs, in days: one of the values CloudWatch Logs accepts (Azure Log Analytics keeps 30-730 days of it).",
              90,
            ),
          ),
      })
      // AWS S3 lifecycle and Azure blob management both refuse an expiration at or before the transition
      // (AwsMedallionLayer / AzureStorageAccount check it too, as a guard).
      .refine((r) => r.rawExpirationDays > r.rawTransitionDays, {
        path: ["rawExpirationDays"],
        message:
          "must be later than rawTransitionDays (raw objects expire after they move to infrequent access)",
      })
      .prefault({})
      .meta(doc("How long raw data, old versions and logs are kept.")),
    routing: z
      .strictObject({
        /** Files with up to this many estimated records convert on Lambda, above it on ECS. @default 100000 */
        lambdaMaxRecords: z
          .int()
          .positive()
          .default(100_000)
          .meta(
            doc(
              "Files with up to this many estimated records convert on Lambda, above it on ECS (AWS).",
              50000,
            ),
          ),
      })
      .prefault({})
      .meta(doc("Where raw files are converted to bronze (AWS).")),
    schedules: z
      .strictObject({
        /** @default "0 * * * *" (hourly) */
        ingestion: cron.default("0 * * * *").meta(doc("Cron (UTC) of the API pulls.", "*/30 * * * *")),
        /** Daily D-1 reprocessing. @default "0 2 * * *" (02:00 UTC) */
        daily: cron
          .default("0 2 * * *")
          .meta(doc("Cron (UTC) of the daily D-1 pull of the previous day.", "0 3 * * *")),
        /** @default "30 2 * * *" */
        bronzeToSilver: cron
          .default("30 2 * * *")
          .meta(doc("Cron (UTC) of the bronze → silver run.", "30 3 * * *")),
        /** @default "0 4 * * *" */
        silverToGold: cron
          .default("0 4 * * *")
          .meta(doc("Cron (UTC) of the silver → gold run.", "0 5 * * 1-5")),
      })
      .prefault({})
      .meta(
        doc(
          'Five-field cron schedules "minute hour day-of-month month day-of-week": numbers, names (JAN-DEC, SUN-SAT), *, ranges, lists and steps; day-of-week 0-7 (0 and 7 are Sunday); at most one of the two day fields restricted.',
        ),
      ),
    alerts: z
      .strictObject({
        emails: z
          .array(z.email({ error: "must be an e-mail address" }))
          .min(1, "at least one alert e-mail is required")
          .meta(
            doc("Who receives failure alerts (each confirms the subscription once).", ["oncall@example.com"]),
          ),
        webhooks: z
          .array(z.url({ protocol: /^https$/, error: "must be an https:// URL" }))
          .default([])
          .meta(doc("https:// endpoints that also receive the alerts.", ["https://hooks.example.com/data"])),
      })
      .meta(doc("Where failure alerts go.")),
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
          .default("15.4.x-scala2.12")
          .meta(doc("Databricks Runtime of the job cluster (an LTS line).", "16.4.x-scala2.12")),
        /** Azure VM size of the job cluster's driver and workers. @default "Standard_D4ds_v5" */
        nodeType: z
          .string()
          .regex(/^Standard_[A-Za-z0-9_]+$/, 'must be an Azure VM size such as "Standard_D4ds_v5"')
          .default("Standard_D4ds_v5")
          .meta(doc("Azure VM size of the job cluster's driver and workers.", "Standard_D8ds_v5")),
        /** Workers of the job cluster. @default 2 */
        workers: z.int().min(1).max(100).default(2).meta(doc("Workers of the job cluster (1-100).", 4)),
        /** Start the job on the spec's bronzeToSilver schedule, or when files arrive in raw. @default "schedule" */
        trigger: z
          .enum(["schedule", "fileArrival"])
          .default("schedule")
          .meta(
            doc("Start the job on schedules.bronzeToSilver, or when files arrive in raw.", "fileArrival"),
          ),
        /** IANA time zone of the schedule. @default "UTC" */
        timezone: z
          .string()
          // Databricks resolves the schedule's timezone_id as a Java time-zone ID, which IANA names are.
          .refine(isTimeZone, { message: 'must be an IANA time zone such as "Europe/Amsterdam" or "UTC"' })
          .default("UTC")
          .meta(doc("IANA time zone of the job schedule.", "Europe/Amsterdam")),
        /** Timeout of each task. @default 3600 */
        taskTimeoutSeconds: z
          .int()
          .min(60)
          .max(172_800)
          .default(3600)
          .meta(doc("Timeout of each task, in seconds (60-172800).", 7200)),
        /** Retries of each task before the run fails. @default 2 */
        maxRetries: z
          .int()
          .min(0)
          .max(10)
          .default(2)
          .meta(doc("Retries of each task before the run fails (0-10).", 1)),
      })
      .prefault({})
      .meta(
        doc(
          "Databricks settings of the Azure stack, pinned so nothing is looked up in a workspace that does not exist yet. Ignored on AWS.",
        ),
      ),
    /** Source credentials to hold; values come from `pulumi config set --secret --path medallion:secrets.<name>`. */
    secrets: z
      .array(secret)
      .default([])
      .meta(
        doc(
          "Source credentials to hold (Secrets Manager / Key Vault); each value comes from `pulumi config set --secret --path medallion:secrets.<name> <value>`.",
        ),
      ),
    observability: z
      .strictObject({
        budget: z
          .strictObject({
            monthlyLimit: z
              .number()
              .positive()
              .default(100)
              .meta(
                doc(
                  "Monthly cost limit of the stack (AWS: USD over the stack's tagged resources; Azure: the billing currency over the stack's tagged resources).",
                  500,
                ),
              ),
            forecastPercents: z
              .array(z.number().positive().max(1000))
              .default([100])
              .meta(doc("Forecast thresholds, percent of the limit, that alert the alert channel.", [100])),
            actualPercents: z
              .array(z.number().positive().max(1000))
              .default([80, 100])
              .meta(
                doc(
                  "Actual-spend thresholds, percent of the limit, that alert the alert channel.",
                  [80, 100],
                ),
              ),
          })
          // AWS Budgets and Azure consumption budgets both take at most five notifications per budget
          // (https://docs.aws.amazon.com/cost-management/latest/userguide/budgets-controls.html,
          // https://learn.microsoft.com/rest/api/consumption/budgets/create-or-update).
          .refine((b) => new Set(b.forecastPercents).size + new Set(b.actualPercents).size <= 5, {
            message: "a budget takes at most 5 notifications (forecast and actual thresholds together)",
          })
          .prefault({})
          .meta(doc("The stack's cost budget, alerting the alert channel.")),
        costReport: z
          .boolean()
          .default(false)
          .meta(
            doc(
              "AWS: a Cost and Usage Report (Data Exports, CUR 2.0) into a bucket of the stack, with an Athena table. Not built yet: refused on both clouds.",
              false,
            ),
          ),
        grafana: z
          .boolean()
          .default(false)
          .meta(
            doc(
              "AWS: an Amazon Managed Grafana workspace with Athena and CloudWatch data sources and the analytic, operational and financial dashboards. Not built yet: refused on both clouds.",
              false,
            ),
          ),
      })
      .prefault({})
      .meta(doc("Dashboards, budgets and cost reports of the stack.")),
    tables: z
      .array(table)
      .min(1, "a lakehouse needs at least one table")
      .meta(doc("The tables: each one is ingested to raw, converted to bronze and merged into silver.")),
    views: z.array(view).default([]).meta(doc("Flat views over silver tables.")),
    gold: z.array(goldModel).default([]).meta(doc("Gold aggregate tables over silver tables and views.")),
  })
  .meta({
    title: "LakehouseSpec",
    description: "The lakehouse spec: stack config key `medallion:lakehouse`.",
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
export type ObservabilitySpec = LakehouseSpec["observability"];

function isTimeZone(zone: string): boolean {
  if (zone === "") return false;
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function isValidRegex(pattern: string): boolean {
  try {
    new RegExp(pattern);
    return true;
  } catch {
    return false;
  }
}
