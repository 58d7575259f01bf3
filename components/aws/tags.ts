/** Tag keys every taggable resource carries; provider default tags carry the same set. */
export interface StandardTagInputs {
  readonly project: string;
  readonly environment: string;
  /** Medallion layer or another functional area (alerts, secrets, logs). */
  readonly layer?: string;
}

/** The standard tags, plus any extra ones a caller passes (extra never overrides the standard keys). */
export function standardTags(
  inputs: StandardTagInputs,
  extra: Readonly<Record<string, string>> = {},
): Record<string, string> {
  return {
    ...extra,
    project: inputs.project,
    environment: inputs.environment,
    ...(inputs.layer ? { layer: inputs.layer } : {}),
    "managed-by": "pulumi-medallion-lakehouse",
  };
}
