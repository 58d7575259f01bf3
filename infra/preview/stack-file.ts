import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";

/** A stack's config as the Pulumi language host would pass it: `namespace:key` → string (objects as JSON). */
export interface StackConfig {
  readonly project: string;
  readonly stack: string;
  readonly config: Record<string, string>;
  /** Keys holding secure values (the engine's PULUMI_CONFIG_SECRET_KEYS). */
  readonly secretKeys: string[];
  /** Secure values the offline preview cannot decrypt and replaced with a placeholder. */
  readonly placeholders: string[];
}

/** What the offline preview puts where a `secure:` value stands: it has no key to decrypt with. */
export const SECRET_PLACEHOLDER = "[secret]";

/** A stack or project file is missing or unreadable. */
export class StackFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StackFileError";
  }
}

/** Reads `Pulumi.yaml` (project name) and `Pulumi.<stack>.yaml` from `root`. */
export function readStackConfig(root: string, stack: string): StackConfig {
  const projectFile = path.join(root, "Pulumi.yaml");
  const stackFile = path.join(root, `Pulumi.${stack}.yaml`);
  if (!fs.existsSync(stackFile)) {
    throw new StackFileError(
      `no stack file Pulumi.${stack}.yaml in ${root}; stacks here: ${listStacks(root).join(", ") || "none"}`,
    );
  }
  if (!fs.existsSync(projectFile)) throw new StackFileError(`no Pulumi.yaml in ${root}`);
  const project = (parse(fs.readFileSync(projectFile, "utf8")) as { name?: string }).name;
  if (!project) throw new StackFileError(`${projectFile} has no name`);
  const document = (parse(fs.readFileSync(stackFile, "utf8")) ?? {}) as { config?: Record<string, unknown> };
  return { project, stack, ...flattenConfig(project, document.config ?? {}) };
}

/** Stack names with a `Pulumi.<name>.yaml` in `root`. */
export function listStacks(root: string): string[] {
  return fs
    .readdirSync(root)
    .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
    .filter((s): s is string => Boolean(s))
    .sort();
}

/** Converts YAML config into the engine's string map, replacing `secure:` values with a placeholder. */
export function flattenConfig(
  project: string,
  raw: Record<string, unknown>,
): Pick<StackConfig, "config" | "secretKeys" | "placeholders"> {
  const config: Record<string, string> = {};
  const secretKeys: string[] = [];
  const placeholders: string[] = [];
  for (const [rawKey, value] of Object.entries(raw)) {
    const key = rawKey.includes(":") ? rawKey : `${project}:${rawKey}`;
    const found: string[] = [];
    const plain = replaceSecure(value, key, found);
    if (found.length > 0) {
      secretKeys.push(key);
      placeholders.push(...found);
    }
    config[key] = typeof plain === "string" ? plain : JSON.stringify(plain);
  }
  return { config, secretKeys, placeholders };
}

function replaceSecure(value: unknown, at: string, found: string[]): unknown {
  if (isSecure(value)) {
    found.push(at);
    return SECRET_PLACEHOLDER;
  }
  if (Array.isArray(value)) return value.map((v, i) => replaceSecure(v, `${at}[${i}]`, found));
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, replaceSecure(v, `${at}.${k}`, found)]),
    );
  }
  return value;
}

function isSecure(value: unknown): value is { secure: string } {
  return (
    typeof value === "object" &&
    value !== null &&
    !Array.isArray(value) &&
    Object.keys(value).length === 1 &&
    typeof (value as { secure?: unknown }).secure === "string"
  );
}
