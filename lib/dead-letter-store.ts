import type { Deadline } from './deadline';
import type { DeadLetter, DeadLetterSink } from './ports';

/**
 * Where dead letters go: the DLQ topic first (the durable contract), then the `dead_letters`
 * table. That order means a letter in the table is always on the topic as well; if the table write
 * fails the batch is redelivered, the topic gets the letter again (it is at-least-once) and the
 * table's deduplication keeps one row.
 */
export class DeadLetterStore implements DeadLetterSink {
  constructor(
    private readonly topic: DeadLetterSink,
    private readonly table?: { insert(letters: readonly DeadLetter[], deadline: Deadline): Promise<void> },
  ) {}

  async publish(letters: readonly DeadLetter[], deadline: Deadline): Promise<void> {
    if (letters.length === 0) return;
    await this.topic.publish(letters, deadline);
    await this.table?.insert(letters, deadline);
  }
}
