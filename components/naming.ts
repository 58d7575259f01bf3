import { createHash } from "node:crypto";

/**
 * Physical-name rules per cloud, in one place. Every function is pure and total: whatever the
 * environment name (long, upper case, dashes, underscores, leading digits) the result obeys the
 * service's rules. When a name must be shortened, a hash of the full name is kept at the end so two
 * long names that share a prefix stay distinct and stable across runs.
 */

/** The four medallion layers, in data-flow order. */
export const LAYERS = ["raw", "bronze", "silver", "gold"] as const;
export type LayerName = (typeof LAYERS)[number];

/** A short, stable, lower-case alphanumeric digest. */
export function shortHash(input: string, length = 8): string {
  return createHash("sha256").update(input).digest("hex").slice(0, length);
}

const S3_FORBIDDEN_PREFIXES = ["xn--", "sthree-", "amzn-s3-demo-"];
const S3_FORBIDDEN_SUFFIXES = ["-s3alias", "--ol-s3", "--x-s3", "--table-s3"];

/**
 * S3 bucket names: 3-63 characters of a-z, 0-9 and `-`, starting and ending with a letter or digit,
 * none of the reserved prefixes/suffixes. Dots are never produced (they break virtual-host TLS).
 */
export function s3BucketName(parts: readonly string[]): string {
  let name = fit(
    parts
      .map((p) => dashed(p))
      .filter(Boolean)
      .join("-"),
    63,
    parts,
    "-",
  );
  if (S3_FORBIDDEN_PREFIXES.some((p) => name.startsWith(p))) name = fit(`b-${name}`, 63, parts, "-");
  if (S3_FORBIDDEN_SUFFIXES.some((s) => name.endsWith(s))) name = fit(`${name}-b`, 63, parts, "-");
  return padToMinimum(name, 3, parts);
}

/** Azure storage accounts: 3-24 lower-case letters and digits, globally unique. */
export function storageAccountName(parts: readonly string[]): string {
  const name = fit(parts.map((p) => p.toLowerCase().replace(/[^a-z0-9]/g, "")).join(""), 24, parts, "");
  return padToMinimum(name, 3, parts);
}

/**
 * Azure Key Vault: 3-24 characters of letters, digits and `-`, starting with a letter, ending with a
 * letter or digit, no `--`.
 */
export function keyVaultName(parts: readonly string[]): string {
  let base = parts
    .map((p) => dashed(p))
    .filter(Boolean)
    .join("-");
  if (!/^[a-z]/.test(base)) base = base ? `kv-${base}` : "kv";
  return padToMinimum(fit(base, 24, parts, "-"), 3, parts);
}

/**
 * Glue Data Catalog (and Athena) databases and tables: lower case, letters, digits and `_`, at most
 * 255 characters, starting with a letter so Athena needs no quoting.
 */
export function glueName(parts: readonly string[]): string {
  let base = parts
    .map((p) =>
      p
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, "_")
        .replace(/^_+|_+$/g, ""),
    )
    .filter(Boolean)
    .join("_");
  if (!/^[a-z]/.test(base)) base = `m_${base}`;
  return fit(base, 255, parts, "_");
}

/**
 * Unity Catalog catalogs and schemas: lower case letters, digits and `_`, starting with a letter so SQL
 * needs no back-quotes, at most 255 characters (same rules as Glue, kept separate because they may diverge).
 */
export function unityCatalogName(parts: readonly string[]): string {
  return glueName(parts);
}

/**
 * Azure resource groups, Databricks workspaces, access connectors and most ARM resources: letters,
 * digits, `-` and `_`, starting with a letter or digit, not ending with `-` or `.`, at most `max` (16 or
 * more; default 64).
 */
export function azureResourceName(parts: readonly string[], max = 64): string {
  if (max < 16) throw new Error(`azureResourceName: max must be at least 16 to keep a hash, got ${max}`);
  const base = parts
    .map((p) => dashed(p))
    .filter(Boolean)
    .join("-");
  return padToMinimum(fit(base, max, parts, "-"), 3, parts);
}

/** Key Vault secret names: 1-127 letters, digits and `-`. */
export function keyVaultSecretName(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9-]+/g, "-").replace(/^-+|-+$/g, "");
  return fit(cleaned || "secret", 127, [name], "-");
}

