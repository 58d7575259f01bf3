/**
 * Placeholder so the infrastructure branch bundles: the runtime branch of issue 4 replaces this file
 * with the real Fargate entry (same path), which converts the file named by CONTROL_ID, SOURCE_BUCKET,
 * SOURCE_KEY and TABLE when it runs and sets a non-zero exit code on failure.
 */
async function main(): Promise<void> {
  throw new Error("converter task: not merged yet");
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
