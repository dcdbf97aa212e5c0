import type { Kafka } from 'kafkajs';
import type { DeadLetterValue } from '../kafka/dead-letter-message';
import { readTopicToEnd } from '../kafka/read-topic';

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

const parseValue = (value: Buffer | null): DeadLetterValue => {
  try {
    return JSON.parse(value?.toString('utf8') ?? 'null') as DeadLetterValue;
  } catch {
    return { error: { code: 'NOT_A_DEAD_LETTER', message: 'value is not JSON', issues: [] } } as unknown as DeadLetterValue;
  }
};

/** Reads the DLQ topic up to its current end, committing nothing, and returns the letters that match `filter`. */
export async function readDeadLetters(kafka: Kafka, topic: string, filter: DeadLetterFilter = {}, timeoutMs = 60_000): Promise<StoredDeadLetter[]> {
  return (await readTopicToEnd(kafka, topic, timeoutMs))
    .map(({ partition, message }) => ({ partition, offset: message.offset, key: message.key, value: parseValue(message.value) }))
    .filter((letter) => matches(letter, filter));
}
