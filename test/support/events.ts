import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LambdaKafkaEvent, LambdaKafkaRecord } from '../../lib/kafka/event';

export const loadFixture = (name: string): LambdaKafkaEvent =>
  JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', name), 'utf8')) as LambdaKafkaEvent;

export interface RecordSpec {
  readonly topic?: string;
  readonly partition?: number;
  readonly offset: number;
  readonly key?: string | null;
  readonly value: string | Buffer | null;
}

/** Builds an MSK event from plain values, grouped by topic-partition like Lambda does. */
export function kafkaEvent(specs: readonly RecordSpec[], eventSource: LambdaKafkaEvent['eventSource'] = 'aws:kafka'): LambdaKafkaEvent {
  const records: Record<string, LambdaKafkaRecord[]> = {};
  for (const s of specs) {
    const topic = s.topic ?? 'users-topic';
    const partition = s.partition ?? 0;
    (records[`${topic}-${partition}`] ??= []).push({
      topic,
      partition,
      offset: s.offset,
      timestamp: 1_700_000_000_000 + s.offset,
      timestampType: 'CREATE_TIME',
      key: s.key === undefined ? null : s.key === null ? null : Buffer.from(s.key).toString('base64'),
      value: s.value === null ? null : Buffer.from(s.value).toString('base64'),
      headers: [],
    });
  }
  return eventSource === 'aws:kafka'
    ? { eventSource, eventSourceArn: 'arn:aws:kafka:eu-west-1:123456789012:cluster/test/abc', bootstrapServers: 'b-1:9098', records }
    : { eventSource, bootstrapServers: 'kafka-1:9092', records };
}

let sequence = 0;
const uuid = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

/** A valid users envelope; `n` makes the id and messageId unique and reproducible. */
export function userEnvelope(n: number = ++sequence, overrides: Record<string, unknown> = {}): string {
  return JSON.stringify({
    table: 'users',
    messageId: `msg-${n}`,
    timestamp: '2024-01-01T00:00:00.000Z',
    data: { id: uuid(n), email: `user${n}@example.com`, name: `User ${n}`, age: n % 100, country: 'DE', created_at: '2024-01-01T00:00:00.000Z', ...overrides },
  });
}

export const userId = uuid;
