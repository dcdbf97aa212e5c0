import { createPorts, type ClosablePorts } from '../../lib/create-ports';
import { DeadLetterPublishError, TransientError } from '../../lib/errors';
import { processBatch } from '../../lib/pipeline';
import { kafkaEvent, userEnvelope } from '../support/events';
import { silentLogger } from '../support/fakes';
import { startTestStack, type TestStack } from '../support/test-stack';

describe('failures are retried, never lost', () => {
  let ts: TestStack;
  let ports: ClosablePorts;

  beforeAll(async () => {
    ts = await startTestStack();
    ports = await createPorts(ts.config);
  });

  afterAll(async () => {
    await ts.stack.setClickHouseFault({ kind: 'none' });
    await ports.close();
    await ts.stop();
  });

  const deliver = (event: unknown, table: 'users' | 'products' = 'users') =>
    processBatch(event, { table, requestId: 'req', maxRecordBytes: 1_048_576, ports, logger: silentLogger });

  it('ClickHouse unreachable: the batch throws, nothing reaches the DLQ; redelivery writes everything once', async () => {
    // Prepare
    const event = kafkaEvent([{ offset: 1, value: userEnvelope(101) }, { offset: 2, value: 'not json' }, { offset: 3, value: userEnvelope(102) }]);
    const dlqBefore = await ts.topicSize('dlq-topic');
    await ts.stack.setClickHouseFault({ kind: 'refuse' });
    // Act
    await expect(deliver(event)).rejects.toBeInstanceOf(TransientError);
    // Assess
    expect(await ts.topicSize('dlq-topic')).toBe(dlqBefore);
    await ts.stack.setClickHouseFault({ kind: 'none' });
    await expect(deliver(event)).resolves.toMatchObject({ inserted: 2, sentToDlq: 1 });
    await expect(deliver(event)).resolves.toMatchObject({ inserted: 0, skippedDuplicates: 2 });
    expect(await ts.counts('users')).toEqual({ rows: 2, ids: 2 });
    expect(await ts.topicSize('dlq-topic')).toBe(dlqBefore + 2);
  });

  it('ClickHouse overloaded (code 202): transient, retried', async () => {
    await ts.stack.setClickHouseFault({ kind: 'fail', code: 202 });
    await expect(deliver(kafkaEvent([{ offset: 1, value: userEnvelope(150) }]))).rejects.toBeInstanceOf(TransientError);
    await ts.stack.setClickHouseFault({ kind: 'none' });
  });

  it('ClickHouse stalling: the request times out as a transient failure, and nothing is written', async () => {
    // Prepare: a writer whose requests give up after 1 s.
    const impatient = await createPorts({ ...ts.config, clickhouse: { ...ts.config.clickhouse, requestTimeoutMs: 1_000 } });
    await ts.stack.setClickHouseFault({ kind: 'stall' });
    try {
      // Act
      const attempt = processBatch(kafkaEvent([{ offset: 1, value: userEnvelope(170) }]), { table: 'users', requestId: 'stall', maxRecordBytes: 1_048_576, ports: impatient, logger: silentLogger });
      // Assess
      await expect(attempt).rejects.toBeInstanceOf(TransientError);
    } finally {
      await ts.stack.setClickHouseFault({ kind: 'none' });
      await impatient.close();
    }
    const [row] = await (await ts.clickhouse.query({ query: "SELECT count() AS c FROM users WHERE message_id = 'msg-170'", format: 'JSONEachRow' })).json<{ c: string }>();
    expect(Number(row!.c)).toBe(0);
  });

  it('DLQ brokers unreachable with poison in the batch: throws; redelivery adds no duplicate rows', async () => {
    // Prepare
    const event = kafkaEvent([{ offset: 10, value: userEnvelope(201) }, { offset: 11, value: '{broken' }]);
    const dlqBefore = await ts.topicSize('dlq-topic');
    for (const broker of [1, 2, 3]) await ts.stack.setKafkaBrokerDown(broker);
    // Act
    const failed = deliver(event);
    // Assess
    await expect(failed).rejects.toBeInstanceOf(DeadLetterPublishError);
    for (const broker of [1, 2, 3]) await ts.stack.setKafkaBrokerUp(broker);
    await expect(deliver(event)).resolves.toMatchObject({ inserted: 0, skippedDuplicates: 1, sentToDlq: 1 });
    const [row] = await (await ts.clickhouse.query({ query: "SELECT count() AS c FROM users WHERE message_id = 'msg-201'", format: 'JSONEachRow' })).json<{ c: string }>();
    expect(Number(row!.c)).toBe(1);
    const dlq = await ts.readMessages('dlq-topic');
    expect(dlq).toHaveLength(dlqBefore + 1);
    const [letter] = dlq.slice(dlqBefore);
    expect(JSON.parse(letter!.value!.toString())).toMatchObject({ source: { offset: '11' }, error: { code: 'INVALID_JSON' } });
  });

  it('rows ClickHouse rejects are isolated by splitting the insert and dead-lettered with its message', async () => {
    // Prepare: a constraint an operator added in ClickHouse, unknown to the Lambda's schemas.
    await ts.clickhouse.command({ query: "ALTER TABLE products ADD CONSTRAINT IF NOT EXISTS no_banned_category CHECK category != 'Banned'" });
    const product = (n: number, category: string) =>
      JSON.stringify({ table: 'products', messageId: `p-${n}`, timestamp: '2024-01-01T00:00:00Z', data: { id: `00000000-0000-4000-8000-0000000005${String(n).padStart(2, '0')}`, name: `P${n}`, category, price: 1, stock: 1, created_at: '2024-01-01T00:00:00Z' } });
    const values = [product(1, 'Toys'), product(2, 'Banned'), product(3, 'Toys'), product(4, 'Toys'), product(5, 'Banned'), product(6, 'Toys')];
    const dlqBefore = await ts.topicSize('dlq-topic');
    // Act
    const summary = await deliver(kafkaEvent(values.map((value, i) => ({ topic: 'products-topic', offset: i, value }))), 'products');
    // Assess
    expect(summary).toMatchObject({ inserted: 4, sentToDlq: 2, status: 'partial', dlqByCode: { CLICKHOUSE_REJECTED: 2 } });
    const names = await (await ts.clickhouse.query({ query: 'SELECT name FROM products ORDER BY name', format: 'JSONEachRow' })).json<{ name: string }>();
    expect(names.map((r) => r.name)).toEqual(['P1', 'P3', 'P4', 'P6']);
    const letters = (await ts.readMessages('dlq-topic')).slice(dlqBefore).map((m) => JSON.parse(m.value!.toString()));
    expect(letters.map((l) => [l.source.offset, l.error.code])).toEqual([['1', 'CLICKHOUSE_REJECTED'], ['4', 'CLICKHOUSE_REJECTED']]);
    expect(letters[0].error.message).toContain('no_banned_category');
  });
});
