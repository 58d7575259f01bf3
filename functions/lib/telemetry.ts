import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";

/** Namespace for every custom metric; the alarms in components/aws read the same one. */
export const METRICS_NAMESPACE = "Medallion/Ingestion";

/** One Powertools logger and metrics pair per function (service name = the function's role). */
export function telemetry(service: string): { logger: Logger; metrics: Metrics } {
  return {
    logger: new Logger({ serviceName: service }),
    metrics: new Metrics({
      namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? METRICS_NAMESPACE,
      serviceName: service,
    }),
  };
}
