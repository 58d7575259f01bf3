/**
 * Placeholder so the infrastructure branch bundles: the runtime branch of issue 4 replaces this file
 * with the real converter task (same path, same `handler` export).
 */
export const handler = async (_event?: unknown): Promise<never> => {
  throw new Error("converter handler: not merged yet");
};
