import * as path from "node:path";
import type { LakehouseSpec, TableSpec } from "../../components/spec";
import {
  buildTransformPlans,
  type Namespaces,
  type PlanStep,
  type TransformPlan,
} from "../../functions/transform";
import { BronzeFiles, silverRowsOf } from "../../functions/transform/model/bronze-files";
import type { RawFile, RunSpec } from "../../functions/transform/model/history";
import { tagColumn, type ModelRow, type QuarantineEntry } from "../../functions/transform/model/model";
import type { LakeUnderTest, SilverRun } from "../../functions/transform/model/run-history";
import type { Relation, SparkProcess } from "./spark-process";

/**
 * The model histories' system under test on Spark: the same real converter into bronze Parquet
 * (model/bronze-files.ts) and the generated Spark plans (Iceberg or Delta dialect), each step run by the
 * real spark_runner.py (`run`) inside spark/conformance.py, one SparkSession per bronze → silver run.
 */

export const HASH_KEY_SECRET = "env:MEDALLION_HASH_KEY";

export class SparkModelSystem {
  private histories = 0;

  constructor(
    private readonly spark: SparkProcess,
    private readonly engine: "spark-iceberg" | "spark-delta",
    private readonly catalog: string,
    private readonly root: string,
  ) {}

  /** A fresh lake (its own namespaces and bronze directory) for one history of `table`. */
  async lake(spec: LakehouseSpec, table: TableSpec): Promise<LakeUnderTest> {
    const id = ++this.histories;
    const q = (layer: string) => `${this.catalog}.m${id}_${layer}`;
    const namespaces: Namespaces = {
      bronze: q("bronze"),
      silver: q("silver"),
      gold: q("gold"),
      quarantine: q("quarantine"),
    };
    await this.expect({ namespaces: [namespaces.silver, namespaces.quarantine] });
    const bronze = new BronzeFiles(table, path.join(this.root, `h${id}`, "bronze"));
    const plans = buildTransformPlans(spec, this.engine, namespaces, { bronzeRoot: bronze.root });
    const plan = plans.bronzeToSilver.find((p) => p.name === table.name)!;
    return new SparkLake(this, table, namespaces, bronze, plan, `h${id}`);
  }

  /** Sends a command; a reply that is not ok throws its error. */
  async expect(command: Record<string, unknown>) {
    const reply = await this.spark.send(command);
    if (!reply.ok) throw new Error(reply.error ?? "no reply");
    return reply;
  }

  /** A query's rows as objects by column name. */
  async rows(sql: string): Promise<Record<string, unknown>[]> {
    const relation: Relation = (await this.expect({ sql: [sql] })).results![0]!;
    return relation.rows.map((row) =>
      Object.fromEntries(relation.columns.map(([name], i) => [name, row[i]])),
    );
  }

  async exists(table: string): Promise<boolean> {
    return (await this.expect({ exists: [table] })).exists![0]!;
  }
}

class SparkLake implements LakeUnderTest {
  private runs = 0;

  constructor(
    private readonly system: SparkModelSystem,
    private readonly table: TableSpec,
    private readonly namespaces: Namespaces,
    private readonly bronze: BronzeFiles,
    private readonly plan: TransformPlan,
    private readonly id: string,
  ) {}

  deliver(file: RawFile): Promise<void> {
    return this.bronze.deliver(file);
  }

  convertFile(file: RawFile): Promise<void> {
    return this.bronze.convertFile(file);
  }

  silverRun(run: RunSpec): SilverRun {
    return new SparkRun(this.system, this.plan, run, `${this.id}-${++this.runs}-${run.runId}`, () =>
      this.bronze.hasBronze(),
    );
  }

  async readSilver(): Promise<Map<string, ModelRow>> {
    const silver = `${this.namespaces.silver}.${this.table.name}`;
    if (!(await this.system.exists(silver))) return new Map();
    const columns = this.table.columns.map((c) => `CAST(${c.name} AS STRING) AS ${c.name}`);
    return silverRowsOf(
      this.table,
      await this.system.rows(`SELECT ${columns.join(", ")}, _is_deleted FROM ${silver}`),
    );
  }

  async readQuarantine(): Promise<QuarantineEntry[]> {
    const entries = await this.bronze.quarantine();
    const quarantine = `${this.namespaces.quarantine}.${this.table.name}`;
    if (!(await this.system.exists(quarantine))) return entries;
    const masked = Object.keys(this.table.pii);
    const rows = await this.system.rows(
      `SELECT ${[`${tagColumn(this.table)} AS _tag`, "_rule", "_column", ...masked.map((c) => `CAST(${c} AS STRING) AS ${c}`)].join(", ")} FROM ${quarantine}`,
    );
    for (const row of rows)
      entries.push({
        tag: String(row._tag),
        stage: "silver",
        rule: String(row._rule),
        column: String(row._column),
        masked: Object.fromEntries(masked.map((c) => [c, row[c] as string | null])),
      });
    return entries;
  }

  async counts(): Promise<{ bronze: number; convertQuarantined: number; silverQuarantined: number }> {
    const count = async (relation: string) =>
      Number((await this.system.rows(`SELECT count(*) AS n FROM ${relation}`))[0]!.n);
    const quarantine = `${this.namespaces.quarantine}.${this.table.name}`;
    return {
      bronze: (await this.bronze.hasBronze()) ? await count(`parquet.\`${this.bronze.directory}/\``) : 0,
      convertQuarantined: await this.bronze.quarantinedCount(),
      silverQuarantined: (await this.system.exists(quarantine)) ? await count(quarantine) : 0,
    };
  }

  /** The warehouse and bronze live in the suite's temporary directory, removed at its end. */
  async dispose(): Promise<void> {}
}

/**
 * One bronze → silver run, a step at a time, in its own Spark session (closed when the run finishes or
 * dies, and with it the run's staging view). Its steps are fixed when it starts (bronze empty: none, as
 * the runner skips a table with no bronze data yet).
 */
class SparkRun implements SilverRun {
  private taken = 0;
  private steps: readonly PlanStep[] | undefined;

  constructor(
    private readonly system: SparkModelSystem,
    private readonly plan: TransformPlan,
    private readonly run: RunSpec,
    private readonly session: string,
    private readonly hasBronze: () => Promise<boolean>,
  ) {}

  get done(): boolean {
    return (
      this.steps !== undefined &&
      (this.lost || this.taken >= this.steps.length || this.taken === this.run.failAfterStep)
    );
  }

  async step(): Promise<void> {
    this.steps ??= (await this.hasBronze()) ? this.plan.steps : [];
    if (!this.done) {
      const step = this.steps[this.taken++]!;
      const reply = await this.system.expect({
        step: {
          session: this.session,
          plan: { ...this.plan, steps: [step] },
          hash_key_secret: HASH_KEY_SECRET,
        },
      });
      // A commit lost to an overlapping run's commit (spark/conformance.py COMMIT_CONFLICTS) fails this run
      // at this step, as Glue or Databricks would; the model's later runs must still end equal to it.
      if (typeof reply.conflict === "string") {
        this.conflicts.push(reply.conflict);
        this.lost = true;
      }
    }
    if (this.done) await this.system.expect({ end_session: this.session });
  }

  /** Commits this run lost to an overlapping run (reported with the history when it fails). */
  readonly conflicts: string[] = [];
  private lost = false;
}
