import { ConfigError, lakehouseSpecProblems, parseLakehouseSpec, type LakehouseSpecInput } from ".";

/** A small valid spec; each test breaks one thing. */
function validSpec(): LakehouseSpecInput {
  return {
    name: "brewery",
    alerts: { emails: ["data@example.com"] },
    secrets: [{ name: "brewery-api" }],
    tables: [
      {
        name: "beer",
        source: { kind: "batch" },
        columns: [
          { name: "beer_id", type: "bigint" },
          { name: "name", type: "string" },
          { name: "style", type: "string" },
        ],
        primaryKey: ["beer_id"],
      },
      {
        name: "review",
        source: { kind: "cdc" },
        columns: [
          { name: "review_id", type: "bigint" },
          { name: "beer_id", type: "bigint" },
          { name: "overall", type: "double" },
          { name: "review_time", type: "timestamp" },
        ],
        primaryKey: ["review_id"],
      },
      {
        name: "customers",
        source: { kind: "api", url: "https://api.example.com/customers", secret: "brewery-api" },
        columns: [
          { name: "customer_id", type: "bigint" },
          { name: "cpf", type: "string" },
          { name: "email", type: "string" },
        ],
        primaryKey: ["customer_id"],
        pii: { cpf: "cpf", email: "email" },
        quality: [{ rule: "format", column: "cpf", format: "cpf" }],
      },
    ],
    views: [{ name: "review_flat", from: "review", joins: [{ table: "beer", leftColumn: "beer_id" }] }],
    gold: [
      {
        name: "top_beers",
        from: "review_flat",
        dimensions: ["beer_id", "beer_name"],
        measures: [{ name: "avg_rating", fn: "avg", column: "overall" }],
        timePartition: { column: "review_time", yearAs: "review_year", monthAs: "review_month" },
        orderBy: [{ column: "avg_rating" }],
      },
    ],
  };
}

type Mutable = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function problemsAfter(change: (spec: Mutable) => void) {
  const spec = validSpec() as Mutable;
  change(spec);
  // Index path and message; the named path (`at`) and segments are checked in errors.test.ts.
  return lakehouseSpecProblems(spec).map(({ path, message }) => ({ path, message }));
}

describe("named paths", () => {
  it('names the list items on the way: tables[i] "name".columns[j] "name"', () => {
    const spec = validSpec() as Mutable;
    spec.tables[2].columns[1].type = "text";
    expect(lakehouseSpecProblems(spec, "medallion:lakehouse")).toEqual([
      expect.objectContaining({
        path: "medallion:lakehouse.tables[2].columns[1].type",
        at: 'medallion:lakehouse.tables[2] "customers".columns[1] "cpf".type',
        key: "medallion:lakehouse",
        segments: ["tables", 2, "columns", 1, "type"],
      }),
    ]);
    expect(() => parseLakehouseSpec(spec)).toThrow(
      'lakehouse.tables[2] "customers".columns[1] "cpf".type: must be',
    );
  });
});

