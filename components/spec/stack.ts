import { ConfigError, type ConfigProblem } from "./errors";
import { lakehouseSpecProblems } from "./parse";
import { lakehouseSpec } from "./schema";
import type { LakehouseSpec } from "./types.generated";

/** The clouds a lakehouse can be assembled on. */
export const CLOUDS = ["aws", "azure"] as const;
export type Cloud = (typeof CLOUDS)[number];

/** Validated stack settings: everything downstream takes this, never raw config. */
export interface StackSettings {
  readonly cloud: Cloud;
  /** Environment name as configured (dev, prod, ...); physical names normalise it. */
  readonly environment: string;
  readonly spec: LakehouseSpec;
}

/** Raw values of the `medallion:*` stack config keys, as read from Pulumi config (objects already JSON-parsed). */
export interface RawStackSettings {
  readonly cloud?: unknown;
  readonly environment?: unknown;
  readonly lakehouse?: unknown;
}

const ENVIRONMENT = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/**
 * Validates `medallion:cloud`, `medallion:environment` and `medallion:lakehouse` together and throws one
 * {@link ConfigError} naming every bad field, so nothing registers from a half-valid stack.
 */
export function parseStackSettings(raw: RawStackSettings): StackSettings {
  const problems: ConfigProblem[] = [];
  if (raw.cloud === undefined) {
    problems.push({
      path: "medallion:cloud",
      message: `is required: one of ${CLOUDS.map((c) => `"${c}"`).join(", ")}`,
    });
  } else if (!CLOUDS.includes(raw.cloud as Cloud)) {
    problems.push({
      path: "medallion:cloud",
      message: `unknown cloud ${JSON.stringify(raw.cloud)}: must be one of ${CLOUDS.map((c) => `"${c}"`).join(", ")}`,
    });
  }
  if (raw.environment === undefined) {
    problems.push({ path: "medallion:environment", message: "is required (e.g. dev, prod)" });
  } else if (typeof raw.environment !== "string" || !ENVIRONMENT.test(raw.environment)) {
    problems.push({
      path: "medallion:environment",
      message: "must be 1-64 letters, digits, dashes or underscores, starting with a letter or digit",
    });
  }
  if (raw.lakehouse === undefined) {
    problems.push({ path: "medallion:lakehouse", message: "is required: the lakehouse spec object" });
  } else {
    problems.push(...lakehouseSpecProblems(raw.lakehouse, "medallion:lakehouse"));
  }
  if (problems.length > 0) throw new ConfigError("Stack config", problems);
  return {
    cloud: raw.cloud as Cloud,
    environment: raw.environment as string,
    spec: lakehouseSpec.parse(raw.lakehouse),
  };
}
