import type { Producer } from 'kafkajs';
import type { StoredDeadLetter } from './dead-letter-reader';

/** A record to put back on its source topic: the original bytes, or a fixed version of them. */
export interface ReplayRecord {
  readonly topic: string;
  readonly key: Buffer | string | null;
  readonly value: Buffer | string | null;
  /** The DLQ offset it came from, kept in a header so replays are traceable. */
  readonly dlqOffset?: string;
}

/** The original message of a dead letter, decoded from its `originalEncoding`. */
export function originalRecord(letter: StoredDeadLetter): ReplayRecord {
  const { originalMessage, originalEncoding, source } = letter.value;
  const value = originalMessage === null ? null : originalEncoding === 'base64' ? Buffer.from(originalMessage, 'base64') : originalMessage;
  return { topic: source.topic, key: letter.key, value, dlqOffset: letter.offset };
}

/** Publishes records to their topics in one send per topic, `acks: -1`; returns counts per topic. */
export async function replay(producer: Producer, records: readonly ReplayRecord[]): Promise<Record<string, number>> {
  const byTopic = new Map<string, ReplayRecord[]>();
  for (const r of records) {
    const list = byTopic.get(r.topic) ?? [];
    list.push(r);
    byTopic.set(r.topic, list);
  }
  await producer.sendBatch({
    acks: -1,
    topicMessages: [...byTopic].map(([topic, rs]) => ({
      topic,
      messages: rs.map((r) => ({ key: r.key, value: r.value, headers: r.dlqOffset ? { 'x-replayed-from-dlq-offset': r.dlqOffset } : {} })),
    })),
  });
  return Object.fromEntries([...byTopic].map(([topic, rs]) => [topic, rs.length]));
}
