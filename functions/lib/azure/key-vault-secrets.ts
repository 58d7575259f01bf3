/**
 * Key Vault secrets read inside the Container Apps job with its managed identity. Container Apps resolves
 * `keyVaultUrl` secret references from its platform, not through the job's subnet, so a vault whose
 * firewall admits only that subnet refuses them; the job reads the secrets itself, through the subnet.
 */

/** Data-plane scope of Key Vault (learn.microsoft.com/azure/key-vault/general/authentication). */
export const KEY_VAULT_SCOPE = "https://vault.azure.net/.default";
/** Key Vault REST API version of Get Secret (learn.microsoft.com/rest/api/keyvault/secrets/get-secret). */
export const KEY_VAULT_API_VERSION = "7.4";

/** Something that hands out bearer tokens (an `@azure/identity` credential). */
export interface TokenSource {
  getToken(scope: string): Promise<{ token: string } | null>;
}

/**
 * Reads each secret of `references` (environment variable → secret URL, as KEY_VAULT_SECRETS holds it)
 * and returns variable → value. Any failure names the variable; a missing or empty value is an error.
 */
export async function readKeyVaultSecrets(
  references: Readonly<Record<string, string>>,
  credential: TokenSource,
  fetchImpl: typeof fetch = fetch,
): Promise<Record<string, string>> {
  const entries = Object.entries(references);
  if (entries.length === 0) return {};
  const token = await credential.getToken(KEY_VAULT_SCOPE);
  if (!token) throw new Error("no Key Vault token from the managed identity");
  const values: Record<string, string> = {};
  for (const [variable, url] of entries) {
    const response = await fetchImpl(`${url}?api-version=${KEY_VAULT_API_VERSION}`, {
      headers: { authorization: `Bearer ${token.token}` },
    });
    if (!response.ok) throw new Error(`${variable}: Key Vault answered ${response.status} for ${url}`);
    const body = (await response.json()) as { value?: unknown };
    if (typeof body.value !== "string" || body.value.length === 0) {
      throw new Error(`${variable}: the secret at ${url} has no value (set it with az keyvault secret set)`);
    }
    values[variable] = body.value;
  }
  return values;
}

/** Parses KEY_VAULT_SECRETS (a JSON object of variable → secret URL); absent means none. */
export function keyVaultReferences(raw: string | undefined): Record<string, string> {
  if (!raw) return {};
  const parsed: unknown = JSON.parse(raw);
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new Error("KEY_VAULT_SECRETS must be a JSON object of variable → secret URL");
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(parsed)) {
    if (typeof v !== "string" || !v.startsWith("https://")) {
      throw new Error(`KEY_VAULT_SECRETS.${k} must be an https secret URL`);
    }
    out[k] = v;
  }
  return out;
}
