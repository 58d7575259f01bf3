import type { Plan, PlanResource } from "../preview/plan";
import { LAYERS } from "../../components/naming";
import { PREVIEW_ACCOUNT_ID } from "../preview/mocks";
import { allows, decide, planLocations, REGION, type Location, type Principal } from "./access-matrix";

/**
 * Who can query which catalog database through Athena, deciding both layers a query crosses, from the
 * plan's own resources:
 * - IAM (simulated over the plan's identity, bucket and key policies): athena:StartQueryExecution on the
 *   workgroup, glue:GetTable on the table, the workgroup's results written and read under its key, and the
 *   table's data: through Lake Formation (lakeformation:GetDataAccess) where its location is registered,
 *   else s3:GetObject and kms:Decrypt with the caller's own credentials.
 * - Lake Formation (the plan's `lakeformation.Permissions` and `DataLakeSettings`): SELECT on the table,
 *   granted to the principal by name or on every table of the database, or to IAMAllowedPrincipals by the
 *   account's defaults (then IAM alone decides). SELECT is a table permission: a database-level grant
 *   (CREATE_TABLE, ALTER, DESCRIBE) does not give it
 *   (https://docs.aws.amazon.com/lake-formation/latest/dg/lf-permissions-reference.html).
 * Athena checks Lake Formation for the table's metadata and, on a registered location, vends credentials
 * through GetDataAccess (https://docs.aws.amazon.com/lake-formation/latest/dg/access-control-underlying-data.html).
 */

const DATABASE = "aws:glue/catalogDatabase:CatalogDatabase";
const TABLE = "aws:glue/catalogTable:CatalogTable";
const WORKGROUP = "aws:athena/workgroup:Workgroup";
const LF_PERMISSIONS = "aws:lakeformation/permissions:Permissions";
const LF_RESOURCE = "aws:lakeformation/resource:Resource";
const LF_SETTINGS = "aws:lakeformation/dataLakeSettings:DataLakeSettings";
/** The group Lake Formation's defaults grant to when IAM alone is to decide. */
export const IAM_ALLOWED_PRINCIPALS = "IAM_ALLOWED_PRINCIPALS";
/** Table permissions that include reading rows. */
const SELECTING = ["SELECT", "ALL"];
/** A table name for databases whose tables Spark creates (none in the plan). */
const PROBE_TABLE = "any_table";

/** One database as a query reaches it. */
export interface CatalogTarget {
  readonly database: string;
  /** A table of it: the plan's first, else one an IAM policy names, else a probe (Spark creates tables). */
  readonly table: string;
  /** Where its data lives, and whether Lake Formation has the location registered. */
  readonly location?: Location;
  readonly registered: boolean;
}

/** One Lake Formation grant of the plan, as the matrix needs it. */
export interface LakeGrant {
  readonly principal: string;
  readonly database: string;
  /** A table name, or `*` for every table of the database; undefined for a database-level grant. */
  readonly table?: string;
  readonly permissions: readonly string[];
}

export interface AthenaCell {
  readonly principal: string;
  readonly database: string;
  readonly allowed: boolean;
  /** Every layer that refuses, in the order a query meets them. */
  readonly deniedBy: readonly string[];
}

/** What the plan's Athena queries need: its workgroup, results location, databases, grants and defaults. */
export interface AthenaModel {
  readonly workgroupArn: string;
  readonly results: Location;
  readonly targets: readonly CatalogTarget[];
  readonly grants: readonly LakeGrant[];
  /** The account's defaults give new databases and tables to IAMAllowedPrincipals (IAM alone decides). */
  readonly iamAllowedByDefault: boolean;
}

