import {
  earliestEventPosition,
  EventHubConsumerClient,
  type CheckpointStore,
  type ReceivedEventData,
} from "@azure/event-hubs";
import type { TokenCredential } from "@azure/identity";
import type { HubBatch, HubBatchSource, HubEvent } from "./cdc-consumer";

export interface EventHubsSourceOptions {
  /** `<namespace>.servicebus.windows.net` */
  readonly fullyQualifiedNamespace: string;
  readonly eventHubName: string;
  readonly consumerGroup: string;
  /** Where checkpoints live (the SDK's BlobCheckpointStore on a container KEDA's scaler reads too). */
  readonly checkpointStore: CheckpointStore;
  readonly credential: TokenCredential;
  /** Events per batch. @default 500 */
  readonly maxBatchSize?: number;
  /** Seconds a partition may be idle before the run counts it drained. @default 20 */
  readonly idleSeconds?: number;
  /** Seconds one execution reads before it stops (the job's replica timeout is longer). @default 900 */
  readonly maxRunSeconds?: number;
}

/**
 * The Event Hubs side of `HubBatchSource`: the SDK's EventHubConsumerClient with a blob checkpoint store,
 * subscribed to every partition from its checkpoint (the earliest retained event without one). The SDK
 * keeps delivering after `processEvents` throws (the error goes to `processError`), so a partition whose
 * batch failed is marked and nothing later of it is processed or checkpointed: the next execution starts
 * again at its checkpoint. The run ends once every partition has come back empty, or after maxRunSeconds.
 */
export class EventHubsBatchSource implements HubBatchSource {
  constructor(private readonly options: EventHubsSourceOptions) {}

  async run(process: (batch: HubBatch) => Promise<void>): Promise<void> {
    const o = this.options;
    const client = new EventHubConsumerClient(
      o.consumerGroup,
      o.fullyQualifiedNamespace,
      o.eventHubName,
      o.credential,
      o.checkpointStore,
    );
    try {
      const partitions = await client.getPartitionIds();
      const idle = new Set<string>();
      const failed = new Map<string, unknown>();
      await new Promise<void>((resolve) => {
        const deadline = setTimeout(resolve, (o.maxRunSeconds ?? 900) * 1000);
        const settle = () => {
          if (partitions.every((p) => idle.has(p) || failed.has(p))) {
            clearTimeout(deadline);
            resolve();
          }
        };
        const subscription = client.subscribe(
          {
            processEvents: async (events: ReceivedEventData[], context) => {
              const partitionId = context.partitionId;
              if (failed.has(partitionId)) return;
              if (events.length === 0) {
                idle.add(partitionId);
                settle();
                return;
              }
              idle.delete(partitionId);
              const last = events[events.length - 1]!;
              try {
                await process({
                  partitionId,
                  events: events.map((e) => toHubEvent(partitionId, e)),
                  checkpoint: () => context.updateCheckpoint(last),
                });
              } catch (error) {
                failed.set(partitionId, error);
                settle();
              }
            },
            processError: async (error, context) => {
              // Transient receive errors are retried by the SDK; report them, they are not data failures.
              console.error(
                JSON.stringify({
                  level: "WARN",
                  message: "receive error",
                  partitionId: context.partitionId,
                  error: String(error),
                }),
              );
            },
          },
          {
            startPosition: earliestEventPosition,
            maxBatchSize: o.maxBatchSize ?? 500,
            maxWaitTimeInSeconds: o.idleSeconds ?? 20,
          },
        );
        void subscription;
      });
      if (failed.size > 0) throw [...failed.values()][0];
    } finally {
      await client.close();
    }
  }
}

function toHubEvent(partitionId: string, event: ReceivedEventData): HubEvent {
  return {
    partitionId,
    sequenceNumber: event.sequenceNumber,
    enqueuedTimeUtc: event.enqueuedTimeUtc,
    body: bodyText(event.body),
  };
}

/** A body as text: producers send JSON strings, bytes, or (through the SDK) objects it encodes as JSON. */
export function bodyText(body: unknown): string {
  if (typeof body === "string") return body;
  if (body instanceof Uint8Array) return Buffer.from(body).toString("utf8");
  return JSON.stringify(body);
}
