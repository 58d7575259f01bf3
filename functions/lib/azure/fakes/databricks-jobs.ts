import type { JobRunStarter } from "../event-consumer";

/**
 * In-memory Databricks Jobs `run-now` with the documented `idempotency_token` semantics
 * (docs.databricks.com/api/azure/workspace/jobs/runnow): a token already used returns the existing run's ID
 * and launches nothing; a token longer than 64 characters is refused (400). `loseResponses` makes the next
 * calls launch the run and then fail, as a timeout after the service acted would.
 */
export class InMemoryDatabricksJobs implements JobRunStarter {
  readonly runs: { runId: number; jobId: string; jobParameters: Readonly<Record<string, string>> }[] = [];
  private readonly byToken = new Map<string, number>();
  loseResponses = 0;
  failBeforeLaunch = 0;

  async runNow(request: Parameters<JobRunStarter["runNow"]>[0]): Promise<{ runId: number }> {
    if (this.failBeforeLaunch > 0) {
      this.failBeforeLaunch -= 1;
      throw new Error("503 TEMPORARILY_UNAVAILABLE");
    }
    if (request.idempotencyToken.length > 64) throw new Error("400 INVALID_PARAMETER_VALUE: token over 64");
    let runId = this.byToken.get(request.idempotencyToken);
    if (runId === undefined) {
      runId = 1000 + this.runs.length;
      this.runs.push({ runId, jobId: request.jobId, jobParameters: { ...request.jobParameters } });
      this.byToken.set(request.idempotencyToken, runId);
    }
    if (this.loseResponses > 0) {
      this.loseResponses -= 1;
      throw new Error("request timed out");
    }
    return { runId };
  }
}
