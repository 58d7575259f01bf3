import type { GoldModelSpec, LakehouseSpec, SecretSpec, TableSpec, ViewSpec } from "./schema";

/** One problem in a spec: where (a path from the spec root) and what is wrong. */
export interface SpecIssue {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

/**
 * The parts of a spec whose shape parsed, by position: an entry that failed to parse is `undefined`,
 * so the cross-field rules still run on the rest and keep the original indices in their paths.
 */
export interface ParsedParts {
  readonly secrets: readonly SecretSpec[];
  readonly tables: readonly (TableSpec | undefined)[];
  readonly views: readonly (ViewSpec | undefined)[];
  readonly gold: readonly (GoldModelSpec | undefined)[];
  /** Names of tables and views whose shape failed: references to them are not judged (no cascades). */
  readonly unparsedRelations?: ReadonlySet<string>;
}

/**
 * Cross-field rules a schema cannot express: every name a field refers to must exist.
 * Collects every problem (never stops at the first), also on a spec whose shape is partly invalid.
 */
export function checkReferences(parts: ParsedParts | LakehouseSpec): SpecIssue[] {
  const partial = parts as ParsedParts;
  const spec = {
    secrets: partial.secrets,
    tables: partial.tables.filter(isDefined),
    views: partial.views.filter(isDefined),
    gold: partial.gold.filter(isDefined),
  };
  const unparsed = new Set(partial.unparsedRelations ?? []);
  const indexIn = <T>(list: readonly (T | undefined)[]) => new Map(list.map((item, i) => [item, i]));
  const tableIndex = indexIn<TableSpec>(partial.tables);
  const viewIndex = indexIn<ViewSpec>(partial.views);
  const goldIndex = indexIn<GoldModelSpec>(partial.gold);
  const issues: SpecIssue[] = [];
  const report = (path: (string | number)[], message: string) => issues.push({ path, message });

  reportDuplicates(
    spec.tables.map((t) => [t.name, tableIndex.get(t) as number]),
    ["tables"],
    "table",
    report,
  );
  reportDuplicates(
    spec.secrets.map((s, i) => [s.name, i]),
    ["secrets"],
    "secret",
    report,
  );
  reportDuplicates(
    spec.gold.map((g) => [g.name, goldIndex.get(g) as number]),
    ["gold"],
    "gold model",
    report,
  );
  const relationNames = new Set(spec.tables.map((t) => t.name));
  spec.views.forEach((view) => {
    const i = viewIndex.get(view) as number;
    if (relationNames.has(view.name))
      report(["views", i, "name"], `"${view.name}" is already a table or view name`);
    relationNames.add(view.name);
  });

  const secretNames = new Set(spec.secrets.map((s) => s.name));
  spec.tables.forEach((table) =>
    checkTable(table, ["tables", tableIndex.get(table) as number], secretNames, report),
  );

  // With duplicate names, the first table wins, so later checks do not cascade from the duplicate.
  const tablesByName = new Map<string, TableSpec>();
  for (const t of spec.tables) if (!tablesByName.has(t.name)) tablesByName.set(t.name, t);
  const relationColumns = new Map<string, Set<string>>(
    [...tablesByName.values()].map((t) => [t.name, new Set(t.columns.map((c) => c.name))]),
  );
  spec.views.forEach((view) => {
    const columns = checkView(view, ["views", viewIndex.get(view) as number], tablesByName, unparsed, report);
    if (columns) relationColumns.set(view.name, columns);
    else unparsed.add(view.name);
  });
  spec.gold.forEach((model) =>
    checkGoldModel(model, ["gold", goldIndex.get(model) as number], relationColumns, unparsed, report),
  );
  return issues;
}

type Report = (path: (string | number)[], message: string) => void;

function checkTable(
  table: TableSpec,
  at: (string | number)[],
  secretNames: Set<string>,
  report: Report,
): void {
  const columns = new Set<string>();
  table.columns.forEach((column, j) => {
    if (columns.has(column.name)) report([...at, "columns", j, "name"], `duplicate column "${column.name}"`);
    columns.add(column.name);
  });
  const mustBeColumn = (path: (string | number)[], name: string) => {
    if (!columns.has(name)) report(path, `column "${name}" is not in columns`);
  };
  table.primaryKey.forEach((name, j) => mustBeColumn([...at, "primaryKey", j], name));
  table.partitionBy.forEach((name, j) => mustBeColumn([...at, "partitionBy", j], name));
  for (const name of Object.keys(table.pii)) mustBeColumn([...at, "pii", name], name);
  table.quality.forEach((rule, j) => mustBeColumn([...at, "quality", j, "column"], rule.column));
  if (table.incremental?.watermarkColumn) {
    mustBeColumn([...at, "incremental", "watermarkColumn"], table.incremental.watermarkColumn);
  }
  if (table.incremental?.strategy === "watermark" && !table.incremental.watermarkColumn) {
    report([...at, "incremental", "watermarkColumn"], 'required when strategy is "watermark"');
  }
  if (table.source.kind === "cdc" && columns.has(table.source.operationField)) {
    report(
      [...at, "source", "operationField"],
      `"${table.source.operationField}" is added by CDC ingestion and must not also be a declared column`,
    );
  }
  if (table.source.kind === "api" && table.source.secret && !secretNames.has(table.source.secret)) {
    report([...at, "source", "secret"], `secret "${table.source.secret}" is not in secrets`);
  }
  if (table.source.kind === "database") checkDatabaseSource(table, at, secretNames, report);
  if (table.source.kind === "cdc") {
    table.source.sequenceBy.forEach((name, j) => mustBeColumn([...at, "source", "sequenceBy", j], name));
  }
  if (table.overrides.rawExpirationDays !== undefined) {
    // Accepted by the schema since the first spec, applied by neither cloud's lifecycle rules.
    report(
      [...at, "overrides", "rawExpirationDays"],
      "is not applied by either cloud yet; remove it and set retention.rawExpirationDays (it applies to every table)",
    );
  }
  checkMasks(table, at, report);
  (table.migrations ?? []).forEach(({ column, change }, j) => {
    const path = [...at, "migrations", j, "column"];
    // A drop is of a column the spec removed; a recast rewrites a kept column (ddl.ts).
    if (change === "drop" && columns.has(column))
      report(path, `column "${column}" is still in columns: only a removed column can be dropped`);
    if (change === "recast") mustBeColumn(path, column);
    if (table.primaryKey.includes(column) || table.partitionBy.includes(column))
      report(path, `"${column}" is a primary-key or partition column: it cannot be migrated in place`);
  });
  for (const [name, rule] of Object.entries(table.pii)) {
    const type = table.columns.find((c) => c.name === name)?.type;
    if (type && type !== "string" && rule !== "hash" && rule !== "redact") {
      report([...at, "pii", name], `masking rule "${rule}" needs a string column, "${name}" is ${type}`);
    }
  }
}

/**
 * A mask that is not `hash` maps many values to one (`cpf` keeps 3 digits): on a key it merges different rows,
 * on a partition column it merges partitions. A column that orders changes cannot be masked at all.
 */
function checkMasks(table: TableSpec, at: (string | number)[], report: Report): void {
  // What orders changes (functions/transform/order.ts): sequenceBy on CDC, else the watermark column.
  const watermark = table.incremental?.watermarkColumn;
  const ordering = new Set(
    table.source.kind === "cdc" ? table.source.sequenceBy : watermark ? [watermark] : [],
  );
  for (const [name, rule] of Object.entries(table.pii)) {
    const path = [...at, "pii", name];
    if (ordering.has(name)) {
      report(
        path,
        `"${name}" orders the table's changes (sequenceBy or watermarkColumn) and cannot be masked`,
      );
    } else if (rule !== "hash" && table.primaryKey.includes(name)) {
      report(
        path,
        `masking rule "${rule}" on primary-key column "${name}" would merge different keys into one row; only "hash" keeps them apart`,
      );
    } else if (rule !== "hash" && table.partitionBy.includes(name)) {
      report(
        path,
        `masking rule "${rule}" on partition column "${name}" would merge different partitions; only "hash" keeps them apart`,
      );
    }
  }
}

/** The mask on a join column must be `hash` or nothing, and the same on both sides, or the join matches wrongly. */
function checkJoinMask(
  path: (string | number)[],
  left: { table: TableSpec; column: string },
  right: { table: TableSpec; column: string },
  rightField: "leftColumn" | "rightColumn",
  report: Report,
): void {
  const sides = [
    { ...left, field: "leftColumn", rule: left.table.pii[left.column] },
    { ...right, field: rightField, rule: right.table.pii[right.column] },
  ];
  const merging = sides.find((side) => side.rule !== undefined && side.rule !== "hash");
  if (merging) {
    report(
      [...path, merging.field],
      `join column "${merging.table.name}.${merging.column}" is masked with "${merging.rule}", which merges different values; only "hash" keeps them apart`,
    );
  } else if (sides[0].rule !== sides[1].rule) {
    report(
      path,
      `"${left.table.name}.${left.column}" and "${right.table.name}.${right.column}" must both be masked with "hash" or neither, or no row joins`,
    );
  }
}

function checkView(
  view: ViewSpec,
  at: (string | number)[],
  tables: Map<string, TableSpec>,
  unparsed: ReadonlySet<string>,
  report: Report,
): Set<string> | undefined {
  const base = tables.get(view.from);
  if (!base) {
    if (!unparsed.has(view.from)) report([...at, "from"], `table "${view.from}" is not in tables`);
    return undefined;
  }
  // A join on a table whose own shape failed cannot be judged, and neither can what reads the view.
  if (view.joins.some((join) => unparsed.has(join.table))) return undefined;
  const columns = new Set(base.columns.map((c) => c.name));
  const joined = new Map<string, TableSpec>([[base.name, base]]);
  let complete = true;
  view.joins.forEach((join, j) => {
    const path = [...at, "joins", j];
    const right = tables.get(join.table);
    const left = joined.get(join.via ?? base.name);
    if (!right) report([...path, "table"], `table "${join.table}" is not in tables`);
    if (!left) report([...path, "via"], `"${join.via}" is not joined before this join`);
    if (!right || !left) {
      complete = false;
      return;
    }
    if (!left.columns.some((c) => c.name === join.leftColumn)) {
      report([...path, "leftColumn"], `column "${join.leftColumn}" is not in ${left.name}`);
    }
    const rightColumn = join.rightColumn ?? join.leftColumn;
    if (!right.columns.some((c) => c.name === rightColumn)) {
      report(
        [...path, join.rightColumn ? "rightColumn" : "leftColumn"],
        `column "${rightColumn}" is not in ${right.name}`,
      );
    }
    checkJoinMask(
      path,
      { table: left, column: join.leftColumn },
      { table: right, column: rightColumn },
      join.rightColumn ? "rightColumn" : "leftColumn",
      report,
    );
    joined.set(right.name, right);
    for (const c of right.columns) columns.add(`${right.name}_${c.name}`);
  });
  // A view with a broken join is reported once, here, not again by every model that reads it.
  return complete ? columns : undefined;
}

function checkGoldModel(
  model: GoldModelSpec,
  at: (string | number)[],
  relations: Map<string, Set<string>>,
  unparsed: ReadonlySet<string>,
  report: Report,
): void {
  const columns = relations.get(model.from);
  if (!columns) {
    if (!unparsed.has(model.from)) report([...at, "from"], `"${model.from}" is not a table or view`);
    return;
  }
  const inFrom = (path: (string | number)[], name: string) => {
    if (!columns.has(name)) report(path, `column "${name}" is not in ${model.from}`);
  };
  model.dimensions.forEach((name, j) => inFrom([...at, "dimensions", j], name));
  model.measures.forEach((m, j) => {
    if (m.column) inFrom([...at, "measures", j, "column"], m.column);
    else if (m.fn !== "count") report([...at, "measures", j, "column"], `required for fn "${m.fn}"`);
  });
  if (model.timePartition) inFrom([...at, "timePartition", "column"], model.timePartition.column);
  const outputs = new Set([
    ...model.dimensions,
    ...model.measures.map((m) => m.name),
    ...(model.timePartition ? [model.timePartition.yearAs, model.timePartition.monthAs] : []),
  ]);
  model.orderBy.forEach((o, j) => {
    if (!outputs.has(o.column))
      report([...at, "orderBy", j, "column"], `"${o.column}" is not a dimension or measure`);
  });
}

function reportDuplicates(
  names: [name: string, index: number][],
  at: (string | number)[],
  what: string,
  report: Report,
): void {
  const seen = new Set<string>();
  for (const [name, i] of names) {
    if (seen.has(name)) report([...at, i, "name"], `duplicate ${what} "${name}"`);
    seen.add(name);
  }
}

function isDefined<T>(value: T | undefined): value is T {
  return value !== undefined;
}

/**
 * A database pull reads windows of its watermark column, so it needs one, of a time type, and NOT NULL: a row
 * whose watermark is NULL would fall in no window and never be pulled.
 */
function checkDatabaseSource(
  table: TableSpec,
  at: (string | number)[],
  secretNames: ReadonlySet<string>,
  report: (path: (string | number)[], message: string) => void,
): void {
  if (table.source.kind !== "database") return;
  if (!secretNames.has(table.source.secret)) {
    report([...at, "source", "secret"], `secret "${table.source.secret}" is not in secrets`);
  }
  if (table.source.capture !== "pull") return;
  const name = table.incremental?.watermarkColumn;
  if (!name) {
    report([...at, "incremental", "watermarkColumn"], 'required when source.capture is "pull"');
    return;
  }
  const column = table.columns.find((c) => c.name === name);
  if (!column) return;
  if (column.type !== "timestamp" && column.type !== "date") {
    report(
      [...at, "incremental", "watermarkColumn"],
      `a database pull needs a timestamp or date watermark column; "${name}" is ${column.type}`,
    );
  }
  if (column.nullable) {
    report(
      [...at, "incremental", "watermarkColumn"],
      `"${name}" must be declared nullable: false: a row with a NULL watermark would never be pulled`,
    );
  }
}
