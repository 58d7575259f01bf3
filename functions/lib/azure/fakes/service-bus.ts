import type { LockedMessage, PeekLockReceiver } from "../event-consumer";

interface Stored {
  readonly messageId: string;
  readonly body: string;
  deliveryCount: number;
  deadLetterReason?: string;
  deadLetterDescription?: string;
}

/** What the service answers when a settled or expired lock is used (the SDK's `MessageLockLost`). */
export class MessageLockLostError extends Error {
  readonly code = "MessageLockLost";
}

/**
 * An in-memory Service Bus queue in peek-lock mode, following the documented semantics
 * (learn.microsoft.com/azure/service-bus-messaging/message-transfers-locks-settlement and
 * service-bus-dead-letter-queues): a received message is locked and invisible to other receivers; its
 * delivery count is raised on each delivery (1 on the first); complete removes it; abandon, or a lock that
 * expires, makes it available again, unless its delivery count has reached the queue's maxDeliveryCount,
 * in which case the service moves it to the dead-letter sub-queue with reason `MaxDeliveryCountExceeded`;
 * an explicit dead-letter keeps the caller's reason; a settled lock cannot be used again.
 */
export class InMemoryServiceBusQueue {
  private readonly available: Stored[] = [];
  private readonly locked = new Map<string, Stored>();
  readonly deadLetters: Stored[] = [];
  private nextId = 0;

  constructor(readonly maxDeliveryCount = 10) {}

  send(body: string | object): string {
    const messageId = `m${this.nextId++}`;
    this.available.push({
      messageId,
      body: typeof body === "string" ? body : JSON.stringify(body),
      deliveryCount: 0,
    });
    return messageId;
  }

  get activeCount(): number {
    return this.available.length + this.locked.size;
  }

  /** Lets every held lock expire (the lock duration passing without a settlement). */
  expireLocks(): void {
    for (const message of [...this.locked.values()]) this.release(message);
  }

  receiver(): PeekLockReceiver {
    return {
      receive: async (max) => {
        const taken = this.available.splice(0, max);
        return taken.map((message) => {
          message.deliveryCount += 1;
          this.locked.set(message.messageId, message);
          return { messageId: message.messageId, body: message.body, deliveryCount: message.deliveryCount };
        });
      },
      complete: async (message) => {
        this.settle(message);
      },
      abandon: async (message) => {
        this.release(this.settle(message));
      },
      deadLetter: async (message, reason, description) => {
        const stored = this.settle(message);
        this.deadLetters.push({ ...stored, deadLetterReason: reason, deadLetterDescription: description });
      },
    };
  }

  private settle(message: LockedMessage): Stored {
    const stored = this.locked.get(message.messageId);
    if (!stored || stored.deliveryCount !== message.deliveryCount) {
      throw new MessageLockLostError(`the lock on ${message.messageId} is lost or settled`);
    }
    this.locked.delete(message.messageId);
    return stored;
  }

  private release(message: Stored): void {
    this.locked.delete(message.messageId);
    if (message.deliveryCount >= this.maxDeliveryCount) {
      this.deadLetters.push({
        ...message,
        deadLetterReason: "MaxDeliveryCountExceeded",
        deadLetterDescription: `delivered ${message.deliveryCount} times`,
      });
    } else this.available.push(message);
  }
}
