/**
 * Placeholder so the infrastructure branch bundles: the runtime branch of issue 4 replaces this file
 * with the real api-pull handler (same path, same `handler` export).
 */
export const handler = async (_event?: unknown): Promise<never> => {
  throw new Error("api-pull handler: not merged yet");
};
