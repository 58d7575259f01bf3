import { getClientTokenOutput } from "@pulumi/azure-native/authorization/getClientToken";
import * as pulumi from "@pulumi/pulumi";

/**
 * The user name of an ACR refresh token in `docker login` (learn.microsoft.com/azure/container-registry/
 * container-registry-authentication#az-acr-login-with---expose-token).
 */
export const ACR_TOKEN_USERNAME = "00000000-0000-0000-0000-000000000000";

/**
 * Push credentials for a registry created in the same `pulumi up`: the deploying identity's Entra (ARM)
 * token, exchanged at the registry's `/oauth2/exchange` for a registry refresh token, which is what
 * `az acr login` does (github.com/Azure/acr/blob/main/docs/AAD-OAuth.md). Nothing is exchanged on
 * preview (the image is not built then); the password is a Pulumi secret.
 */
export function acrPushCredentials(loginServer: pulumi.Output<string>, parent: pulumi.Resource) {
  const arm = getClientTokenOutput({}, { parent });
  return {
    address: loginServer,
    username: ACR_TOKEN_USERNAME,
    password: pulumi.secret(
      pulumi
        .all([loginServer, arm.token])
        .apply(([server, token]) =>
          pulumi.runtime.isDryRun() ? "" : exchangeForRegistryToken(server, token),
        ),
    ),
  };
}

/** POSTs the Entra access token to `https://<registry>/oauth2/exchange` and returns the refresh token. */
export async function exchangeForRegistryToken(
  loginServer: string,
  armToken: string,
  fetchImpl: typeof fetch = fetch,
): Promise<string> {
  const response = await fetchImpl(`https://${loginServer}/oauth2/exchange`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "access_token",
      service: loginServer,
      access_token: armToken,
    }).toString(),
  });
  if (!response.ok) {
    throw new Error(
      `${loginServer} refused the deployer's token (${response.status}): the deploying identity needs AcrPush on the registry`,
    );
  }
  const body = (await response.json()) as { refresh_token?: unknown };
  if (typeof body.refresh_token !== "string" || body.refresh_token.length === 0) {
    throw new Error(`${loginServer} returned no refresh token`);
  }
  return body.refresh_token;
}
