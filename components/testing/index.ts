/**
 * `medallion-lakehouse/testing`: the offline preview for your own Pulumi programs. Runs a program under
 * Pulumi's mock runtime with mocks that compute what the AWS, Azure and Databricks providers would (ARNs,
 * IDs, physical names), and returns its plan: the file `npm run policy -- --plan` checks and
 * `npm run preview -- --diff` compares. No cloud account, no Pulumi CLI.
 */
import { runUnderMocks } from "../../infra/preview/harness";
import { previewMocks } from "../../infra/preview/mocks";
import { buildPlan, type Plan } from "../../infra/preview/plan";

export {
  runUnderMocks,
  redact,
  REDACTED,
  type CapturedResource,
  type RunOptions,
  type RunResult,
} from "../../infra/preview/harness";
export { previewMocks, PREVIEW_ACCOUNT_ID, type PreviewMocksOptions } from "../../infra/preview/mocks";
export {
  AZURE_CLIENT_CONFIG,
  PREVIEW_DEPLOYER_OBJECT_ID,
  PREVIEW_SUBSCRIPTION_ID,
  PREVIEW_TENANT_ID,
} from "../../infra/preview/mocks-azure";
export { buildPlan, parsePlan, type Plan, type PlanResource } from "../../infra/preview/plan";
export { diffPlans, formatDiff, type PlanDiff, type InputChange } from "../../infra/preview/diff";

export interface PreviewProgramOptions {
  /** The Pulumi project name (URNs carry it). */
  readonly project: string;
  readonly stack: string;
  /** Stack config, `namespace:key` → string value, as in `Pulumi.<stack>.yaml` (e.g. `aws:region`). */
  readonly config?: Readonly<Record<string, string>>;
  /** Keys of `config` that are secrets (redacted in the plan). */
  readonly secretKeys?: readonly string[];
  /** Whether the stack is a protected environment (policy rules depend on it). @default false */
  readonly protected?: boolean;
  /**
   * The program, as Pulumi would call it. Import your component modules inside it or before; create no
   * resources at module load, or they register before the mocks are in place.
   */
  readonly program: () => unknown;
}

/** Runs `program` offline under the preview mocks and returns its plan (sorted by URN) and its outputs. */
export async function previewProgram(
  options: PreviewProgramOptions,
): Promise<{ plan: Plan; outputs: Record<string, unknown> }> {
  const config = { ...(options.config ?? {}) };
  const result = await runUnderMocks({
    project: options.project,
    stack: options.stack,
    config,
    secretKeys: options.secretKeys ?? [],
    mocks: previewMocks({ awsRegion: config["aws:region"] }),
    program: options.program,
  });
  return {
    plan: buildPlan(options.project, options.stack, result.resources, options.protected ?? false),
    outputs: result.outputs,
  };
}
