import type { ServiceBusReceivedMessage, ServiceBusReceiver } from "@azure/service-bus";
import type { LockedMessage, PeekLockReceiver } from "./event-consumer";
import { bodyText } from "./event-hubs-source";

/**
 * The Service Bus side of `PeekLockReceiver`: a receiver in peek-lock mode (`receiveMode: "peekLock"`), whose
 * settlements map one to one (complete, abandon, deadLetter with reason and description).
 */
export class ServiceBusPeekLockReceiver implements PeekLockReceiver {
  private readonly held = new Map<string, ServiceBusReceivedMessage>();

  constructor(
    private readonly receiver: ServiceBusReceiver,
    private readonly maxWaitTimeInMs = 5_000,
  ) {}

  async receive(max: number): Promise<LockedMessage[]> {
    const messages = await this.receiver.receiveMessages(max, { maxWaitTimeInMs: this.maxWaitTimeInMs });
    return messages.map((m) => {
      const messageId = `${String(m.messageId ?? "")}#${m.lockToken ?? ""}`;
      this.held.set(messageId, m);
      return { messageId, body: bodyText(m.body), deliveryCount: m.deliveryCount ?? 1 };
    });
  }

  complete(message: LockedMessage): Promise<void> {
    return this.receiver.completeMessage(this.take(message));
  }

  abandon(message: LockedMessage): Promise<void> {
    return this.receiver.abandonMessage(this.take(message));
  }

  deadLetter(message: LockedMessage, reason: string, description: string): Promise<void> {
    return this.receiver.deadLetterMessage(this.take(message), {
      deadLetterReason: reason,
      deadLetterErrorDescription: description.slice(0, 4096),
    });
  }

  private take(message: LockedMessage): ServiceBusReceivedMessage {
    const received = this.held.get(message.messageId);
    if (!received) throw new Error(`message ${message.messageId} was not received by this receiver`);
    this.held.delete(message.messageId);
    return received;
  }
}
