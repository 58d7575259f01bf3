/**
 * The AWS service metrics the stack's dashboard reads, with the one dimension set each is published under
 * (CloudWatch matches a metric by its whole dimension set). From the services' metric tables:
 * - AWS/States: https://docs.aws.amazon.com/step-functions/latest/dg/procedure-cw-metrics.html (execution metrics, StateMachineArn)
 * - AWS/Lambda: https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html (FunctionName)
 * - AWS/Firehose: https://docs.aws.amazon.com/firehose/latest/dev/monitoring-with-cloudwatch-metrics.html (DeliveryStreamName)
 * - AWS/SQS: https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-available-cloudwatch-metrics.html (QueueName)
 * - Glue: https://docs.aws.amazon.com/glue/latest/dg/monitoring-awsglue-with-cloudwatch-metrics.html (JobName, JobRunId "ALL", Type; job-level aggregates with --enable-metrics)
 */
export const AWS_SERVICE_METRICS: Readonly<
  Record<string, { readonly dimensions: readonly string[]; readonly metrics: readonly string[] }>
> = {
  "AWS/States": {
    dimensions: ["StateMachineArn"],
    metrics: [
      "ExecutionsStarted",
      "ExecutionsSucceeded",
      "ExecutionsFailed",
      "ExecutionsTimedOut",
      "ExecutionsAborted",
      "ExecutionTime",
    ],
  },
  "AWS/Lambda": { dimensions: ["FunctionName"], metrics: ["Invocations", "Errors", "Throttles", "Duration"] },
  "AWS/Firehose": {
    dimensions: ["DeliveryStreamName"],
    metrics: ["DeliveryToS3.DataFreshness", "DeliveryToS3.Success", "DeliveryToS3.Records"],
  },
  "AWS/SQS": {
    dimensions: ["QueueName"],
    metrics: ["ApproximateNumberOfMessagesVisible", "ApproximateAgeOfOldestMessage"],
  },
  Glue: {
    dimensions: ["JobName", "JobRunId", "Type"],
    metrics: [
      "glue.driver.aggregate.elapsedTime",
      "glue.driver.aggregate.numCompletedTasks",
      "glue.driver.aggregate.numFailedTasks",
    ],
  },
};
