import { parseArgs } from "node:util";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SFNClient } from "@aws-sdk/client-sfn";
import { awsResourceName } from "../components/naming";
import { parseLakehouseSpec } from "../components/spec";
import { documentClient } from "../functions/lib/clients";
import { replayFailed, type ReplayOutcome } from "../functions/lib/replay";
import { readStackConfig } from "../infra/preview/stack-file";

const USAGE = `usage: npm run replay -- --stack <stack> --key <raw key> [--bucket <raw bucket>]
       npm run replay -- --stack <stack> --control-id <s3://bucket/key#etag>
options: --state-machine-arn <arn>  (default: the one that ran the file)
         --control-table <name>     (default: <product>-<environment>-raw-control)
         --region <region>          (default: the stack's aws:region)
Converts a FAILED raw file again under a new execution name; prints the outcome as JSON.`;

/**
 * `npm run replay`: replays a FAILED raw → bronze conversion of a stack (`functions/lib/replay.ts`), with the
 * caller's AWS credentials (DynamoDB Scan/GetItem/UpdateItem on the control table, states:StartExecution).
 */
export async function main(
  argv: string[],
  root = process.cwd(),
  clients?: { dynamo: DynamoDBClient; sfn: SFNClient },
): Promise<ReplayOutcome> {
  const { values } = parseArgs({
    args: argv,
    options: {
      stack: { type: "string" },
      key: { type: "string" },
      bucket: { type: "string" },
      "control-id": { type: "string" },
      "state-machine-arn": { type: "string" },
      "control-table": { type: "string" },
      region: { type: "string" },
      help: { type: "boolean" },
    },
  });
  if (values.help) throw new UsageError(USAGE);
  if (!values.stack) throw new UsageError(`missing --stack\n${USAGE}`);
  if (!values.key && !values["control-id"]) throw new UsageError(`missing --key or --control-id\n${USAGE}`);
  const config = readStackConfig(root, values.stack).config;
  const environment = config["medallion:environment"];
  const rawSpec = config["medallion:lakehouse"];
  if (!environment || !rawSpec)
    throw new UsageError(`Pulumi.${values.stack}.yaml has no medallion:environment or medallion:lakehouse`);
  const spec = parseLakehouseSpec(JSON.parse(rawSpec));
  // The name AwsRawArrival gives the control table.
  const controlTable =
    values["control-table"] ?? awsResourceName([spec.name, environment, "raw-control"], 255);
  const region = values.region ?? config["aws:region"];
  const dynamo = clients?.dynamo ?? new DynamoDBClient({ region });
  const sfn = clients?.sfn ?? new SFNClient({ region });
  return replayFailed(
    {
      dynamo: documentClient(dynamo),
      sfn,
      controlTable,
      ...(values["state-machine-arn"] ? { stateMachineArn: values["state-machine-arn"] } : {}),
    },
    {
      ...(values.key ? { key: values.key } : {}),
      ...(values.bucket ? { bucket: values.bucket } : {}),
      ...(values["control-id"] ? { controlId: values["control-id"] } : {}),
    },
  );
}

/** A wrong invocation: printed with the usage, exit 2. */
export class UsageError extends Error {}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (outcome) => console.log(JSON.stringify(outcome)),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exitCode = error instanceof UsageError ? 2 : 1;
    },
  );
}
