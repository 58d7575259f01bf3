import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { createHmac } from "node:crypto";
import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { Readable } from "node:stream";
import type { LakehouseSpec, TableSpec } from "../../../components/spec";
import { convert } from "../../lib/convert/convert";
import { DirectorySink } from "../../lib/convert/sinks";
import { createNamespaces, runPlans } from "../duckdb-runner";
import { buildTransformPlans, type Namespaces, type PlanStep, type TransformPlan } from "../index";
import { rawText, type RawFile, type RunSpec } from "./history";
import { keyOf, tagColumn, type ModelRow, type QuarantineEntry } from "./model";
import type { LakeUnderTest, SilverRun } from "./run-history";

/**
 * The system under test, behind one adapter: the real converter (convert.ts into a DirectorySink, as the
 * Lambda/ECS task writes bronze) and the generated DuckDB plans (buildTransformPlans + runPlans), on one
 * in-memory DuckDB shared by every history, each history in fresh schemas and a fresh bronze directory.
 * Everything that knows how the system is called lives here, so changes to silver.ts touch only this file.
 */

/** The secret `hash` masks are keyed with in these runs (the cloud's comes from its secret store). */
const HASH_KEY = "model-suite-hash-key";

/** The environment's `hash` mask: HMAC-SHA256 of the value's UTF-8 text under the run's key, lower-case hex (RFC 2104). */
export function hashMask(text: string): string {
  return createHmac("sha256", HASH_KEY).update(text, "utf8").digest("hex");
}

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
  /** Control records: functions/lib/register.ts puts one per control id with attribute_not_exists(pk). */
  private readonly controlRecords = new Set<string>();
  private readonly bronzeRoot: string;

  constructor(
    private readonly instance: DuckDBInstance,
    /** Reads and bookkeeping; each run has a connection (a session, as each Glue job run has) of its own. */
    private readonly connection: DuckDBConnection,
    private readonly spec: LakehouseSpec,
    private readonly table: TableSpec,
    private readonly namespaces: Namespaces,
    private readonly dir: string,
  ) {
    this.bronzeRoot = path.join(dir, "bronze");
  }

  async deliver(file: RawFile): Promise<void> {
    if (this.controlRecords.has(file.controlId)) return;
    this.controlRecords.add(file.controlId);
    await this.convertFile(file);
  }

  async convertFile(file: RawFile): Promise<void> {
    await convert({
      table: this.table,
      source: Readable.from([Buffer.from(rawText(this.table, file))]),
      sink: new DirectorySink(this.bronzeRoot),
      controlId: file.controlId,
      ingestedAt: new Date(file.ingestedAt),
    });
  }

  silverRun(run: RunSpec): SilverRun {
    const plans = buildTransformPlans(this.spec, "duckdb", this.namespaces, { bronzeRoot: this.bronzeRoot });
    const plan = plans.bronzeToSilver.find((p) => p.name === this.table.name)!;
    // The glob of an empty bronze prefix fails in DuckDB; the local pipeline skips such a table too.
    return new DuckDbRun(this.instance, plan, run, () => this.hasBronze());
  }

  async readSilver(): Promise<Map<string, ModelRow>> {
    const silver = new Map<string, ModelRow>();
    if (!(await this.exists(this.namespaces.silver))) return silver;
    const columns = this.table.columns.map((c) => `CAST(${c.name} AS VARCHAR) AS ${c.name}`);
    const rows = await this.rows(
      `SELECT ${columns.join(", ")}, _is_deleted FROM ${this.namespaces.silver}.${this.table.name}`,
    );
    for (const row of rows) {
      const values: Record<string, string | null | boolean> = {};
      for (const c of this.table.columns) {
        const text = row[c.name] as string | null;
        // DuckDB writes 2.0 for a double 2; the model's canonical text is JavaScript's.
        values[c.name] =
          text !== null && c.type === "double" && !this.table.pii[c.name] ? String(Number(text)) : text;
      }
      values._is_deleted = row._is_deleted as boolean;
      const key = keyOf(this.table, values);
      if (silver.has(key)) throw new Error(`silver holds key ${key} twice`);
      silver.set(key, values);
    }
    return silver;
  }

  async readQuarantine(): Promise<QuarantineEntry[]> {
    const entries: QuarantineEntry[] = [];
    const operationField = this.table.source.kind === "cdc" ? this.table.source.operationField : "operation";
    for (const line of await this.convertQuarantineLines()) {
      const { reason, raw } = JSON.parse(line) as { reason: string; raw: string };
      const tag = /t\d+\.\d+/.exec(raw)?.[0] ?? "";
      const column = /^(\w+):/.exec(reason)?.[1] ?? "";
      const rule =
        column === "operation"
          ? "operation"
          : / required value is missing$/.test(reason)
            ? "required"
            : column
              ? "type"
              : "unreadable";
      entries.push({ tag, stage: "convert", rule, column: rule === "operation" ? operationField : column });
    }
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
    const glob = path.join(this.bronzeRoot, this.table.name, "**", "*.parquet").replace(/'/g, "''");
    const bronze = (await this.hasBronze())
      ? Number((await this.rows(`SELECT count(*) AS n FROM read_parquet('${glob}')`))[0]!.n)
      : 0;
    const silverQuarantined = (await this.exists(this.namespaces.quarantine))
      ? Number(
          (await this.rows(`SELECT count(*) AS n FROM ${this.namespaces.quarantine}.${this.table.name}`))[0]!
            .n,
        )
      : 0;
    return { bronze, convertQuarantined: (await this.convertQuarantineLines()).length, silverQuarantined };
  }

  async dispose(): Promise<void> {
    for (const schema of new Set(Object.values(this.namespaces)))
      await this.connection.run(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await fs.rm(this.dir, { recursive: true, force: true });
  }

  private async hasBronze(): Promise<boolean> {
    return (await files(path.join(this.bronzeRoot, this.table.name))).some((f) => f.endsWith(".parquet"));
  }

  private async convertQuarantineLines(): Promise<string[]> {
    const dir = path.join(this.bronzeRoot, "_quarantine", this.table.name);
    const lines: string[] = [];
    for (const file of (await files(dir)).filter((f) => f.endsWith(".jsonl")))
      lines.push(...(await fs.readFile(path.join(dir, file), "utf8")).split("\n").filter(Boolean));
    return lines;
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

async function files(dir: string): Promise<string[]> {
  try {
    return (await fs.readdir(dir, { recursive: true })).map(String);
  } catch {
    return [];
  }
}
