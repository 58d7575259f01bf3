import * as pulumi from "@pulumi/pulumi";
import { recordArchive, recordAsset } from "./assets";

/** One registered resource, as the plan records it. */
export interface CapturedResource {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  /** Parent URN, or null for the root stack. */
  readonly parent: string | null;
  readonly custom: boolean;
  readonly protect: boolean;
  readonly retainOnDelete: boolean;
  /** Inputs as sent to the engine; secrets are `"[secret]"`, resource references their URN. */
  readonly inputs: Record<string, unknown>;
  /** Input name → URNs of the resources its value came from (how rules relate a policy to its bucket). */
  readonly dependencies: Record<string, string[]>;
  /** URNs it had before (its `aliases`, as the engine resolves them): a state that has one of them is kept. */
  readonly aliases?: string[];
  /**
   * URNs the resource waits for beyond its inputs: its `dependsOn` option (a component there stands for
   * every resource under it), which the engine orders by and a reviewer must see.
   */
  readonly dependsOn?: string[];
}

export interface RunOptions {
  readonly project: string;
  readonly stack: string;
  readonly config: Record<string, string>;
  readonly secretKeys?: readonly string[];
  readonly mocks: pulumi.runtime.Mocks;
  /** The program; its result becomes the stack outputs (as `pulumi up` does with an exported function). */
  readonly program: () => unknown;
}

export interface RunResult {
  readonly resources: CapturedResource[];
  readonly outputs: Record<string, unknown>;
}

/** The value Pulumi puts where a secret was; the plan never holds a secret's value. */
export const REDACTED = "[secret]";

// Signatures of Pulumi's wire format for special values (see @pulumi/pulumi runtime/rpc).
const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SIG_SECRET = "1b47061264138c4ac30d75fd1eb44270";
const SIG_RESOURCE = "5cf8f73096256a8f31e491e813e4eb8e";
const SIG_ASSET = "c44067f5952c0a294b673a41bacd8c17";
const SIG_ARCHIVE = "0def7320c3a5731c473e5ecbe6d01bc7";
const SIG_OUTPUT = "d0e6a833031e9bbcd3f4e8bde6ca49a4";
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getCustom(): boolean;
  getProtect(): boolean | undefined;
  getRetainondelete(): boolean | undefined;
  getObject(): { toJavaScript(): Record<string, unknown> } | undefined;
  getDependenciesList(): string[];
  getAliasesList?(): AliasLike[];
  getPropertydependenciesMap(): {
    forEach(fn: (value: { getUrnsList(): string[] }, key: string) => void): void;
  };
}
interface AliasLike {
  getUrn(): string;
  getSpec(): AliasSpecLike | undefined;
}
interface AliasSpecLike {
  getName(): string;
  getType(): string;
  getStack(): string;
  getProject(): string;
  getParenturn(): string;
  getNoparent(): boolean;
}
type Callback = (err: unknown, response?: { getUrn(): string }) => void;
interface MonitorLike {
  registerResource(req: RegisterRequest, callback: Callback): Promise<void>;
}
interface RuntimeInternals {
  waitForRPCs?: () => Promise<void>;
}

/**
 * Runs a Pulumi program under the mock runtime and captures every registration with its parent,
 * options and inputs. Resolves once the program's outputs resolved and no registration is pending:
 * Pulumi has no public "all registrations done" hook, so it drains the runtime's RPC queue until the
 * number of captured resources stops changing.
 */
export async function runUnderMocks(options: RunOptions): Promise<RunResult> {
  pulumi.runtime.setAllConfig(options.config, [...(options.secretKeys ?? [])]);
  // A throwing mock turns into message-less rejections all over the SDK; record the failure, answer with
  // an empty result so the run drains quietly, and report the original error at the end.
  const mockFailures: unknown[] = [];
  const mocks: pulumi.runtime.Mocks = {
    call: (args) => orRecord(() => options.mocks.call(args), {}, mockFailures),
    newResource: (args) =>
      orRecord(() => options.mocks.newResource(args), { id: undefined, state: {} }, mockFailures),
  };
  await pulumi.runtime.setMocks(mocks, options.project, options.stack, true);
  const captured: CapturedResource[] = [];
  const monitor = pulumi.runtime.getMonitor() as unknown as MonitorLike;
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, callback) =>
    register(req, (err, response) => {
      if (!err && response) captured.push(capture(req, response.getUrn()));
      callback(err, response);
    });

  // A failing program rejects several of the runtime's internal promises at once; collect them
  // until the run has drained so they neither crash the process nor hide the first error.
  const failures: unknown[] = [];
  const onRejection = (reason: unknown) => failures.push(reason);
  const otherListeners = process.listeners("unhandledRejection");
  process.removeAllListeners("unhandledRejection");
  process.on("unhandledRejection", onRejection);
  let outputs: Record<string, unknown> | undefined;
  let failure: unknown;
  try {
    // The program's own error is caught inside the stack, so the runtime's promises do not reject with it.
    outputs =
      (await pulumi.runtime.runInPulumiStack(async () => {
        try {
          return await options.program();
        } catch (error) {
          failure = error;
          return {};
        }
      })) ?? {};
  } catch (error) {
    failure ??= error;
  }
  try {
    await settle(captured);
  } catch (error) {
    failure ??= error;
  }
  await new Promise((resolve) => setTimeout(resolve, 0));
  process.off("unhandledRejection", onRejection);
  for (const listener of otherListeners) process.on("unhandledRejection", listener);
  failure ??= mockFailures[0] ?? failures[0];
  if (failure !== undefined || !outputs) throw failure ?? new Error("the program produced no outputs");
  return { resources: captured, outputs: toPlain(outputs) as Record<string, unknown> };
}

