import { z } from "zod";
import type { ConfigProblem } from "../spec/errors";

/**
 * `medallion:azureSources`: who may write into the lakehouse's sources on Azure and from where. The group's
 * members upload batch files (`az storage blob upload --auth-mode login`), send CDC events and event
 * messages; the networks are added to the storage firewall (and the Event Hubs firewall), which otherwise
 * admits only the stack's own subnets and the Databricks access connector.
 */
export const azureSourcesConfig = z.strictObject({
  writerGroupObjectId: z
    .guid()
    .describe("Object ID of the Entra group whose members write batch files, CDC events and event messages"),
  allowedIpRanges: z
    .array(z.string())
    .default([])
    .describe(
      "Public IPv4 addresses or CIDR ranges (/0-/30) the writers come from, added to the storage and Event Hubs firewalls",
    ),
  allowedSubnetIds: z
    .array(
      z
        .string()
        .regex(
          /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Network\/virtualNetworks\/[^/]+\/subnets\/[^/]+$/i,
          "must be a subnet's ARM ID",
        ),
    )
    .default([])
    .describe(
      "ARM IDs of subnets (with the Microsoft.Storage and Microsoft.EventHub service endpoints) the writers run in",
    ),
});
export type AzureSourcesConfig = z.output<typeof azureSourcesConfig>;

/**
 * Why an IP rule would be refused by Azure Storage, or undefined. Storage IP network rules take public IPv4
 * addresses or ranges only: no /31 or /32 ranges (use the single address), no private (RFC 1918) ranges, no
 * IPv6 (learn.microsoft.com/azure/storage/common/storage-network-security#restrictions-for-ip-network-rules).
 */
export function storageIpRuleProblem(value: string): string | undefined {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:\/(\d{1,2}))?$/.exec(value);
  if (!match) return "is not an IPv4 address or CIDR range (Azure Storage takes no IPv6 rules)";
  const octets = match.slice(1, 5).map(Number);
  if (octets.some((o) => o > 255)) return "is not an IPv4 address";
  const prefix = match[5] === undefined ? undefined : Number(match[5]);
  if (prefix !== undefined && (prefix > 32 || prefix === 31 || prefix === 32))
    return "uses a /31 or /32 range, which Azure Storage refuses: give the single address instead";
  const [a, b] = octets as [number, number, number, number];
  const rfc1918 = a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168);
  if (rfc1918)
    return "is a private (RFC 1918) range, which Azure Storage IP rules do not take (use a subnet)";
  return undefined;
}

/** Parses `medallion:azureSources` (JSON), appending one problem per bad field. */
export function readAzureSourcesConfig(
  text: string | undefined,
  problems: ConfigProblem[],
  key = "medallion:azureSources",
): AzureSourcesConfig | undefined {
  if (text === undefined) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    problems.push({ path: key, message: `is not valid JSON: ${(error as Error).message}` });
    return undefined;
  }
  const parsed = azureSourcesConfig.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues)
      problems.push({ path: [key, ...issue.path.map(String)].join("."), message: issue.message });
    return undefined;
  }
  const before = problems.length;
  parsed.data.allowedIpRanges.forEach((range, i) => {
    const problem = storageIpRuleProblem(range);
    if (problem)
      problems.push({ path: `${key}.allowedIpRanges[${i}]`, message: `${JSON.stringify(range)} ${problem}` });
  });
  return problems.length === before ? parsed.data : undefined;
}
