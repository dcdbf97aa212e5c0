import { createClickHouseClientFor } from '../../lib/clickhouse/client';
import { ClickHouseConnection } from '../../lib/clickhouse/connection';
import { DeadLetterTable } from '../../lib/clickhouse/dead-letter-table';
import { createPorts } from '../../lib/create-ports';
import { Deadline } from '../../lib/deadline';
import { createTableHandler, type TableHandler } from '../../lib/handler';
import { keyText } from '../../lib/idempotency-key';
import { CrashInjector } from '../support/crashing-clickhouse';
import { kafkaEvent, userEnvelope, userId } from '../support/events';
import { startTestStack, type TestStack } from '../support/test-stack';

/** A users record whose messageId is 256 characters (the longest the contract allows). */
const longIdEnvelope = (n: number) => {
  const value = JSON.parse(userEnvelope(n)) as { messageId: string };
  value.messageId = `${n}-`.padEnd(256, 'm');
  return JSON.stringify(value);
};

describe('ClickHouse requests per batch, and which version of a row wins', () => {
  let ts: TestStack;
  let handler: TableHandler;
  // Counts the handler's requests as it makes them (never crashes: no plan is armed).
  const counter = new CrashInjector();

  beforeAll(async () => {
    ts = await startTestStack();
    handler = createTableHandler('users', {
      config: ts.config,
      createPorts: (config, options) => createPorts(config, { ...options, createClickHouseClient: (c, credentials) => counter.wrap(createClickHouseClientFor(c, credentials)) }),
    });
  });

  afterAll(async () => {
    await handler.close();
    await ts.stop();
  });

  it('a fresh 1,000-record batch: at most 2 requests before the handler returns, 3 with the audit row', async () => {
    // Prepare
    const event = kafkaEvent(Array.from({ length: 1_000 }, (_, i) => ({ partition: 1, offset: i, value: userEnvelope(200_000 + i) })));
    await handler.close();
    counter.arm(undefined);
    // Act
    const summary = await handler(event, { awsRequestId: 'fresh-1000' });
    // Read at once: the audit write starts only after the handler has returned.
    const beforeReturn = counter.requests;
    await handler.close();
    const inAll = counter.requests;
    // Assess
    expect(summary).toMatchObject({ inserted: 1_000 });
    expect(beforeReturn).toBeLessThanOrEqual(2);
    expect(inAll).toBeLessThanOrEqual(3);
    // Redelivered: one lookup finds everything.
    counter.arm(undefined);
    await expect(handler(event, { awsRequestId: 'redelivered-1000' })).resolves.toMatchObject({ inserted: 0, skippedDuplicates: 1_000 });
    expect(counter.requests).toBe(1);
  });

  it('10,000 records with 256-character messageIds: no request line over 16 kB', async () => {
    // Prepare
    const event = kafkaEvent(Array.from({ length: 10_000 }, (_, i) => ({ partition: 2, offset: i, value: longIdEnvelope(300_000 + i) })));
    await handler.close();
    await ts.stack.clickHouseRequestStats(true);
    // Act
    const summary = await handler(event, { awsRequestId: 'long-ids' });
    await handler.close();
    // Assess
    const stats = await ts.stack.clickHouseRequestStats();
    expect(summary).toMatchObject({ inserted: 10_000 });
    expect(stats.maxRequestLineBytes).toBeLessThanOrEqual(16 * 1024);
    await expect(handler(event, { awsRequestId: 'long-ids-again' })).resolves.toMatchObject({ skippedDuplicates: 10_000 });
  });

  it('a batch whose messageId spells out another batch\'s keys is a different insert, not a retry', async () => {
    // Prepare: batch A has keys (m, A) and (mz, B); batch B's one key has the messageId that A's
    // two keys made when joined with NUL and newline, so a separator-based token would match.
    const [a, b] = [900_001, 900_002];
    const one = JSON.parse(userEnvelope(a)) as { messageId: string; data: { id: string } };
    const other = JSON.parse(userEnvelope(b)) as { messageId: string; data: { id: string } };
    const m = 'collide';
    const batchA = kafkaEvent([{ offset: 100, value: JSON.stringify({ ...one, messageId: m }) }, { offset: 101, value: JSON.stringify({ ...other, messageId: `${m}z` }) }]);
    const batchB = kafkaEvent([{ offset: 102, value: JSON.stringify({ ...other, data: { ...other.data, name: 'Second' }, messageId: `${m}\u0000${one.data.id}\n${m}z` }) }]);
    // Act
    await handler(batchA, { awsRequestId: 'collide-a' });
    const second = await handler(batchB, { awsRequestId: 'collide-b' });
    // Assess: B's row and marker are stored.
    expect(second).toMatchObject({ inserted: 1 });
    const markers = await (await ts.clickhouse.query({ query: "SELECT count() AS n FROM processed_events WHERE table_name = 'users' AND record_id = {id:String}", query_params: { id: other.data.id }, format: 'JSONEachRow' })).json<{ n: string }>();
    expect(markers).toEqual([{ n: '2' }]);
  });

  it('a stored key that pairs one batch messageId with another batch recordId does not mark either record done', async () => {
    // Prepare: (m-a, r-b) is stored; the batch holds (m-a, r-a) and (m-b, r-b).
    const [ra, rb] = [userId(960_001), userId(960_002)];
    await ts.clickhouse.insert({ table: 'processed_events', format: 'JSONEachRow', values: [{ message_id: 'cross-a', table_name: 'users', record_id: rb, processed_at: new Date().toISOString().replace('T', ' ').replace('Z', '') }] });
    const ports = createPorts(ts.config);
    // Act
    const found = await ports.writer.lookup('users', [{ messageId: 'cross-a', recordId: ra }, { messageId: 'cross-b', recordId: rb }], Deadline.in(30_000));
    await ports.close();
    // Assess
    expect([...found]).toEqual([]);
  });

  it('a stored dead letter at one record\'s partition and another\'s offset marks neither as already dead-lettered', async () => {
    // Prepare: a letter for cross-topic[0]@5 is stored; the batch's poison is at [0]@6 and [1]@5.
    const letter = (partition: number, offset: string) => ({
      record: { topic: 'cross-topic', partition, offset, timestamp: Date.now(), timestampType: 'CREATE_TIME', key: null, value: Buffer.from('not json'), headers: [] },
      code: 'INVALID_JSON' as const, message: 'not JSON', issues: [], handler: 'users' as const, requestId: 'cross',
    });
    const connection = new ClickHouseConnection(ts.config.clickhouse);
    const table = new DeadLetterTable(connection, { requestTimeoutMs: 5_000, maxMessageBytes: 262_144 });
    await table.insert([letter(0, '5')], Deadline.in(30_000));
    // Act
    await table.insert([letter(0, '6'), letter(1, '5')], Deadline.in(30_000));
    await connection.close();
    // Assess
    const rows = await (await ts.clickhouse.query({ query: "SELECT source_partition AS p, toString(source_offset) AS o FROM dead_letters WHERE source_topic = 'cross-topic' ORDER BY p, o", format: 'JSONEachRow' })).json<{ p: number; o: string }>();
    expect(rows).toEqual([{ p: 0, o: '5' }, { p: 0, o: '6' }, { p: 1, o: '5' }]);
  });

  it('a messageId shared by 20,000 earlier records: the lookup answers only the batch\'s own keys', async () => {
    // Prepare: markers of earlier records under one messageId, and a batch that reuses it.
    await ts.clickhouse.command({ query: "INSERT INTO processed_events (message_id, table_name, record_id, processed_at) SELECT 'shared-id', 'users', toString(generateUUIDv4()), now64() FROM numbers(20000)" });
    const ports = createPorts(ts.config);
    const keys = [{ messageId: 'shared-id', recordId: userId(950_001) }, { messageId: 'shared-id', recordId: userId(950_002) }];
    await ts.clickhouse.insert({ table: 'processed_events', format: 'JSONEachRow', values: [{ message_id: 'shared-id', table_name: 'users', record_id: keys[0]!.recordId, processed_at: new Date().toISOString().replace('T', ' ').replace('Z', '') }] });
    // Act
    const found = await ports.writer.lookup('users', keys, Deadline.in(30_000));
    await ports.close();
    // Assess
    expect([...found]).toEqual([keyText(keys[0]!)]);
  });

  const finalRow = async (n: number) =>
    (await (await ts.clickhouse.query({ query: 'SELECT name, message_id FROM users FINAL WHERE id = {id:UUID}', query_params: { id: userId(n) }, format: 'JSONEachRow' })).json<{ name: string; message_id: string }>())[0];

  it('an older event that arrives after a newer one (a replay, another partition) never replaces it', async () => {
    // Prepare: the newer version first.
    const newer = JSON.stringify({ ...JSON.parse(userEnvelope(400_001, { name: 'Newer' })), messageId: 'v2', timestamp: '2024-06-02T00:00:00Z' });
    const older = JSON.stringify({ ...JSON.parse(userEnvelope(400_001, { name: 'Older' })), messageId: 'v1', timestamp: '2024-06-01T00:00:00Z' });
    await handler(kafkaEvent([{ partition: 0, offset: 10, value: newer }]), { awsRequestId: 'newer' });
    // Act: the older one arrives later, at a higher offset, on another partition.
    await handler(kafkaEvent([{ partition: 1, offset: 99_999, value: older }]), { awsRequestId: 'older' });
    // Assess
    expect(await finalRow(400_001)).toEqual({ name: 'Newer', message_id: 'v2' });
  });

  it('of two events with the same time, the one at the higher offset wins', async () => {
    const first = JSON.stringify({ ...JSON.parse(userEnvelope(400_002, { name: 'First' })), messageId: 'a', timestamp: '2024-06-01T00:00:00Z' });
    const second = JSON.stringify({ ...JSON.parse(userEnvelope(400_002, { name: 'Second' })), messageId: 'b', timestamp: '2024-06-01T00:00:00Z' });
    await handler(kafkaEvent([{ partition: 0, offset: 21, value: second }]), { awsRequestId: 'second' });
    await handler(kafkaEvent([{ partition: 0, offset: 20, value: first }]), { awsRequestId: 'first' });
    expect(await finalRow(400_002)).toEqual({ name: 'Second', message_id: 'b' });
  });
});
