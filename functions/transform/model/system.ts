import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { createHmac } from "node:crypto";
import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import type { LakehouseSpec, TableSpec } from "../../../components/spec";
import { createNamespaces, runPlans } from "../duckdb-runner";
import { buildTransformPlans, type Namespaces, type PlanStep, type TransformPlan } from "../index";
import { BronzeFiles, silverRowsOf } from "./bronze-files";
import type { RawFile, RunSpec } from "./history";
import { tagColumn, type ModelRow, type QuarantineEntry } from "./model";
import type { LakeUnderTest, SilverRun } from "./run-history";

/**
 * The system under test, behind one adapter: the real converter (convert.ts into a DirectorySink, as the
 * Lambda/ECS task writes bronze) and the generated DuckDB plans (buildTransformPlans + runPlans), on one
 * in-memory DuckDB shared by every history, each history in fresh schemas and a fresh bronze directory.
 * Everything that knows how the system is called lives here, so changes to silver.ts touch only this file.
 */

/** The secret `hash` masks are keyed with in these runs (the cloud's comes from its secret store). */
const HASH_KEY = "model-suite-hash-key";

/** The environment's `hash` mask under `key`: HMAC-SHA256 of the value's UTF-8 text, lower-case hex (RFC 2104). */
export function hashMaskWith(key: string): (text: string) => string {
  return (text) => createHmac("sha256", key).update(text, "utf8").digest("hex");
}

/** The `hash` mask of this adapter's runs. */
export const hashMask = hashMaskWith(HASH_KEY);

export class DuckDbSystem {
  private histories = 0;

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
    private readonly root: string,
  ) {}

  static async open(): Promise<DuckDbSystem> {
    const instance = await DuckDBInstance.create(":memory:");
    const connection = await instance.connect();
    // Bronze `_ingested_at` is a UTC timestamp; its text (and the plans' casts) must not depend on the host.
    await connection.run("SET GLOBAL TimeZone = 'UTC'");
    // Every table here holds a handful of rows: one thread spares the scheduling, and a shared CI machine.
    await connection.run("SET threads TO 1");
    return new DuckDbSystem(instance, connection, await fs.mkdtemp(path.join(os.tmpdir(), "lake-model-")));
  }

  /** A fresh lake for one history of `table`. */
  async lake(spec: LakehouseSpec, table: TableSpec): Promise<LakeUnderTest> {
    const id = ++this.histories;
    const namespaces: Namespaces = {
      bronze: `b${id}`,
      silver: `s${id}`,
      gold: `g${id}`,
      quarantine: `q${id}`,
    };
    await createNamespaces(this.connection, namespaces);
    return new DuckDbLake(
      this.instance,
      this.connection,
      spec,
      table,
      namespaces,
      path.join(this.root, `h${id}`),
    );
  }

  async close(): Promise<void> {
    this.connection.closeSync();
    this.instance.closeSync();
    await fs.rm(this.root, { recursive: true, force: true });
  }
}

class DuckDbLake implements LakeUnderTest {
  private readonly bronze: BronzeFiles;

  constructor(
    private readonly instance: DuckDBInstance,
    /** Reads and bookkeeping; each run has a connection (a session, as each Glue job run has) of its own. */
    private readonly connection: DuckDBConnection,
    private readonly spec: LakehouseSpec,
    private readonly table: TableSpec,
    private readonly namespaces: Namespaces,
    private readonly dir: string,
  ) {
    this.bronze = new BronzeFiles(table, path.join(dir, "bronze"));
  }

  deliver(file: RawFile): Promise<void> {
    return this.bronze.deliver(file);
  }

  convertFile(file: RawFile): Promise<void> {
    return this.bronze.convertFile(file);
  }

  silverRun(run: RunSpec): SilverRun {
    const plans = buildTransformPlans(this.spec, "duckdb", this.namespaces, { bronzeRoot: this.bronze.root });
    const plan = plans.bronzeToSilver.find((p) => p.name === this.table.name)!;
    // The glob of an empty bronze prefix fails in DuckDB; the local pipeline skips such a table too.
    return new DuckDbRun(this.instance, plan, run, () => this.bronze.hasBronze());
  }

