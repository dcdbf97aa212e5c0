import { decodeKafkaEvent } from '../../../../lib/kafka/event';
import { parseRecord } from '../../../../lib/parse-record';
import { generateSampleData, type SampleRecord } from '../../../../lib/producer/sample-data';
import { summarise } from '../../../../lib/producer/send-sample-data';
import { kafkaEvent } from '../../../support/events';

const classify = (record: SampleRecord) => {
  const [decoded] = decodeKafkaEvent(kafkaEvent([{ topic: record.topic, offset: 0, key: record.key, value: record.value }])).records;
  return parseRecord(decoded!, { table: record.table, maxRecordBytes: 1_048_576, ingestedAt: '2024-01-01 00:00:00.000' });
};

describe('generateSampleData', () => {
  it('produces records that pass the schemas, keyed by id, with unique message ids', () => {
    // Act
    const records = generateSampleData({ users: 50, products: 30, orders: 100, invalidRate: 0, seed: 1 });
    // Assess
    expect(records).toHaveLength(180);
    const results = records.map(classify);
    expect(results.filter((r) => !r.ok)).toEqual([]);
    for (const [i, r] of results.entries()) if (r.ok) expect(r.pending.key.recordId).toBe(records[i]!.key);
    const messageIds = results.map((r) => (r.ok ? r.pending.key.messageId : ''));
    expect(new Set(messageIds).size).toBe(180);
  });

  it('makes orders reference the generated users and products', () => {
    const records = generateSampleData({ users: 5, products: 5, orders: 40, invalidRate: 0, seed: 2 });
    const ids = (table: string) => new Set(records.filter((r) => r.table === table).map((r) => r.key));
    for (const order of records.filter((r) => r.table === 'orders')) {
      const data = JSON.parse(order.value!).data;
      expect(ids('users').has(data.user_id)).toBe(true);
      expect(ids('products').has(data.product_id)).toBe(true);
    }
  });

  it('is reproducible with a seed and fresh without one', () => {
    const now = new Date('2024-06-01T00:00:00Z');
    const a = generateSampleData({ users: 3, products: 3, orders: 3, invalidRate: 0.5, seed: 9, now });
    expect(generateSampleData({ users: 3, products: 3, orders: 3, invalidRate: 0.5, seed: 9, now })).toEqual(a);
    expect(generateSampleData({ users: 3, products: 3, orders: 3, invalidRate: 0.5, now })).not.toEqual(a);
  });

  it('mixes in poison of several kinds, each classified as the code it stands for', () => {
    const records = generateSampleData({ users: 100, products: 100, orders: 100, invalidRate: 0.2, seed: 3 });
    const poison = records.filter((r) => r.poison);
    expect(poison.length).toBeGreaterThan(30);
    expect(new Set(poison.map((r) => r.poison))).toEqual(new Set(['INVALID_JSON', 'SCHEMA_VALIDATION', 'TABLE_MISMATCH', 'EMPTY_VALUE']));
    for (const r of poison) {
      const result = classify(r);
      expect(result.ok ? 'valid' : result.poison.code).toBe(r.poison);
    }
    const summary = summarise(records);
    expect(summary.reduce((n, s) => n + s.poison, 0)).toBe(poison.length);
    expect(summary.reduce((n, s) => n + s.sent, 0)).toBe(300);
  });
});
