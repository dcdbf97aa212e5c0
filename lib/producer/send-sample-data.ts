import type { Producer } from 'kafkajs';
import type { TableName } from '../schemas';
import type { SampleRecord } from './sample-data';

export interface TopicSummary {
  readonly topic: string;
  readonly table: TableName;
  readonly sent: number;
  readonly valid: number;
  readonly poison: number;
}

export interface SendOptions {
  /** Messages per produce request. */
  readonly batchSize?: number;
  readonly onProgress?: (sent: number, total: number) => void;
}

/** Sends records in batches (`acks: -1`), keeping order per key, and summarises per topic. */
export async function sendSampleData(producer: Producer, records: readonly SampleRecord[], options: SendOptions = {}): Promise<TopicSummary[]> {
  const batchSize = options.batchSize ?? 500;
  for (let i = 0; i < records.length; i += batchSize) {
    const chunk = records.slice(i, i + batchSize);
    const byTopic = new Map<string, Array<{ key: string; value: string | null }>>();
    for (const r of chunk) {
      const messages = byTopic.get(r.topic) ?? [];
      messages.push({ key: r.key, value: r.value });
      byTopic.set(r.topic, messages);
    }
    await producer.sendBatch({ acks: -1, topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })) });
    options.onProgress?.(Math.min(i + batchSize, records.length), records.length);
  }
  return summarise(records);
}

export function summarise(records: readonly SampleRecord[]): TopicSummary[] {
  const summaries = new Map<string, { topic: string; table: TableName; sent: number; valid: number; poison: number }>();
  for (const r of records) {
    const s = summaries.get(r.topic) ?? { topic: r.topic, table: r.table, sent: 0, valid: 0, poison: 0 };
    s.sent += 1;
    if (r.poison) s.poison += 1;
    else s.valid += 1;
    summaries.set(r.topic, s);
  }
  return [...summaries.values()];
}
