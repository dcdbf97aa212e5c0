/**
 * Rows ClickHouse refuses are either the records' fault (dead-letter them, write the rest) or the
 * table's (schema drift: dead-lettering would divert every good record, so the batch waits for the
 * fix). The two must never be confused — neither by bad records placed where the detector looks,
 * nor by a batch small enough to be all bad.
 */
import { createPorts, type ClosablePorts } from '../../lib/create-ports';
import { ClickHouseSchemaMismatchError } from '../../lib/errors';
import { processBatch } from '../../lib/pipeline';
import { kafkaEvent, userEnvelope } from '../support/events';
import { silentLogger } from '../support/fakes';
import { startTestStack, type TestStack } from '../support/test-stack';

describe('schema drift waits; bad rows do not', () => {
  let ts: TestStack;
  let ports: ClosablePorts;

  beforeAll(async () => {
    ts = await startTestStack();
    ports = createPorts(ts.config);
    await ts.clickhouse.command({ query: "ALTER TABLE users ADD CONSTRAINT no_rej CHECK NOT startsWith(name, 'REJ')" });
  });

  afterAll(async () => {
    await ports.close();
    await ts.stop();
  });

  const deliver = (event: unknown) => processBatch(event, { table: 'users', requestId: 'drift', maxRecordBytes: 1_048_576, ports, logger: silentLogger });
  const lettersFor = async (first: number, last: number) =>
    Number((await (await ts.clickhouse.query({ query: 'SELECT count() AS n FROM dead_letters FINAL WHERE source_offset BETWEEN {a:UInt64} AND {b:UInt64}', query_params: { a: first, b: last }, format: 'JSONEachRow' })).json<{ n: string }>())[0]!.n);

  it('bad records at rows 1, 2, 3 and 1,000 of a batch: 996 rows and 4 letters on the first delivery', async () => {
    // Prepare
    const bad = new Set([0, 1, 2, 999]);
    const event = kafkaEvent(Array.from({ length: 1_000 }, (_, i) => ({ partition: 0, offset: i, value: userEnvelope(10_000 + i, bad.has(i) ? { name: `REJ ${i}` } : {}) })));
    // Act
    const summary = await deliver(event);
    // Assess
    expect(summary).toMatchObject({ inserted: 996, sentToDlq: 4, dlqByCode: { CLICKHOUSE_REJECTED: 4 } });
    expect(await lettersFor(0, 999)).toBe(4);
  });

  it('a batch of three records that all break the rule is dead-lettered, not held as drift', async () => {
    // Prepare
    const event = kafkaEvent([0, 1, 2].map((i) => ({ partition: 1, offset: 5_000 + i, value: userEnvelope(20_000 + i, { name: `REJ small ${i}` }) })));
    // Act
    const summary = await deliver(event);
    // Assess
    expect(summary).toMatchObject({ inserted: 0, sentToDlq: 3 });
    expect(await lettersFor(5_000, 5_002)).toBe(3);
  });

  it('a dropped column refuses every row the same way: the batch waits, nothing is dead-lettered, and it is written once the column is back', async () => {
    // Prepare
    const event = kafkaEvent(Array.from({ length: 200 }, (_, i) => ({ partition: 2, offset: 7_000 + i, value: userEnvelope(30_000 + i) })));
    await ts.clickhouse.command({ query: 'ALTER TABLE users DROP COLUMN country' });
    // Act
    const failure = await deliver(event).catch((error: unknown) => error);
    await ts.clickhouse.command({ query: 'ALTER TABLE users ADD COLUMN country LowCardinality(Nullable(String)) AFTER age' });
    const redelivered = await deliver(event);
    // Assess
    expect(failure).toBeInstanceOf(ClickHouseSchemaMismatchError);
    expect((failure as Error).message).toMatch(/every row of this users batch was rejected with the same error.*country/s);
    expect(await lettersFor(7_000, 7_199)).toBe(0);
    expect(redelivered).toMatchObject({ inserted: 200, sentToDlq: 0 });
  });
});