export function athenaModel(plan: Plan): AthenaModel {
  const of = (type: string) => plan.resources.filter((r) => r.type === type);
  const [workgroup] = of(WORKGROUP);
  const output = str(at(workgroup?.inputs, "configuration", "resultConfiguration", "outputLocation"));
  if (!workgroup || !output) throw new Error("the plan has no Athena workgroup with a result location");
  const locations = planLocations(plan);
  const results = locate(locations, output);
  if (!results) throw new Error(`no encrypted bucket of the plan holds the Athena results (${output})`);
  const registered = of(LF_RESOURCE).map((r) => str(r.inputs.arn));
  // Tables Spark creates are no resources; a table an IAM policy of the plan names is one the stack expects.
  const namedTables = [
    ...JSON.stringify(plan.resources).matchAll(/:glue:[^:"]*:\d{12}:table\/([^/"*\\]+)\/([^/"*\\]+)\\?"/g),
  ]
    .map((m) => [m[1], m[2]] as const)
    .sort((x, y) => x[1].localeCompare(y[1]));
  const targets = of(DATABASE).map((db): CatalogTarget => {
    const database = str(db.inputs.name) ?? db.name;
    const table = str(of(TABLE).find((t) => t.inputs.databaseName === database)?.inputs.name);
    const uri = str(db.inputs.locationUri);
    const location = uri ? locate(locations, uri) : undefined;
    return {
      database,
      table: table ?? namedTables.find(([db]) => db === database)?.[1] ?? PROBE_TABLE,
      ...(location ? { location } : {}),
      registered: location !== undefined && registered.includes(`arn:aws:s3:::${location.bucket}`),
    };
  });
  const settings = of(LF_SETTINGS);
  // Without settings of its own the stack gets the account's, which by default give IAMAllowedPrincipals
  // every new database and table (https://docs.aws.amazon.com/lake-formation/latest/dg/change-settings.html).
  const iamAllowedByDefault =
    settings.length === 0 ||
    settings.some((s) =>
      ["createDatabaseDefaultPermissions", "createTableDefaultPermissions"].some((k) => {
        const value = s.inputs[k];
        return !Array.isArray(value) || value.some((p) => at(p, "principal") === IAM_ALLOWED_PRINCIPALS);
      }),
    );
  const rank = (db: string) => {
    const i = [...LAYERS, "quarantine"].findIndex((layer) => db.endsWith(`_${layer}`));
    return i === -1 ? LAYERS.length + 1 : i === LAYERS.length ? LAYERS.indexOf("silver") + 0.5 : i;
  };
  targets.sort((x, y) => rank(x.database) - rank(y.database) || x.database.localeCompare(y.database));
  return {
    workgroupArn: `arn:aws:athena:${REGION}:${PREVIEW_ACCOUNT_ID}:workgroup/${str(workgroup.inputs.name)}`,
    results,
    targets,
    grants: of(LF_PERMISSIONS).flatMap(lakeGrant),
    iamAllowedByDefault,
  };
}

/** Decides every principal's Athena query of every database. */
export async function athenaMatrix(
  principals: readonly Principal[],
  model: AthenaModel,
): Promise<AthenaCell[]> {
  const cells: AthenaCell[] = [];
  for (const principal of principals) {
    const [wrote, read] = [
      await decide(principal, model.results, "write"),
      await decide(principal, model.results, "read"),
    ];
    const shared = [
      ...((await allows(principal, "athena:StartQueryExecution", model.workgroupArn))
        ? []
        : ["athena:StartQueryExecution"]),
      ...(wrote.allowed ? [] : [`results ${wrote.deniedBy}`]),
      ...(read.allowed ? [] : [`results ${read.deniedBy}`]),
    ];
    for (const target of model.targets) {
      const denied = [...shared];
      const table = `arn:aws:glue:${REGION}:${PREVIEW_ACCOUNT_ID}:table/${target.database}/${target.table}`;
      if (!(await allows(principal, "glue:GetTable", table))) denied.push("glue:GetTable");
      if (!model.iamAllowedByDefault && !selects(model.grants, principal.arn, target)) {
        denied.push("lakeformation SELECT");
      }
      if (target.registered) {
        if (!(await allows(principal, "lakeformation:GetDataAccess", "*")))
          denied.push("lakeformation:GetDataAccess");
      } else if (!target.location) {
        denied.push("data (no location)");
      } else {
        const data = await decide(principal, target.location, "read");
        if (!data.allowed) denied.push(`data ${data.deniedBy}`);
      }
      cells.push({
        principal: principal.label,
        database: target.database,
        allowed: denied.length === 0,
        deniedBy: denied,
      });
    }
  }
  return cells;
}

/** Whether a Lake Formation grant lets `principalArn` read rows of the target's table. */
export function selects(grants: readonly LakeGrant[], principalArn: string, target: CatalogTarget): boolean {
  return grants.some(
    (g) =>
      [principalArn, IAM_ALLOWED_PRINCIPALS].includes(g.principal) &&
      g.database === target.database &&
      (g.table === "*" || g.table === target.table) &&
      g.permissions.some((p) => SELECTING.includes(p)),
  );
}

/** The matrix as a table: one row per principal, one column per database ("allow" or what refuses). */
export function formatAthenaMatrix(cells: readonly AthenaCell[]): string {
  const principals = [...new Set(cells.map((c) => c.principal))];
  const databases = [...new Set(cells.map((c) => c.database))];
  const show = (c?: AthenaCell) => (!c ? "?" : c.allowed ? "allow" : `deny: ${c.deniedBy.join(", ")}`);
  const rows = principals.map((p) => [
    p,
    ...databases.map((d) => show(cells.find((c) => c.principal === p && c.database === d))),
  ]);
  const header = ["principal", ...databases];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (values: string[]) => `| ${values.map((v, i) => v.padEnd(widths[i])).join(" | ")} |`;
  return [line(header), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...rows.map(line)].join("\n");
}

function lakeGrant(resource: PlanResource): LakeGrant[] {
  const principal = str(resource.inputs.principal);
  const permissions = Array.isArray(resource.inputs.permissions)
    ? resource.inputs.permissions.map(String)
    : [];
  if (!principal) return [];
  for (const unmodelled of ["lfTag", "lfTagPolicy", "dataCellsFilter"]) {
    if (resource.inputs[unmodelled] !== undefined) {
      throw new Error(
        `Lake Formation grant ${resource.name} uses ${unmodelled}, which the access matrix does not model`,
      );
    }
  }
  const table = (resource.inputs.table ?? resource.inputs.tableWithColumns) as
    Record<string, unknown> | undefined;
  if (table) {
    const database = str(table.databaseName);
    const name = table.wildcard === true ? "*" : str(table.name);
    return database && name ? [{ principal, database, table: name, permissions }] : [];
  }
  const database = str(at(resource.inputs.database, "name"));
  return database ? [{ principal, database, permissions }] : [];
}

/** The plan location holding `s3://bucket/prefix`, narrowed to the prefix. */
function locate(locations: readonly Location[], uri: string): Location | undefined {
  const match = /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri);
  const found = match && locations.find((l) => l.bucket === match[1]);
  return found ? { ...found, label: uri, prefix: match[2] } : undefined;
}

function at(value: unknown, ...path: string[]): unknown {
  return path.reduce<unknown>(
    (v, k) => (v && typeof v === "object" ? (v as Record<string, unknown>)[k] : undefined),
    value,
  );
}

function str(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}
