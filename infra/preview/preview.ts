import { loadStack } from "../config";
import { runUnderMocks } from "./harness";
import { previewMocks } from "./mocks";
import { loadProgram } from "./program-loader";
import { buildPlan, type Plan } from "./plan";
import { readStackConfig } from "./stack-file";

export interface PreviewOptions {
  /** Directory holding Pulumi.yaml and the stack files. */
  readonly root: string;
  readonly stack: string;
  /** Config values layered over the stack file (`namespace:key` → string), e.g. in tests. */
  readonly overrides?: Readonly<Record<string, string>>;
  /** Keys of `overrides` to treat as secrets. */
  readonly overrideSecretKeys?: readonly string[];
  /** The program; by default the project's own, from `main` in its Pulumi.yaml (see program-loader.ts). */
  readonly program?: () => unknown;
}

export interface PreviewResult {
  readonly plan: Plan;
  readonly outputs: Record<string, unknown>;
  /** Config paths holding `secure:` values the preview replaced with a placeholder. */
  readonly placeholders: readonly string[];
}

/**
 * Runs a project's real entrypoint for a stack under the mock runtime and returns its plan. No network and no
 * credentials: config comes from `Pulumi.<stack>.yaml`, computed values from {@link previewMocks}.
 */
export async function previewStack(options: PreviewOptions): Promise<PreviewResult> {
  const stackConfig = readStackConfig(options.root, options.stack);
  const config = { ...stackConfig.config, ...(options.overrides ?? {}) };
  const secretKeys = [...stackConfig.secretKeys, ...(options.overrideSecretKeys ?? [])];
  // A stack built from a medallion spec is validated first, as the program will: a bad stack fails here,
  // before even the stack resource registers. Another team's program may not have one.
  const secretKeySet = new Set(secretKeys);
  const loaded =
    config["medallion:lakehouse"] !== undefined || config["medallion:cloud"] !== undefined
      ? loadStack(
          (key) => config[key],
          (key) => secretKeySet.has(key),
        )
      : undefined;
  // Required only inside the run: the program must load after the mocks are in place.
  const program = options.program ?? loadProgram(options.root);
  const result = await runUnderMocks({
    project: stackConfig.project,
    stack: stackConfig.stack,
    config,
    secretKeys,
    mocks: previewMocks({ awsRegion: config["aws:region"] }),
    program,
  });
  return {
    plan: buildPlan(
      stackConfig.project,
      stackConfig.stack,
      result.resources,
      loaded?.settings.spec.protect ?? false,
      loaded?.settings.spec,
    ),
    outputs: result.outputs,
    placeholders: stackConfig.placeholders,
  };
}
