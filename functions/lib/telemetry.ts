import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";

/** Namespace for every custom metric; the alarms in components/aws read the same one. */
export const METRICS_NAMESPACE = "Medallion/Ingestion";

/**
 * Where a metric comes from beyond its service: the Lambda function's name, or for the ECS task the
 * `METRICS_SCOPE` its task definition sets. The alarms name it, so stacks sharing an account (dev and
 * prod) do not share a metric.
 */
export const METRICS_SCOPE_DIMENSION = "function";

/**
 * One Powertools logger and metrics pair per function (service name = the function's role); metrics carry
 * `service` and {@link METRICS_SCOPE_DIMENSION}, the dimensions the stack's alarms select on.
 */
export function telemetry(service: string): { logger: Logger; metrics: Metrics } {
  const metrics = new Metrics({
    namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? METRICS_NAMESPACE,
    serviceName: service,
  });
  const scope = process.env.AWS_LAMBDA_FUNCTION_NAME ?? process.env.METRICS_SCOPE;
  if (scope) metrics.setDefaultDimensions({ [METRICS_SCOPE_DIMENSION]: scope });
  return { logger: new Logger({ serviceName: service }), metrics };
}
