import { parseCli, runAsMain } from "../infra/cli";
import { readStackConfig } from "../infra/preview/stack-file";

const USAGE = `usage: npx tsx scripts/stack-protected.ts --stack <name> [--refuse-protected]

Prints "protected" or "unprotected" for the stack, from \`protect\` in the medallion:lakehouse spec
of Pulumi.<name>.yaml. With --refuse-protected, a protected stack exits 1 (the destroy workflow's guard).`;

const LAKEHOUSE_KEY = "medallion:lakehouse";

/**
 * Whether `Pulumi.<stack>.yaml` in `root` marks the lakehouse as protected (`protect: true` in the spec;
 * the spec defaults it to false). Throws when the stack file, the spec or a boolean `protect` is missing,
 * so a guard built on this fails closed instead of treating an unreadable stack as unprotected.
 */
export function isProtectedStack(root: string, stack: string): boolean {
  const { config } = readStackConfig(root, stack);
  const file = `Pulumi.${stack}.yaml`;
  const raw = config[LAKEHOUSE_KEY];
  if (raw === undefined) throw new Error(`${file} has no ${LAKEHOUSE_KEY} config`);
  let spec: unknown;
  try {
    spec = JSON.parse(raw);
  } catch {
    throw new Error(`${file}: ${LAKEHOUSE_KEY} is not structured config (a YAML object)`);
  }
  if (typeof spec !== "object" || spec === null || Array.isArray(spec)) {
    throw new Error(`${file}: ${LAKEHOUSE_KEY} must be a YAML object`);
  }
  const protect = (spec as { protect?: unknown }).protect;
  if (protect === undefined) return false;
  if (typeof protect !== "boolean") {
    throw new Error(
      `${file}: ${LAKEHOUSE_KEY}.protect must be true or false, got ${JSON.stringify(protect)}`,
    );
  }
  return protect;
}

/** Exit codes: 0 decided (and allowed), 1 protected with --refuse-protected or unreadable stack, 2 usage. */
export function main(argv: readonly string[], root = process.cwd()): number {
  const parsed = parseCli(
    argv,
    { stack: { type: "string", short: "s" }, "refuse-protected": { type: "boolean", default: false } },
    USAGE,
  );
  if ("exit" in parsed) return parsed.exit;
  const args = parsed.values;
  if (!args.stack) {
    console.error(`--stack is required\n\n${USAGE}`);
    return 2;
  }
  let isProtected: boolean;
  try {
    isProtected = isProtectedStack(root, args.stack);
  } catch (error) {
    console.error(`error: ${(error as Error).message}`);
    return 1;
  }
  console.log(isProtected ? "protected" : "unprotected");
  if (isProtected && args["refuse-protected"]) {
    console.error(
      `error: stack "${args.stack}" is protected (protect: true in Pulumi.${args.stack}.yaml); refusing.\n` +
        `To tear it down, first set protect: false in a reviewed change and deploy it, then run this again.`,
    );
    return 1;
  }
  return 0;
}

if (require.main === module) runAsMain(main);