/** Secrets Manager names: a path `<product>/<environment>/<secret>` of allowed characters, at most 512. */
export function secretPath(parts: readonly string[]): string {
  return parts
    .map((p) => p.replace(/[^A-Za-z0-9_+=.@-]+/g, "-"))
    .join("/")
    .slice(0, 512);
}

/** KMS alias names: `alias/` + letters, digits, `/_-`, at most 256 characters, never `alias/aws/`. */
export function kmsAliasName(parts: readonly string[]): string {
  const body = parts.map((p) => p.replace(/[^A-Za-z0-9_-]+/g, "-")).join("/");
  const name = `alias/${body.startsWith("aws/") ? `x-${body}` : body}`;
  return name.length <= 256 ? name : `${name.slice(0, 247)}-${shortHash(parts.join("/"))}`;
}

/**
 * Names of AWS resources whose rules are "letters, digits, `-` (and `_`), up to N characters": Glue jobs
 * (255), Step Functions state machines (80), EventBridge schedules (64), IAM roles (64), SQS queues (80),
 * Athena workgroups (128). Lower-case dashed parts, shortened with a hash when too long.
 */
export function dashedResourceName(parts: readonly string[], maxLength: number): string {
  const name = fit(
    parts
      .map((p) => dashed(p))
      .filter(Boolean)
      .join("-"),
    maxLength,
    parts,
    "-",
  );
  return padToMinimum(name, 1, parts);
}

/** Maximum lengths of the services named by {@link dashedResourceName}. */
export const NAME_LIMITS = {
  glueJob: 255,
  stateMachine: 80,
  schedule: 64,
  iamRole: 64,
  sqsQueue: 80,
  athenaWorkgroup: 128,
  glueSecurityConfiguration: 255,
} as const;

/** CloudWatch Logs group names: `/`-separated parts of letters, digits and `_-./#`, at most 512. */
export function logGroupName(prefix: string, parts: readonly string[]): string {
  const body = parts
    .map((p) => dashed(p))
    .filter(Boolean)
    .join("-");
  const name = `${prefix.replace(/\/+$/, "")}/${body}`;
  return name.length <= 512 ? name : `${name.slice(0, 503)}-${shortHash(parts.join("/"))}`;
}

/** Lower case, runs of anything else than a-z0-9 become one dash, no leading/trailing dash. */
function dashed(part: string): string {
  return part
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
}

/** Shortens to `max` keeping a hash of the unshortened parts, without a trailing separator. */
function fit(name: string, max: number, parts: readonly string[], separator: string): string {
  if (name.length <= max) return name;
  const hash = shortHash(parts.join("\u0000"), 8);
  const keep = max - hash.length - separator.length;
  let head = name.slice(0, keep);
  if (separator) head = head.replace(new RegExp(`[${escapeForClass(separator)}]+$`), "");
  return `${head}${separator}${hash}`;
}

function padToMinimum(name: string, min: number, parts: readonly string[]): string {
  return name.length >= min
    ? name
    : `${name}${shortHash(parts.join("\u0000"), min + 3)}`.slice(0, Math.max(min, name.length + 6));
}

function escapeForClass(text: string): string {
  return text.replace(/[\]\\^-]/g, "\\$&");
}

/**
 * Names of AWS resources that allow letters, digits and `-` up to a service limit (Lambda 64, SQS 80,
 * Step Functions 80, Kinesis 128, Firehose 64, Scheduler 64, DynamoDB 255, ECS 255, ECR 256): lower
 * case, dashed, shortened with a hash when too long, starting with a letter.
 */
export function awsResourceName(parts: readonly string[], maxLength: number): string {
  if (!Number.isInteger(maxLength) || maxLength < 12)
    throw new Error(`awsResourceName: maxLength must be a whole number of at least 12, got ${maxLength}`);
  let base = parts
    .map((p) => dashed(p))
    .filter(Boolean)
    .join("-");
  if (!/^[a-z]/.test(base)) base = base ? `r-${base}` : "r";
  return padToMinimum(fit(base, maxLength, parts, "-"), 3, parts);
}
