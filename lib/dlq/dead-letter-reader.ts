import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import type { DeadLetterValue } from '../kafka/dead-letter-message';
import { fetchEndOffsets } from '../kafka/topic-offsets';

/** A dead letter as read back from the DLQ topic. */
export interface StoredDeadLetter {
  readonly partition: number;
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: DeadLetterValue;
}

export interface DeadLetterFilter {
  /** Error code, e.g. `SCHEMA_VALIDATION`. */
  readonly reason?: string;
  /** Handler (table) that dead-lettered the record. */
  readonly table?: string;
  /** DLQ offsets to pick. */
  readonly offsets?: readonly string[];
}

export const matches = (letter: StoredDeadLetter, filter: DeadLetterFilter): boolean =>
  (!filter.reason || letter.value.error.code === filter.reason) &&
  (!filter.table || letter.value.handler === filter.table) &&
  (!filter.offsets?.length || filter.offsets.includes(letter.offset));

/**
 * Reads the DLQ topic from the beginning up to its current end, without committing anything (a
 * throw-away consumer group), and returns the letters that match `filter`.
 */
export async function readDeadLetters(kafka: Kafka, topic: string, filter: DeadLetterFilter = {}, timeoutMs = 60_000): Promise<StoredDeadLetter[]> {
  const ends = await fetchEndOffsets(kafka, topic);
  const pending = new Set([...ends].filter(([, high]) => high > 0n).map(([partition]) => partition));
  const letters: StoredDeadLetter[] = [];
  if (pending.size === 0) return letters;

  // Short fetch waits: the reader stops at the end, and disconnect waits for the fetch in flight.
  const consumer = kafka.consumer({ groupId: `dlq-reader-${randomUUID()}`, maxWaitTimeInMs: 200 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`reading ${topic} did not reach its end within ${timeoutMs / 1000} s`)), timeoutMs);
      void consumer.run({
        autoCommit: false,
        eachMessage: async ({ partition, message }) => {
          let value: DeadLetterValue;
          try {
            value = JSON.parse(message.value?.toString('utf8') ?? 'null') as DeadLetterValue;
          } catch {
            value = { error: { code: 'NOT_A_DEAD_LETTER', message: 'value is not JSON', issues: [] } } as unknown as DeadLetterValue;
          }
          const letter = { partition, offset: message.offset, key: message.key, value };
          if (matches(letter, filter)) letters.push(letter);
          if (BigInt(message.offset) + 1n >= ends.get(partition)!) pending.delete(partition);
          if (pending.size === 0) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return letters.sort((a, b) => a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)));
}
