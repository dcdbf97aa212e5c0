import type { TableHandler } from '../../lib/handler';
import { loadFixture } from '../support/events';
import { startTestStack, type TestStack } from '../support/test-stack';

describe('the exported handlers on the local stack', () => {
  let ts: TestStack;
  const handlers: Record<string, TableHandler> = {};

  beforeAll(async () => {
    ts = await startTestStack();
    Object.assign(process.env, ts.env);
    // Imported after the environment points at the stack: configuration is read at cold start.
    handlers.users = (await import('../../functions/users.js')).handler;
    handlers.products = (await import('../../functions/products.js')).handler;
    handlers.orders = (await import('../../functions/orders.js')).handler;
  });

  afterAll(async () => {
    await Promise.all(Object.values(handlers).map((h) => h.close()));
    await ts.stop();
  });

  const select = async <T>(query: string): Promise<T[]> => (await ts.clickhouse.query({ query, format: 'JSONEachRow' })).json<T>();

  it('users: rows with Kafka metadata, processed_events and a migration_logs row', async () => {
    // Act
    const summary = await handlers.users!(loadFixture('msk-users.json'), { awsRequestId: 'req-users-1' });
    // The audit row is written off the critical path; close() waits for it.
    await handlers.users!.close();
    // Assess
    expect(summary).toMatchObject({ received: 3, inserted: 3, sentToDlq: 0, status: 'success' });
    expect(await select('SELECT id, email, name, age, country, created_at, message_id, kafka_topic, kafka_partition, kafka_offset FROM users ORDER BY id')).toEqual([
      { id: '0b7e1a5c-3c1e-4d6a-9a51-1f2a3b4c5d01', email: 'ada@example.com', name: 'Ada Lovelace', age: 36, country: 'GB', created_at: '2024-01-01 10:00:00.000', message_id: 'msg-user-1', kafka_topic: 'users-topic', kafka_partition: 0, kafka_offset: '15' },
      { id: '0b7e1a5c-3c1e-4d6a-9a51-1f2a3b4c5d02', email: 'alan@example.com', name: 'Alan Turing', age: null, country: null, created_at: '2024-01-02 09:30:00.000', message_id: 'msg-user-2', kafka_topic: 'users-topic', kafka_partition: 0, kafka_offset: '16' },
      { id: '0b7e1a5c-3c1e-4d6a-9a51-1f2a3b4c5d03', email: 'grace@example.com', name: 'Grace Hopper', age: 85, country: 'US', created_at: '2024-01-03 09:15:00.250', message_id: 'msg-user-3', kafka_topic: 'users-topic', kafka_partition: 1, kafka_offset: '7' },
    ]);
    expect(await select("SELECT message_id, record_id, kafka_offset FROM processed_events WHERE table_name = 'users' ORDER BY message_id")).toEqual([
      { message_id: 'msg-user-1', record_id: '0b7e1a5c-3c1e-4d6a-9a51-1f2a3b4c5d01', kafka_offset: '15' },
      { message_id: 'msg-user-2', record_id: '0b7e1a5c-3c1e-4d6a-9a51-1f2a3b4c5d02', kafka_offset: '16' },
      { message_id: 'msg-user-3', record_id: '0b7e1a5c-3c1e-4d6a-9a51-1f2a3b4c5d03', kafka_offset: '7' },
    ]);
    expect(await select("SELECT request_id, status, received, inserted, skipped_duplicates, sent_to_dlq FROM migration_logs WHERE request_id = 'req-users-1'")).toEqual([
      { request_id: 'req-users-1', status: 'success', received: 3, inserted: 3, skipped_duplicates: 0, sent_to_dlq: 0 },
    ]);
  });

  it('products (self-managed event): rows with decimals', async () => {
    await handlers.products!(loadFixture('self-managed-products.json'), { awsRequestId: 'req-products-1' });
    expect(await select('SELECT name, price, stock, kafka_partition, kafka_offset FROM products ORDER BY kafka_offset')).toEqual([
      { name: 'Mechanical keyboard', price: 129.99, stock: 42, kafka_partition: 2, kafka_offset: '100' },
      { name: 'Notebook', price: 3.5, stock: 0, kafka_partition: 2, kafka_offset: '101' },
    ]);
  });

  it('orders: the total is computed when absent', async () => {
    await handlers.orders!(loadFixture('msk-orders.json'), { awsRequestId: 'req-orders-1' });
    expect(await select('SELECT quantity, unit_price, total, status FROM orders ORDER BY kafka_offset')).toEqual([
      { quantity: 2, unit_price: 129.99, total: 259.98, status: 'paid' },
      { quantity: 3, unit_price: 3.5, total: 10.5, status: 'pending' },
    ]);
  });

  it('a mixed batch writes the valid records and puts each poison one on dlq-topic with its fields', async () => {
    // Prepare
    const before = await ts.topicSize('dlq-topic');
    // Act
    const summary = await handlers.users!(loadFixture('msk-users-mixed.json'), { awsRequestId: 'req-mixed' });
    // Assess
    expect(summary).toMatchObject({ received: 7, inserted: 2, sentToDlq: 5, status: 'partial' });
    const messages = (await ts.readMessages('dlq-topic')).slice(before);
    const letters = messages.map((m) => ({ key: m.key?.toString() ?? null, headers: Object.fromEntries(Object.entries(m.headers ?? {}).map(([k, v]) => [k, v?.toString()])), value: JSON.parse(m.value!.toString()) }));
    expect(letters.map((l) => [l.value.source.offset, l.value.error.code, l.headers['x-dlq-reason']])).toEqual([
      ['41', 'INVALID_JSON', 'INVALID_JSON'],
      ['42', 'SCHEMA_VALIDATION', 'SCHEMA_VALIDATION'],
      ['43', 'TABLE_MISMATCH', 'TABLE_MISMATCH'],
      ['44', 'EMPTY_VALUE', 'EMPTY_VALUE'],
      ['45', 'UNDECODABLE', 'UNDECODABLE'],
    ]);
    expect(letters[1]).toEqual({
      key: 'bad-email',
      headers: { 'x-dlq-reason': 'SCHEMA_VALIDATION', 'x-original-topic': 'users-topic', 'x-original-partition': '2', 'x-original-offset': '42' },
      value: {
        originalMessage: expect.stringContaining('"email":"not-an-email"'),
        originalEncoding: 'utf8',
        originalBytes: expect.any(Number),
        originalSha256: expect.stringMatching(/^[0-9a-f]{64}$/),
        originalTruncated: false,
        source: { topic: 'users-topic', partition: 2, offset: '42', timestamp: 1704067200042, key: 'bad-email', keyTruncated: false },
        error: { code: 'SCHEMA_VALIDATION', message: 'users record is invalid: data.email: Invalid email address', issues: [{ path: 'data.email', code: 'invalid_format', message: 'Invalid email address' }] },
        failureReason: expect.stringMatching(/^The record does not match its schema: .*\.$/),
        failedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        handler: 'users',
        requestId: 'req-mixed',
      },
    });
    expect(letters[4]!.value).toMatchObject({ originalEncoding: 'base64', originalMessage: Buffer.from([0xff, 0xfe, 0x00, 0x41]).toString('base64') });
    // The same letters, queryable with SQL.
    expect(await select("SELECT reason, count() AS n FROM dead_letters WHERE request_id = 'req-mixed' GROUP BY reason ORDER BY reason")).toEqual([
      { reason: 'EMPTY_VALUE', n: '1' }, { reason: 'INVALID_JSON', n: '1' }, { reason: 'SCHEMA_VALIDATION', n: '1' }, { reason: 'TABLE_MISMATCH', n: '1' }, { reason: 'UNDECODABLE', n: '1' },
    ]);
    await handlers.users!.close();
    expect(await select("SELECT status, sent_to_dlq FROM migration_logs WHERE request_id = 'req-mixed'")).toEqual([{ status: 'partial', sent_to_dlq: 5 }]);
  });
});
