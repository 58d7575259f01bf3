import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { parseArgs } from "node:util";
import {
  AZURE_DATABRICKS_APP_ID,
  azurePreflight,
  formatChecks,
  type AzureProbe,
} from "../infra/preflight/azure";
import { readStackConfig } from "../infra/preview/stack-file";

const run = promisify(execFile);
const USAGE = `usage: npm run preflight -- --stack <stack>
Checks with your Azure CLI login what the stack needs and cannot create (role-assignment rights,
Databricks account admin, a metastore) and that pulumi up accepts its config; exits 1 on any failure.`;

/** `az <args> -o json`, parsed. */
async function az(args: readonly string[]): Promise<unknown> {
  const { stdout } = await run("az", [...args, "-o", "json"], { maxBuffer: 16 * 1024 * 1024 });
  return JSON.parse(stdout);
}

const probe: AzureProbe = {
  az,
  async databricksAccount(path) {
    const token = (await az(["account", "get-access-token", "--resource", AZURE_DATABRICKS_APP_ID])) as {
      accessToken: string;
    };
    const response = await fetch(`https://accounts.azuredatabricks.net${path}`, {
      headers: { authorization: `Bearer ${token.accessToken}` },
    });
    return { status: response.status, body: response.ok ? await response.json() : await response.text() };
  },
};

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { stack: { type: "string" }, help: { type: "boolean" } },
  });
  if (values.help || !values.stack) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  const stack = readStackConfig(process.cwd(), values.stack);
  if (stack.config["medallion:cloud"] !== "azure") {
    console.log(`preflight: ${values.stack} is not an Azure stack; nothing to check`);
    return 0;
  }
  const checks = await azurePreflight(stack, probe);
  console.log(formatChecks(checks));
  return checks.every((c) => c.ok) ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`preflight: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
