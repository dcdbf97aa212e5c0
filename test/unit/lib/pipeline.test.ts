import fc from 'fast-check';
import { PoisonCode, TransientError } from '../../../lib/errors';
import { processBatch, type BatchContext } from '../../../lib/pipeline';
import { fakePorts, silentLogger, transient } from '../../support/fakes';
import { kafkaEvent, loadFixture, userEnvelope, userId } from '../../support/events';

const context = (ports = fakePorts(), overrides: Partial<BatchContext> = {}): BatchContext => ({
  table: 'users',
  requestId: 'req-1',
  maxRecordBytes: 1024,
  ports,
  logger: silentLogger,
  now: () => new Date('2024-02-01T00:00:00.000Z'),
  ...overrides,
});

describe('processBatch', () => {
  it('writes valid records, dead-letters each poison record with its code, and summarises', async () => {
    // Prepare
    const ports = fakePorts();
    // Act
    const summary = await processBatch(loadFixture('msk-users-mixed.json'), context(ports));
    // Assess
    expect(ports.writer.rows.map((r) => r.key.messageId)).toEqual(['msg-mixed-1', 'msg-mixed-7']);
    expect(ports.deadLetters.letters.map((l) => [l.record.offset, l.code])).toEqual([
      ['41', PoisonCode.INVALID_JSON],
      ['42', PoisonCode.SCHEMA_VALIDATION],
      ['43', PoisonCode.TABLE_MISMATCH],
      ['44', PoisonCode.EMPTY_VALUE],
      ['45', PoisonCode.UNDECODABLE],
    ]);
    expect(ports.deadLetters.letters[1]!.issues).toEqual([{ path: 'data.email', code: 'invalid_format', message: 'Invalid email address' }]);
    expect(ports.deadLetters.publishCalls).toBe(1);
    expect(summary).toMatchObject({ table: 'users', status: 'partial', received: 7, inserted: 2, skippedDuplicates: 0, sentToDlq: 5 });
    expect(summary.dlqByCode).toEqual({ INVALID_JSON: 1, SCHEMA_VALIDATION: 1, TABLE_MISMATCH: 1, EMPTY_VALUE: 1, UNDECODABLE: 1 });
    expect(ports.audit.entries).toEqual([
      expect.objectContaining({ requestId: 'req-1', table: 'users', status: 'partial', received: 7, inserted: 2, sentToDlq: 5, errorMessage: expect.stringMatching(/^INVALID_JSON: /) }),
    ]);
  });

  it('maps a valid record to a row with Kafka metadata and UTC DateTime64 text', async () => {
    const ports = fakePorts();
    await processBatch(kafkaEvent([{ partition: 2, offset: 77, value: userEnvelope(5, { created_at: '2024-01-01T02:00:00+02:00' }) }]), context(ports));
    expect(ports.writer.rows[0]!.row).toEqual({
      id: userId(5), email: 'user5@example.com', name: 'User 5', age: 5, country: 'DE',
      created_at: '2024-01-01 00:00:00.000',
      message_id: 'msg-5', event_time: '2024-01-01 00:00:00.000', kafka_topic: 'users-topic', kafka_partition: 2, kafka_offset: '77',
      ingested_at: '2024-02-01 00:00:00.000',
    });
  });

  it('sends oversize records to the DLQ without parsing them', async () => {
    const ports = fakePorts();
    await processBatch(kafkaEvent([{ offset: 1, value: userEnvelope(1, { name: 'x'.repeat(2000) }) }]), context(ports));
    expect(ports.deadLetters.letters[0]).toMatchObject({ code: PoisonCode.OVERSIZE, message: expect.stringContaining('over the limit of 1024') });
  });

  it('counts redelivered copies inside one batch as skipped duplicates', async () => {
    const ports = fakePorts();
    const summary = await processBatch(kafkaEvent([{ offset: 1, value: userEnvelope(1) }, { offset: 2, value: userEnvelope(1) }]), context(ports));
    expect(summary).toMatchObject({ inserted: 1, skippedDuplicates: 1, status: 'success' });
    expect(ports.writer.rows).toHaveLength(1);
  });

  it('turns rows the store rejects into CLICKHOUSE_REJECTED dead letters', async () => {
    const ports = fakePorts();
    ports.writer.rejectWhen = (row) => (row.key.recordId === userId(2) ? 'Code: 469. Constraint violated' : undefined);
    const summary = await processBatch(kafkaEvent([1, 2, 3].map((n) => ({ offset: n, value: userEnvelope(n) }))), context(ports));
    expect(summary).toMatchObject({ inserted: 2, sentToDlq: 1, status: 'partial' });
    expect(ports.deadLetters.letters).toEqual([expect.objectContaining({ code: 'CLICKHOUSE_REJECTED', message: 'Code: 469. Constraint violated' })]);
  });

  it('propagates a transient writer failure, publishes nothing, and audits the failure', async () => {
    const ports = fakePorts();
    ports.writer.failWith = transient();
    const batch = kafkaEvent([{ offset: 1, value: userEnvelope(1) }, { offset: 2, value: 'not json' }]);
    await expect(processBatch(batch, context(ports))).rejects.toBeInstanceOf(TransientError);
    expect(ports.deadLetters.letters).toHaveLength(0);
    expect(ports.audit.entries).toEqual([expect.objectContaining({ status: 'failed', errorMessage: expect.stringContaining('ECONNREFUSED') })]);
  });

  it('propagates a dead-letter failure so poison is never dropped', async () => {
    const ports = fakePorts();
    ports.deadLetters.failWith = new TransientError('broker down');
    await expect(processBatch(kafkaEvent([{ offset: 1, value: 'not json' }]), context(ports))).rejects.toThrow('broker down');
  });

  it('finishes a batch with rows left undecided by the isolation budget by throwing, after storing the letters found', async () => {
    const ports = fakePorts();
    ports.writer.writeBatch = async (_t, rows) => ({ inserted: 1, skippedDuplicates: 0, rejected: [{ pending: rows[1]!, message: 'Code: 469. violated' }], unresolved: 5 });
    await expect(processBatch(kafkaEvent([1, 2, 3].map((n) => ({ offset: n, value: userEnvelope(n) }))), context(ports))).rejects.toThrow(/5 row\(s\) are still undecided/);
    expect(ports.deadLetters.letters.map((l) => l.code)).toEqual(['CLICKHOUSE_REJECTED']);
    expect(ports.audit.entries).toEqual([expect.objectContaining({ status: 'failed', inserted: 1, sentToDlq: 1 })]);
  });

  it('makes no writer call for a batch of poison only', async () => {
    const ports = fakePorts();
    await processBatch(kafkaEvent([{ offset: 1, value: '[]' }]), context(ports));
    expect(ports.writer.calls).toBe(0);
    expect(ports.deadLetters.letters[0]!.code).toBe(PoisonCode.SCHEMA_VALIDATION);
  });

  it('accounts for every record: inserted + duplicates + dead letters = received (property)', async () => {
    const recordArb = fc.oneof(
      fc.integer({ min: 1, max: 20 }).map((n) => userEnvelope(n)),
      fc.constant('not json'),
      fc.constant(JSON.stringify({ table: 'orders', data: {}, messageId: 'x', timestamp: '2024-01-01T00:00:00Z' })),
      fc.string(),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(recordArb, { maxLength: 40 }), async (values) => {
        const ports = fakePorts();
        const summary = await processBatch(kafkaEvent(values.map((value, i) => ({ offset: i, value }))), context(ports));
        expect(summary.inserted + summary.skippedDuplicates + summary.sentToDlq).toBe(values.length);
      }),
    );
  });

  it('writes each key exactly once under any redelivery pattern (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 30 }), { minLength: 1, maxLength: 60 }),
        fc.array(fc.integer({ min: 1, max: 10 }), { minLength: 1, maxLength: 20 }),
        async (deliveries, batchSizes) => {
          // Prepare: a stream with arbitrary redeliveries, cut into arbitrary batches.
          const ports = fakePorts();
          let offset = 0;
          let i = 0;
          // Act
          for (let b = 0; i < deliveries.length; b++) {
            const size = batchSizes[b % batchSizes.length]!;
            const slice = deliveries.slice(i, i + size);
            i += size;
            await processBatch(kafkaEvent(slice.map((n) => ({ offset: offset++, value: userEnvelope(n) }))), context(ports));
          }
          // Assess
          const written = ports.writer.rows.map((r) => r.key.recordId).sort();
          expect(written).toEqual([...new Set(deliveries)].map(userId).sort());
        },
      ),
    );
  });
});