describe("parseLakehouseSpec", () => {
  it("accepts a valid spec and resolves every default once", () => {
    const spec = parseLakehouseSpec(validSpec());
    expect(spec.protect).toBe(false);
    expect(spec.retention).toEqual({
      rawTransitionDays: 30,
      rawExpirationDays: 365,
      noncurrentVersionDays: 90,
      logDays: 30,
    });
    expect(spec.routing).toEqual({ lambdaMaxRecords: 100000 });
    expect(spec.schedules).toEqual({
      ingestion: "0 * * * *",
      daily: "0 2 * * *",
      bronzeToSilver: "30 2 * * *",
      silverToGold: "0 4 * * *",
    });
    expect(spec.tables[1].source).toEqual({ kind: "cdc", operationField: "operation", sequenceBy: [] });
    expect(spec.tables[0]).toMatchObject({
      format: "json",
      partitionBy: [],
      pii: {},
      quality: [],
      overrides: {},
    });
    expect(spec.tables[0].columns[0].nullable).toBe(true);
  });

  it("fails with one error listing every problem with its path", () => {
    const spec = validSpec() as Mutable;
    spec.tables[2].pii = { cpf: "cpf", cpf_number: "cpf" };
    spec.tables[0].primaryKey = ["id"];
    let error: unknown;
    try {
      parseLakehouseSpec(spec);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe(
      [
        "The lakehouse spec (lakehouse) has 2 problems:",
        '  - lakehouse.tables[0] "beer".primaryKey[0]: column "id" is not in columns',
        '  - lakehouse.tables[2] "customers".pii.cpf_number: column "cpf_number" is not in columns',
      ].join("\n"),
    );
  });

  it("reports reference problems next to shape problems, without cascades from entries that failed", () => {
    expect(
      problemsAfter((s) => {
        s.tables[0].columns = [];
        s.tables[2].pii = { cpf_number: "cpf" };
      }),
    ).toEqual([
      { path: "lakehouse.tables[0].columns", message: "a table needs at least one column" },
      { path: "lakehouse.tables[2].pii.cpf_number", message: 'column "cpf_number" is not in columns' },
    ]);
  });

  it("reports every shape problem at once", () => {
    expect(
      problemsAfter((s) => {
        s.name = "Brewery!";
        s.alerts.emails = ["not-an-email"];
        s.tables[0].columns = [];
        s.colour = "blue";
      }),
    ).toEqual([
      {
        path: "lakehouse.name",
        message: "must be 2-21 lower-case letters, digits or dashes, starting with a letter",
      },
      { path: "lakehouse.alerts.emails[0]", message: "must be an e-mail address" },
      { path: "lakehouse.tables[0].columns", message: "a table needs at least one column" },
      {
        path: "lakehouse.colour",
        message:
          'unknown field "colour"; fields here: name, protect, retention, routing, schedules, alerts, databricks, secrets, observability, tables, views, gold',
      },
    ]);
  });

  const cases: [string, (s: Mutable) => void, { path: string; message: string }[]][] = [
    [
      "a required field is missing",
      (s) => delete s.alerts,
      [{ path: "lakehouse.alerts", message: "is required (object)" }],
    ],
    [
      "a field has the wrong type",
      (s) => (s.protect = "yes"),
      [{ path: "lakehouse.protect", message: "must be a boolean" }],
    ],
    [
      "a source kind is unknown",
      (s) => (s.tables[0].source = { kind: "ftp" }),
      [
        {
          path: "lakehouse.tables[0].source.kind",
          message: 'must be one of "cdc", "batch", "api", "database", "event"',
        },
      ],
    ],
    [
      "a column type is unknown",
      (s) => (s.tables[0].columns[1].type = "varchar"),
      [
        {
          path: "lakehouse.tables[0].columns[1].type",
          message: "must be string, int, bigint, double, boolean, date, timestamp or decimal(p,s)",
        },
      ],
    ],
    [
      "a table name is not snake_case",
      (s) => (s.tables[0].name = "Beer-Table"),
      [
        {
          path: "lakehouse.tables[0].name",
          message: "must be lower snake_case: a letter, then letters, digits or _ (max 63)",
        },
        // Reference rules still run on the rest of the spec: the view's join now names no table.
        { path: "lakehouse.views[0].joins[0].table", message: 'table "beer" is not in tables' },
      ],
    ],
    [
      "a PII column is not in columns",
      (s) => (s.tables[2].pii = { cpf_number: "cpf" }),
      [{ path: "lakehouse.tables[2].pii.cpf_number", message: 'column "cpf_number" is not in columns' }],
    ],
    [
      "a masking rule is unknown",
      (s) => (s.tables[2].pii = { cpf: "scramble" }),
      [
        {
          path: "lakehouse.tables[2].pii.cpf",
          message: 'must be one of "cpf", "card", "email", "hash", "redact"',
        },
      ],
    ],
    [
      "a cpf mask targets a non-string column",
      (s) => (s.tables[1].pii = { overall: "cpf" }),
      [
        {
          path: "lakehouse.tables[1].pii.overall",
          message: 'masking rule "cpf" needs a string column, "overall" is double',
        },
      ],
    ],
    [
      "a mask other than hash is on a primary-key column (two keys would become one row)",
      (s) => (s.tables[2].pii = { customer_id: "redact" }),
      [
        {
          path: "lakehouse.tables[2].pii.customer_id",
          message:
            'masking rule "redact" on primary-key column "customer_id" would merge different keys into one row; only "hash" keeps them apart',
        },
      ],
    ],
    [
      "a mask other than hash is on a partition column",
      (s) => {
        s.tables[0].partitionBy = ["style"];
        s.tables[0].pii = { style: "redact" };
      },
      [
        {
          path: "lakehouse.tables[0].pii.style",
          message:
            'masking rule "redact" on partition column "style" would merge different partitions; only "hash" keeps them apart',
        },
      ],
    ],
    [
      "a mask other than hash is on a view's join column",
      (s) => (s.tables[1].pii = { beer_id: "redact" }),
      [
        {
          path: "lakehouse.views[0].joins[0].leftColumn",
          message:
            'join column "review.beer_id" is masked with "redact", which merges different values; only "hash" keeps them apart',
        },
      ],
    ],
    [
      "only one side of a join is hashed",
      (s) => (s.tables[1].pii = { beer_id: "hash" }),
      [
        {
          path: "lakehouse.views[0].joins[0]",
          message:
            '"review.beer_id" and "beer.beer_id" must both be masked with "hash" or neither, or no row joins',
        },
      ],
    ],
    [
      "sequenceBy names a missing column",
      (s) => (s.tables[1].source = { kind: "cdc", sequenceBy: ["review_time", "lsn"] }),
      [{ path: "lakehouse.tables[1].source.sequenceBy[1]", message: 'column "lsn" is not in columns' }],
    ],
    [
      "a column that orders changes is masked",
      (s) => {
        s.tables[1].source = { kind: "cdc", sequenceBy: ["review_time"] };
        s.tables[1].pii = { review_time: "hash" };
      },
      [
        {
          path: "lakehouse.tables[1].pii.review_time",
          message:
            '"review_time" orders the table\'s changes (sequenceBy or watermarkColumn) and cannot be masked',
        },
      ],
    ],
    [
      "a quality rule names a missing column",
      (s) => (s.tables[2].quality = [{ rule: "required", column: "phone" }]),
      [{ path: "lakehouse.tables[2].quality[0].column", message: 'column "phone" is not in columns' }],
    ],
    [
      "a quality rule kind is unknown",
      (s) => (s.tables[2].quality = [{ rule: "unique", column: "cpf" }]),
      [
        {
          path: "lakehouse.tables[2].quality[0].rule",
          message: 'must be one of "required", "format", "regex", "domain", "range"',
        },
      ],
    ],
    [
      "a range has neither bound",
      (s) => (s.tables[1].quality = [{ rule: "range", column: "overall" }]),
      [{ path: "lakehouse.tables[1].quality[0]", message: "a range needs min, max or both" }],
    ],
    [
      "a range is inverted",
      (s) => (s.tables[1].quality = [{ rule: "range", column: "overall", min: 5, max: 0 }]),
      [{ path: "lakehouse.tables[1].quality[0]", message: "min must not exceed max" }],
    ],
    [
      "a regex does not compile",
      (s) => (s.tables[2].quality = [{ rule: "regex", column: "email", pattern: "([a-z" }]),
      [{ path: "lakehouse.tables[2].quality[0].pattern", message: "must be a valid regular expression" }],
    ],
    [
      "a domain list is empty",
      (s) => (s.tables[2].quality = [{ rule: "domain", column: "email", values: [] }]),
      [
        {
          path: "lakehouse.tables[2].quality[0].values",
          message: "Too small: expected array to have >=1 items",
        },
      ],
    ],
    [
      "two tables share a name",
      (s) =>
        s.tables.push({
          ...s.tables[0],
          columns: [{ name: "other_id", type: "int" }],
          primaryKey: ["other_id"],
        }),
      [{ path: "lakehouse.tables[3].name", message: 'duplicate table "beer"' }],
    ],
    [
      "a column is declared twice",
      (s) => s.tables[0].columns.push({ name: "style", type: "string" }),
      [{ path: "lakehouse.tables[0].columns[3].name", message: 'duplicate column "style"' }],
    ],
    [
      "an API source names an undeclared secret",
      (s) => (s.tables[2].source.secret = "crm-api"),
      [{ path: "lakehouse.tables[2].source.secret", message: 'secret "crm-api" is not in secrets' }],
    ],
    [
      "an API source is not https",
      (s) => (s.tables[2].source.url = "http://api.example.com"),
      [{ path: "lakehouse.tables[2].source.url", message: "must be an https:// URL" }],
    ],
    [
      "a CDC table declares its operation column",
      (s) => s.tables[1].columns.push({ name: "operation", type: "string" }),
      [
        {
          path: "lakehouse.tables[1].source.operationField",
          message: '"operation" is added by CDC ingestion and must not also be a declared column',
        },
      ],
    ],
    [
      "a watermark strategy has no column",
      (s) => (s.tables[1].incremental = { strategy: "watermark" }),
      [
        {
          path: "lakehouse.tables[1].incremental.watermarkColumn",
          message: 'required when strategy is "watermark"',
        },
      ],
    ],
    [
      "a cron has four fields",
      (s) => (s.schedules = { daily: "0 2 * *" }),
      [
        {
          path: "lakehouse.schedules.daily",
          message:
            'must be a five-field cron expression "minute hour day-of-month month day-of-week", e.g. "0 2 * * *" (got 4 fields)',
        },
      ],
    ],
    [
      "a cron hour is out of range (AWS refuses it at up)",
      (s) => (s.schedules = { daily: "30 25 * * *" }),
      [
        {
          path: "lakehouse.schedules.daily",
          message: 'hour "25": "25" is out of range (allowed: 0-23, *, lists, ranges a-b, steps /n)',
        },
      ],
    ],
    [
      "a cron restricts both day fields (EventBridge Scheduler and Quartz take one)",
      (s) => (s.schedules = { silverToGold: "0 4 1 * MON" }),
      [
        {
          path: "lakehouse.schedules.silverToGold",
          message:
            'restricts both day-of-month ("1") and day-of-week ("MON"); EventBridge Scheduler and Quartz (Databricks) take only one: put * in the other',
        },
      ],
    ],
    [
      "raw objects expire before they transition (the S3 / Azure lifecycle check, under the spec's names)",
      (s) => (s.retention = { rawTransitionDays: 60, rawExpirationDays: 45 }),
      [
        {
          path: "lakehouse.retention.rawExpirationDays",
          message:
            "must be later than rawTransitionDays (raw objects expire after they move to infrequent access)",
        },
      ],
    ],
    [
      "a log retention is not a CloudWatch Logs value (AwsFunction's check, under the spec's name)",
      (s) => (s.retention = { logDays: 45 }),
      [
        {
          path: "lakehouse.retention.logDays",
          message: expect.stringMatching(/^must be one of 1, 3, 5, .*3653$/),
        },
      ],
    ],
    [
      "a table sets overrides.rawExpirationDays, which no cloud applies",
      (s) => (s.tables[0].overrides = { rawExpirationDays: 30 }),
      [
        {
          path: "lakehouse.tables[0].overrides.rawExpirationDays",
          message:
            "is not applied by either cloud yet; remove it and set retention.rawExpirationDays (it applies to every table)",
        },
      ],
    ],
    [
      "the Databricks schedule time zone is not a time zone",
      (s) => (s.databricks = { timezone: "Europe/Amsterdm" }),
      [
        {
          path: "lakehouse.databricks.timezone",
          message: 'must be an IANA time zone such as "Europe/Amsterdam" or "UTC"',
        },
      ],
    ],
    [
      "a field name is mistyped",
      (s) => (s.tables[0].columns[1].nulable = false),
      [
        {
          path: "lakehouse.tables[0].columns[1].nulable",
          message: 'unknown field "nulable" (did you mean "nullable"?)',
        },
      ],
    ],
    [
      "an enum value is mistyped",
      (s) => (s.tables[0].format = "jsn"),
      [
        {
          path: "lakehouse.tables[0].format",
          message: 'must be one of "json", "csv" (did you mean "json"?)',
        },
      ],
    ],
    [
      "a column type is mistyped",
      (s) => (s.tables[0].columns[0].type = "bigitn"),
      [
        {
          path: "lakehouse.tables[0].columns[0].type",
          message:
            'must be string, int, bigint, double, boolean, date, timestamp or decimal(p,s) (did you mean "bigint"?)',
        },
      ],
    ],
    [
      "raw transitions earlier than S3 allows",
      (s) => (s.retention = { rawTransitionDays: 7 }),
      [
        {
          path: "lakehouse.retention.rawTransitionDays",
          message: "S3 allows STANDARD_IA transitions after at least 30 days",
        },
      ],
    ],
    [
      "a view joins an unknown table",
      (s) => (s.views[0].joins[0].table = "brewery"),
      [{ path: "lakehouse.views[0].joins[0].table", message: 'table "brewery" is not in tables' }],
    ],
    [
      "a view joins on a missing column",
      (s) => (s.views[0].joins[0].leftColumn = "brewery_id"),
      [
        { path: "lakehouse.views[0].joins[0].leftColumn", message: 'column "brewery_id" is not in review' },
        { path: "lakehouse.views[0].joins[0].leftColumn", message: 'column "brewery_id" is not in beer' },
      ],
    ],
    [
      "a gold model reads an unknown relation",
      (s) => (s.gold[0].from = "reviews"),
      [{ path: "lakehouse.gold[0].from", message: '"reviews" is not a table or view' }],
    ],
    [
      "a gold dimension is not in its relation",
      (s) => (s.gold[0].dimensions = ["brewery_name"]),
      [{ path: "lakehouse.gold[0].dimensions[0]", message: 'column "brewery_name" is not in review_flat' }],
    ],
    [
      "a gold measure other than count has no column",
      (s) => (s.gold[0].measures = [{ name: "avg_rating", fn: "avg" }]),
      [{ path: "lakehouse.gold[0].measures[0].column", message: 'required for fn "avg"' }],
    ],
    [
      "a gold model orders by an unknown output",
      (s) => (s.gold[0].orderBy = [{ column: "overall" }]),
      [{ path: "lakehouse.gold[0].orderBy[0].column", message: '"overall" is not a dimension or measure' }],
    ],
    [
      "a database pull has no watermark column",
      (s) => {
        s.tables[0].source = { kind: "database", engine: "postgres", secret: "brewery-api", capture: "pull" };
      },
      [
        {
          path: "lakehouse.tables[0].incremental.watermarkColumn",
          message: 'required when source.capture is "pull"',
        },
      ],
    ],
    [
      "a database pull's watermark is nullable, not a time, and its secret unknown",
      (s) => {
        s.tables[0].source = { kind: "database", engine: "mysql", secret: "shop-db", capture: "pull" };
        s.tables[0].incremental = { strategy: "watermark", watermarkColumn: s.tables[0].columns[1].name };
      },
      [
        { path: "lakehouse.tables[0].source.secret", message: 'secret "shop-db" is not in secrets' },
        {
          path: "lakehouse.tables[0].incremental.watermarkColumn",
          message: expect.stringMatching(/^a database pull needs a timestamp or date watermark column/),
        },
        {
          path: "lakehouse.tables[0].incremental.watermarkColumn",
          message: expect.stringMatching(/must be declared nullable: false: a row with a NULL watermark/),
        },
      ],
    ],
    [
      "a database source names an unknown engine and a bad time zone",
      (s) => {
        s.tables[0].source = {
          kind: "database",
          engine: "oracle",
          secret: "brewery-api",
          capture: "pull",
          timeZone: "Mars/Base",
        };
      },
      [
        { path: "lakehouse.tables[0].source.engine", message: expect.stringContaining('"postgres"') },
        { path: "lakehouse.tables[0].source.timeZone", message: expect.stringContaining("IANA time zone") },
      ],
    ],
  ];

  it.each(cases)("fails if %s", (_, change, expected) => {
    expect(problemsAfter(change)).toEqual(expected);
  });
});