function orRecord<T>(run: () => T | Promise<T>, fallback: T, failures: unknown[]): T | Promise<T> {
  try {
    return run();
  } catch (error) {
    failures.push(error);
    return fallback;
  }
}

async function settle(captured: readonly unknown[]): Promise<void> {
  const waitForRPCs =
    (pulumi.runtime as unknown as RuntimeInternals).waitForRPCs ?? (() => Promise.resolve());
  let seen = -1;
  while (seen !== captured.length) {
    seen = captured.length;
    await waitForRPCs();
    await new Promise((resolve) => setImmediate(resolve));
  }
}

function capture(req: RegisterRequest, urn: string): CapturedResource {
  const dependencies = propertyDependencies(req);
  return {
    urn,
    type: req.getType(),
    name: req.getName(),
    parent: req.getParent() || null,
    custom: req.getCustom(),
    protect: req.getProtect() ?? false,
    retainOnDelete: req.getRetainondelete() ?? false,
    inputs: redact(req.getObject()?.toJavaScript() ?? {}) as Record<string, unknown>,
    dependencies,
    dependsOn: explicitDependencies(req, dependencies),
    ...aliasesOf(req, urn),
  };
}

/**
 * The URNs of a resource's aliases, resolved as the engine does: an alias spec's missing name, type, stack
 * and project are the resource's own, and its parent (the resource's unless `noParent`) prefixes the type,
 * except the root stack, the way the mock monitor makes URNs. Absent when there are none.
 */
function aliasesOf(req: RegisterRequest, urn: string): { aliases?: string[] } {
  const [, stack, project] = /^urn:pulumi:([^:]*)::([^:]*)::/.exec(urn) ?? [];
  const aliases = (req.getAliasesList?.() ?? []).map((alias) => {
    if (alias.getUrn()) return alias.getUrn();
    const spec = alias.getSpec();
    if (!spec) return "";
    const parent = spec.getNoparent() ? "" : spec.getParenturn() || req.getParent();
    // As the mock monitor builds URNs: the parent's own type, not its whole chain.
    const parentType = (parent.split("::")[2] ?? "").split("$").pop() ?? "";
    const prefix = parentType && parentType !== "pulumi:pulumi:Stack" ? `${parentType}$` : "";
    return `urn:pulumi:${spec.getStack() || stack}::${spec.getProject() || project}::${prefix}${spec.getType() || req.getType()}::${spec.getName() || req.getName()}`;
  });
  const known = [...new Set(aliases.filter((a) => a && a !== urn))].sort();
  return known.length > 0 ? { aliases: known } : {};
}

/** The `dependsOn` URNs; absent when there are none, so plans of resources without any stay as they were. */
function explicitDependencies(
  req: RegisterRequest,
  dependencies: Record<string, string[]>,
): string[] | undefined {
  const fromInputs = new Set(Object.values(dependencies).flat());
  const explicit = [...new Set(req.getDependenciesList())].filter((urn) => !fromInputs.has(urn)).sort();
  return explicit.length > 0 ? explicit : undefined;
}

function propertyDependencies(req: RegisterRequest): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  req.getPropertydependenciesMap().forEach((value, key) => {
    const urns = [...new Set(value.getUrnsList())].sort();
    if (urns.length > 0) out[key] = urns;
  });
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}

/** Turns wire values into plan values: secrets redacted, references as URNs, unknowns marked. */
export function redact(value: unknown): unknown {
  if (value === UNKNOWN) return "[unknown]";
  if (Array.isArray(value)) return value.map(redact);
  if (value && typeof value === "object") {
    const record = value as Record<string, unknown>;
    switch (record[SIG_KEY]) {
      case SIG_SECRET:
        return REDACTED;
      case SIG_RESOURCE:
        return record.urn;
      case SIG_ASSET:
        return recordAsset(record);
      case SIG_ARCHIVE:
        return recordArchive(record);
      case SIG_OUTPUT:
        return record.secret ? REDACTED : "value" in record ? redact(record.value) : "[unknown]";
    }
    return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, redact(v)]));
  }
  return value;
}

/** Stack outputs are resolved values; Resources inside them are replaced by their URN-less name. */
function toPlain(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toPlain);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toPlain(v)]));
  }
  return value;
}
