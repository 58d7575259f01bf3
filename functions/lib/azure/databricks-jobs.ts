import type { TokenCredential } from "@azure/identity";
import type { JobRunStarter } from "./event-consumer";

/**
 * Entra ID resource of Azure Databricks: a managed identity asks for `<this>/.default` to call the workspace
 * API (learn.microsoft.com/azure/databricks/dev-tools/auth/azure-mi). The same application as
 * AZURE_DATABRICKS_APP_ID in components/azure/perms.ts.
 */
export const DATABRICKS_RESOURCE = "2ff814a6-3304-4ab8-85cb-cd0e6f879c1d";

/**
 * `POST /api/2.2/jobs/run-now` on a workspace (docs.databricks.com/api/azure/workspace/jobs/runnow), as the
 * caller's Entra identity, which must be a workspace service principal with CAN_MANAGE_RUN on the job.
 * Any non-2xx answer throws (the message is then abandoned and redelivered; the token makes that safe).
 */
export class DatabricksJobsClient implements JobRunStarter {
  constructor(
    private readonly workspaceUrl: string,
    private readonly credential: TokenCredential,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  async runNow(request: Parameters<JobRunStarter["runNow"]>[0]): Promise<{ runId: number }> {
    const token = await this.credential.getToken(`${DATABRICKS_RESOURCE}/.default`);
    if (!token) throw new Error("no Entra token for Azure Databricks");
    const response = await this.fetchImpl(new URL("/api/2.2/jobs/run-now", this.workspaceUrl), {
      method: "POST",
      headers: { authorization: `Bearer ${token.token}`, "content-type": "application/json" },
      body: JSON.stringify({
        job_id: Number(request.jobId),
        idempotency_token: request.idempotencyToken,
        job_parameters: request.jobParameters,
      }),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`run-now answered ${response.status}: ${text.slice(0, 500)}`);
    const body = JSON.parse(text) as { run_id?: unknown };
    if (typeof body.run_id !== "number")
      throw new Error(`run-now answered without a run_id: ${text.slice(0, 200)}`);
    return { runId: body.run_id };
  }
}
