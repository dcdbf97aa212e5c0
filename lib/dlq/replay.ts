import type { Producer } from 'kafkajs';
import type { RecordHeaders } from './letter';

/** The header naming the DLQ letter (`partition:offset`) a replayed record came from. */
export const REPLAYED_FROM_HEADER = 'x-replayed-from-dlq-offset';

/** A record to put back on its source topic: the original bytes, or a fixed version of them. */
export interface ReplayRecord {
  readonly topic: string;
  readonly key: Buffer | string | null;
  readonly value: Buffer | string | null;
  /** The original record's headers, when known (Lambda's payload, a re-read record). */
  readonly headers?: RecordHeaders;
  /** `partition:offset` of the letter on the DLQ topic, kept in a header so replays are traceable. */
  readonly replayedFrom?: string;
}

/** Publishes records to their topics in one send, `acks: -1`; returns counts per topic. */
export async function replay(producer: Producer, records: readonly ReplayRecord[]): Promise<Record<string, number>> {
  const byTopic = new Map<string, ReplayRecord[]>();
  for (const r of records) {
    const list = byTopic.get(r.topic) ?? [];
    list.push(r);
    byTopic.set(r.topic, list);
  }
  if (byTopic.size === 0) return {};
  await producer.sendBatch({
    acks: -1,
    topicMessages: [...byTopic].map(([topic, rs]) => ({
      topic,
      messages: rs.map((r) => ({
        key: r.key,
        value: r.value,
        headers: { ...r.headers, ...(r.replayedFrom ? { [REPLAYED_FROM_HEADER]: r.replayedFrom } : {}) },
      })),
    })),
  });
  return Object.fromEntries([...byTopic].map(([topic, rs]) => [topic, rs.length]));
}
