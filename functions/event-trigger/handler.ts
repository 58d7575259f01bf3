/**
 * Placeholder so the infrastructure branch bundles: the runtime branch of issue 4 replaces this file
 * with the real event-trigger handler (same path, same `handler` export).
 */
export const handler = async (_event?: unknown): Promise<never> => {
  throw new Error("event-trigger handler: not merged yet");
};
