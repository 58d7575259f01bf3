import * as fs from "node:fs";
import * as path from "node:path";
import { isMap, isScalar, LineCounter, parseDocument, type Document } from "yaml";
import { z } from "zod";
import { capabilityProblems } from "../capabilities";
import { closest, ConfigError, describePath, formatPath, formatProblem, type ConfigProblem } from "./errors";
import { lakehouseSpecProblems } from "./parse";
import { lakehouseSpec } from "./schema";
import { type Cloud, CLOUDS } from "./stack";
import { configSchemaWith, stackConfigKeys, unknownMedallionKeys } from "./stack-document";

/**
 * `medallion validate`: a stack file checked as the program will check it, every problem with its file,
 * line and column, and the path named by the items' names. Also {@link locateProblems}, which points the
 * problems of any {@link ConfigError} at a stack file's lines.
 */

export interface StackFileValidation {
  readonly file: string;
  readonly problems: readonly ConfigProblem[];
}

/** Validates `Pulumi.<stack>.yaml` at `file`: YAML syntax, the config keys, the spec, the cloud's capabilities. */
export function validateStackFile(file: string): StackFileValidation {
  const text = fs.readFileSync(file, "utf8");
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false });
  const shown = path.relative(process.cwd(), file) || file;
  if (document.errors.length > 0) {
    return {
      file,
      problems: document.errors.map((error) => {
        // With prettyErrors off, the error keeps only its offsets: the line counter turns them into a line.
        const { line, col } = lineCounter.linePos(error.pos[0]);
        return {
          path: "(YAML)",
          message: error.message.split("\n")[0] ?? error.message,
          location: { file: shown, line, column: col },
        };
      }),
    };
  }
  const problems = stackFileProblems(document.toJS() as unknown);
  return { file, problems: locateProblems(problems, document, lineCounter, shown) };
}

/** `medallion validate <file>`: prints each problem (or that the file is valid); returns the exit code. */
export function printValidation(
  file: string,
  write: (text: string) => void = (t) => process.stdout.write(t),
): number {
  const { problems } = validateStackFile(file);
  if (problems.length === 0) {
    write(`${file}: valid\n`);
    return 0;
  }
  write(
    `${problems.map(formatProblem).join("\n")}\n${problems.length} problem${problems.length === 1 ? "" : "s"}\n`,
  );
  return 1;
}

/** Every problem of a parsed stack file, before locating them. */
export function stackFileProblems(document: unknown): ConfigProblem[] {
  const config = (document as { config?: unknown } | null)?.config;
  if (config === null || typeof config !== "object" || Array.isArray(config)) {
    return [
      {
        path: "config",
        message: "is required: the stack's config mapping (medallion:cloud, medallion:lakehouse, ...)",
      },
    ];
  }
  const keys = configSchemaWith(z.unknown()).safeParse(config);
  const problems: ConfigProblem[] = unknownMedallionKeys(config as Record<string, unknown>).map((unknown) => {
    const guess = closest(unknown, Object.keys(stackConfigKeys));
    return {
      path: unknown,
      message: `unknown key${guess ? ` (did you mean "${guess}"?)` : `; medallion keys: ${Object.keys(stackConfigKeys).join(", ")}`}`,
      key: unknown,
      segments: [],
    };
  });
  const keyProblems = (keys.success ? [] : keys.error.issues).flatMap((issue): ConfigProblem[] => {
    const [key, ...segments] = issue.path.filter((s): s is string | number => typeof s !== "symbol");
    if (key === undefined) return [{ path: "config", message: issue.message }];
    const message =
      issue.code === "invalid_type" && /received undefined$/.test(issue.message)
        ? "is required"
        : issue.message;
    return [
      {
        path: formatPath(String(key), segments),
        at: describePath(String(key), segments, config),
        message,
        key: String(key),
        segments,
      },
    ];
  });
  problems.push(...keyProblems);
  const spec = (config as Record<string, unknown>)["medallion:lakehouse"];
  if (spec === undefined) {
    problems.push({
      path: "medallion:lakehouse",
      message: "is required: the lakehouse spec",
      key: "medallion:lakehouse",
      segments: [],
    });
    return problems;
  }
  const specProblems = lakehouseSpecProblems(spec, "medallion:lakehouse");
  problems.push(...specProblems);
  const cloud = (config as Record<string, unknown>)["medallion:cloud"];
  if (specProblems.length === 0 && CLOUDS.includes(cloud as Cloud)) {
    problems.push(
      ...capabilityProblems(lakehouseSpec.parse(spec), cloud as Cloud).map((problem) => {
        const segments = problem.path
          .replace(/^medallion:lakehouse\.?/, "")
          .split(/\.|\[(\d+)\]/)
          .filter((s) => s !== undefined && s !== "")
          .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
        return {
          ...problem,
          at: describePath("medallion:lakehouse", segments, spec),
          key: "medallion:lakehouse",
          segments,
        };
      }),
    );
  }
  return problems;
}

/**
 * Adds the file, line and column of each problem that names a config key and path (the deepest part of the
 * path present in the file: a missing field points at its parent, an unknown field at its own key).
 */
export function locateProblems(
  problems: readonly ConfigProblem[],
  document: Document,
  lineCounter: LineCounter,
  file: string,
): ConfigProblem[] {
  return problems.map((problem) => {
    if (problem.key === undefined) return problem;
    const yamlPath: (string | number)[] = ["config", problem.key, ...(problem.segments ?? [])];
    const offset = offsetOf(document, yamlPath);
    if (offset === undefined) return problem;
    const { line, col } = lineCounter.linePos(offset);
    return { ...problem, location: { file, line, column: col } };
  });
}

/** Source offset of the node at `yamlPath`, or of the deepest ancestor present; at a key for a map entry. */
function offsetOf(document: Document, yamlPath: readonly (string | number)[]): number | undefined {
  for (let length = yamlPath.length; length > 0; length--) {
    const parent = length === 1 ? document.contents : document.getIn(yamlPath.slice(0, length - 1), true);
    const last = yamlPath[length - 1];
    if (isMap(parent)) {
      const pair = parent.items.find((item) => isScalar(item.key) && String(item.key.value) === String(last));
      const range = (pair?.key as { range?: [number, number, number] } | undefined)?.range;
      if (range) return range[0];
    } else {
      const node = document.getIn(yamlPath.slice(0, length), true) as
        { range?: [number, number, number] } | undefined;
      if (node?.range) return node.range[0];
    }
  }
  return undefined;
}

/** Re-throws a {@link ConfigError} with each problem pointed at its line in `file` (when it can be read). */
export function withStackFileLocations(error: ConfigError, file: string): ConfigError {
  if (!fs.existsSync(file)) return error;
  const lineCounter = new LineCounter();
  const document = parseDocument(fs.readFileSync(file, "utf8"), { lineCounter });
  if (document.errors.length > 0) return error;
  const subject = error.message.slice(0, error.message.indexOf(" has "));
  return new ConfigError(subject, locateProblems(error.problems, document, lineCounter, path.basename(file)));
}
