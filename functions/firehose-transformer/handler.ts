/**
 * Placeholder so the infrastructure branch bundles: the runtime branch of issue 4 replaces this file
 * with the real firehose-transformer handler (same path, same `handler` export).
 */
export const handler = async (_event?: unknown): Promise<never> => {
  throw new Error("firehose-transformer handler: not merged yet");
};
