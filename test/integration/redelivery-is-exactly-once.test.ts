import fc from 'fast-check';
import { createPorts, type ClosablePorts } from '../../lib/create-ports';
import { processBatch } from '../../lib/pipeline';
import { kafkaEvent, userEnvelope, userId } from '../support/events';
import { silentLogger } from '../support/fakes';
import { startTestStack, type TestStack } from '../support/test-stack';

describe('redelivery is exactly once in ClickHouse', () => {
  let ts: TestStack;
  let ports: ClosablePorts;
  let run = 0;

  beforeAll(async () => {
    ts = await startTestStack();
    ports = await createPorts(ts.config);
  });

  afterAll(async () => {
    await ports.close();
    await ts.stop();
  });

  const deliverEvent = (event: ReturnType<typeof kafkaEvent>) =>
    processBatch(event, { table: 'users', requestId: `req-${++run}`, maxRecordBytes: 1_048_576, ports, logger: silentLogger });
  const deliver = (records: number[], firstOffset: number) =>
    deliverEvent(kafkaEvent(records.map((n, i) => ({ partition: n % 3, offset: firstOffset + i, value: userEnvelope(n) }))));

  it('the same batch twice writes every record once, physically', async () => {
    const records = [1, 2, 3, 4, 5];
    const first = await deliver(records, 0);
    const second = await deliver(records, 0);
    expect(first).toMatchObject({ inserted: 5, skippedDuplicates: 0 });
    expect(second).toMatchObject({ inserted: 0, skippedDuplicates: 5 });
    expect(await ts.counts('users')).toEqual({ rows: 5, ids: 5 });
  });

  it("a messageId holding ' \\ TAB LF CR is found on redelivery: skipped as a duplicate, stored byte for byte", async () => {
    // Prepare: one record per character, one with all of them, and a plain neighbour.
    const messageIds = ["it's", 'back\\slash', 'tab\there', 'line\nfeed', 'carriage\rreturn', "all: ' \\ \t \n \r \\' \\\\", 'plain'];
    const records = messageIds.map((messageId, i) => ({ n: 50_000 + i, messageId }));
    const event = kafkaEvent(records.map(({ n, messageId }, offset) => ({ offset, value: JSON.stringify({ ...JSON.parse(userEnvelope(n)), messageId }) })));
    // Act
    const first = await deliverEvent(event);
    const second = await deliverEvent(event);
    // Assess
    expect(first).toMatchObject({ inserted: records.length, skippedDuplicates: 0 });
    expect(second).toMatchObject({ inserted: 0, skippedDuplicates: records.length });
    // Record ids are UUIDs of hex digits: safe to write into the query, so the check does not rely on parameters.
    const ids = records.map(({ n }) => `'${userId(n)}'`).join(', ');
    const stored = await (await ts.clickhouse.query({ query: `SELECT message_id FROM users WHERE id IN (${ids})`, format: 'JSONEachRow' })).json<{ message_id: string }>();
    expect(stored.map((r) => r.message_id).sort()).toEqual([...messageIds].sort());
  });

  it('random splits, duplications and overlaps leave count() = uniqExact(id) (property)', async () => {
    let base = 1_000;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 25 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 12 })), { minLength: 1, maxLength: 8 }),
        async (size, cuts) => {
          // Prepare: records base..base+size; every cut is a batch starting anywhere, of any length
          // (so batches overlap, repeat and split), followed by one full delivery of the stream.
          const stream = Array.from({ length: size }, (_, i) => base + i);
          base += size;
          const batches = cuts.map(([start, length]) => stream.slice(start % size, (start % size) + length));
          // Act
          for (const batch of [...batches, stream]) await deliver(batch, 0);
          // Assess
          const counts = await ts.counts('users');
          expect(counts.rows).toBe(counts.ids);
        },
      ),
      { numRuns: 15 },
    );
    const [row] = await (await ts.clickhouse.query({ query: 'SELECT count() AS c FROM processed_events', format: 'JSONEachRow' })).json<{ c: string }>();
    expect(Number(row!.c)).toBe((await ts.counts('users')).ids);
  });
});
