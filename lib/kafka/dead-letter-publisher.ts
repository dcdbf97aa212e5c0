import type { Producer } from 'kafkajs';
import { DeadLetterPublishError } from '../errors';
import type { DeadLetter, DeadLetterSink } from '../ports';
import { toDeadLetterMessage } from './dead-letter-message';

/**
 * Publishes a batch's poison records to the DLQ topic in one send with `acks: -1` (all in-sync
 * replicas). Any failure throws {@link DeadLetterPublishError}: the batch is redelivered and
 * the poison published again, never dropped.
 */
export class DeadLetterPublisher implements DeadLetterSink {
  constructor(
    private readonly producer: Producer,
    private readonly topic: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async publish(letters: readonly DeadLetter[]): Promise<void> {
    if (letters.length === 0) return;
    const failedAt = this.now();
    try {
      await this.producer.send({
        topic: this.topic,
        acks: -1,
        messages: letters.map((letter) => toDeadLetterMessage(letter, failedAt)),
      });
    } catch (error) {
      throw new DeadLetterPublishError(`could not publish ${letters.length} dead letter(s) to ${this.topic}: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }
}
