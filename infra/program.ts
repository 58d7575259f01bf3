import { buildAwsStack } from "../stacks/aws";
import { buildAzureStack } from "../stacks/azure";
import { loadStack } from "./config";

/**
 * The program: validate all config first (nothing registers from a bad stack), then assemble the
 * cloud's stack. Returns the stack outputs.
 */
export async function runProgram(): Promise<Record<string, unknown>> {
  const stack = loadStack();
  switch (stack.settings.cloud) {
    case "aws":
      return { ...buildAwsStack(stack) };
    case "azure":
      return { ...buildAzureStack(stack) };
  }
}