  async readSilver(): Promise<Map<string, ModelRow>> {
    if (!(await this.exists(this.namespaces.silver))) return new Map();
    const columns = this.table.columns.map((c) => `CAST(${c.name} AS VARCHAR) AS ${c.name}`);
    return silverRowsOf(
      this.table,
      await this.rows(
        `SELECT ${columns.join(", ")}, _is_deleted FROM ${this.namespaces.silver}.${this.table.name}`,
      ),
    );
  }

  async readQuarantine(): Promise<QuarantineEntry[]> {
    const entries = await this.bronze.quarantine();
    if (await this.exists(this.namespaces.quarantine)) {
      const masked = Object.keys(this.table.pii);
      const rows = await this.rows(
        `SELECT ${[`${tagColumn(this.table)} AS _tag`, "_rule", "_column", ...masked.map((c) => `CAST(${c} AS VARCHAR) AS ${c}`)].join(", ")} ` +
          `FROM ${this.namespaces.quarantine}.${this.table.name}`,
      );
      for (const row of rows) {
        entries.push({
          tag: String(row._tag),
          stage: "silver",
          rule: String(row._rule),
          column: String(row._column),
          masked: Object.fromEntries(masked.map((c) => [c, row[c] as string | null])),
        });
      }
    }
    return entries;
  }

  async counts(): Promise<{ bronze: number; convertQuarantined: number; silverQuarantined: number }> {
    const glob = path.join(this.bronze.directory, "**", "*.parquet").replace(/'/g, "''");
    const bronze = (await this.bronze.hasBronze())
      ? Number((await this.rows(`SELECT count(*) AS n FROM read_parquet('${glob}')`))[0]!.n)
      : 0;
    const silverQuarantined = (await this.exists(this.namespaces.quarantine))
      ? Number(
          (await this.rows(`SELECT count(*) AS n FROM ${this.namespaces.quarantine}.${this.table.name}`))[0]!
            .n,
        )
      : 0;
    return { bronze, convertQuarantined: await this.bronze.quarantinedCount(), silverQuarantined };
  }

  async dispose(): Promise<void> {
    for (const schema of new Set(Object.values(this.namespaces)))
      await this.connection.run(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await fs.rm(this.dir, { recursive: true, force: true });
  }

  private async exists(schema: string): Promise<boolean> {
    const rows = await this.rows(
      `SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = '${schema}' AND table_name = '${this.table.name}'`,
    );
    return Number(rows[0]!.n) > 0;
  }

  private async rows(sql: string): Promise<Record<string, unknown>[]> {
    return (await this.connection.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
  }
}

/**
 * One run of a table's plan, a step at a time, in its own session: its session-local staging is its own,
 * and when the run dies (or finishes) the session closes, as a Glue job's Spark session ends with it.
 * Its steps are fixed when it starts (bronze empty: none).
 */
class DuckDbRun implements SilverRun {
  private taken = 0;
  private steps: readonly PlanStep[] | undefined;
  private session: DuckDBConnection | undefined;

  constructor(
    private readonly instance: DuckDBInstance,
    private readonly plan: TransformPlan,
    private readonly run: RunSpec,
    private readonly hasBronze: () => Promise<boolean>,
  ) {}

  get done(): boolean {
    return (
      this.steps !== undefined && (this.taken >= this.steps.length || this.taken === this.run.failAfterStep)
    );
  }

  async step(): Promise<void> {
    this.steps ??= (await this.hasBronze()) ? this.plan.steps : [];
    if (!this.done) {
      this.session ??= await this.instance.connect();
      // One step per call, under the suite's hash key.
      await runPlans(this.session, [{ ...this.plan, steps: [this.steps[this.taken++]!] }], {
        hashKey: HASH_KEY,
      });
    }
    if (this.done) {
      this.session?.closeSync();
      this.session = undefined;
    }
  }
}
