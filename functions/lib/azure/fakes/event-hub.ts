import type { HubBatch, HubBatchSource, HubEvent } from "../cdc-consumer";

/**
 * An in-memory event hub with consumer-group checkpoints, following the service's documented semantics
 * (learn.microsoft.com/azure/event-hubs/event-hubs-features#checkpointing): events are kept per partition in
 * sequence order whatever is read; a consumer group's reader resumes after the last checkpointed event of each
 * partition, or from the start of the retained stream without one; a checkpoint never moves backwards; and
 * nothing is removed by reading, so an unacknowledged batch is delivered again to the next reader.
 */
export class InMemoryEventHub {
  private readonly partitions = new Map<string, HubEvent[]>();
  /** consumer group → partition → last checkpointed sequence number */
  private readonly checkpoints = new Map<string, Map<string, number>>();

  constructor(partitionCount: number) {
    for (let i = 0; i < partitionCount; i++) this.partitions.set(String(i), []);
  }

  /** Sends one event to a partition (by key hash when none is given, like a partition key). */
  send(body: string | object, options: { partitionId?: string; enqueuedTimeUtc?: Date } = {}): HubEvent {
    const ids = [...this.partitions.keys()];
    const partitionId = options.partitionId ?? ids[hash(String(body)) % ids.length]!;
    const events = this.partitions.get(partitionId);
    if (!events) throw new Error(`no partition ${partitionId}`);
    const event: HubEvent = {
      partitionId,
      sequenceNumber: events.length,
      enqueuedTimeUtc: options.enqueuedTimeUtc ?? new Date(),
      body: typeof body === "string" ? body : JSON.stringify(body),
    };
    events.push(event);
    return event;
  }

  checkpointOf(consumerGroup: string, partitionId: string): number | undefined {
    return this.checkpoints.get(consumerGroup)?.get(partitionId);
  }

  /** A reader of one consumer group that hands over at most `maxBatchSize` events per batch. */
  consumer(consumerGroup: string, maxBatchSize = 100): HubBatchSource {
    return {
      run: async (process) => {
        const errors: unknown[] = [];
        for (const [partitionId, events] of this.partitions) {
          let next = (this.checkpointOf(consumerGroup, partitionId) ?? -1) + 1;
          while (next < events.length) {
            const slice = events.slice(next, next + maxBatchSize);
            const last = slice[slice.length - 1]!.sequenceNumber;
            const batch: HubBatch = {
              partitionId,
              events: slice,
              checkpoint: async () => this.commit(consumerGroup, partitionId, last),
            };
            try {
              await process(batch);
            } catch (error) {
              errors.push(error);
              break; // this partition stops: nothing after the failed batch is handed over
            }
            next = last + 1;
          }
        }
        if (errors.length > 0) throw errors[0];
      },
    };
  }

  private commit(consumerGroup: string, partitionId: string, sequenceNumber: number): void {
    const group = this.checkpoints.get(consumerGroup) ?? new Map<string, number>();
    group.set(partitionId, Math.max(group.get(partitionId) ?? -1, sequenceNumber));
    this.checkpoints.set(consumerGroup, group);
  }
}

function hash(text: string): number {
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (h * 31 + text.charCodeAt(i)) >>> 0;
  return h;
}
