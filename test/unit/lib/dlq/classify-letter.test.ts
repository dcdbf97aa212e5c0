import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { classifyLetter, type DlqMessage } from '../../../../lib/dlq/classify-letter';
import type { LambdaLetter, OurLetter, UnknownLetter } from '../../../../lib/dlq/letter';
import { decodeKafkaEvent } from '../../../../lib/kafka/event';
import { toDeadLetterMessage } from '../../../../lib/kafka/dead-letter-message';
import { kafkaEvent } from '../../../support/events';

const fixture = (name: string): Record<string, unknown> => JSON.parse(readFileSync(join(__dirname, '../../../fixtures/dlq', name), 'utf8'));
const message = (value: Buffer | string | object | null, key: string | null = null): DlqMessage => ({
  partition: 0,
  offset: '5',
  key: key === null ? null : Buffer.from(key),
  value: value === null ? null : Buffer.isBuffer(value) ? value : Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)),
  timestamp: '1714557600000',
});

/** A letter as today's handlers write it (lib/kafka/dead-letter-message.ts). */
const handlerLetter = () => {
  const record = decodeKafkaEvent(kafkaEvent([{ partition: 2, offset: 42, key: 'k-42', value: '{"table":"users"}' }])).records[0]!;
  const built = toDeadLetterMessage({ record, code: 'SCHEMA_VALIDATION', message: 'data: Required', issues: [], handler: 'users', requestId: 'req-42' }, new Date('2024-05-01T09:00:00.000Z'), 262_144);
  return JSON.parse(built.value) as Record<string, unknown>;
};

describe('classifyLetter: our letters', () => {
  it('reads a letter without the newer fields (before originalBytes/originalSha256/requestId)', () => {
    // Prepare: a letter as handlers wrote them before those fields existed.
    const { originalBytes: _b, originalSha256: _s, originalTruncated: _t, requestId: _r, ...old } = handlerLetter();
    const source = { ...(old.source as Record<string, unknown>) };
    delete source.keyTruncated;
    // Act
    const letter = classifyLetter(message({ ...old, source }, 'k-42')) as OurLetter;
    // Assess
    expect(letter).toMatchObject({ kind: 'ours', reason: 'SCHEMA_VALIDATION', table: 'users', position: { partition: 0, offset: '5' } });
    expect(letter.sources).toEqual([{ topic: 'users-topic', partition: 2, first: 42n, last: 42n }]);
    expect(letter.failedAt).toEqual(new Date('2024-05-01T09:00:00.000Z'));
    expect(letter.value.originalTruncated).toBeUndefined();
  });

  it('reads the newer fields when present', () => {
    const value = { ...handlerLetter(), originalBytes: 17, originalSha256: 'ab'.repeat(32), originalTruncated: false, requestId: 'req-1' };
    const letter = classifyLetter(message(value)) as OurLetter;
    expect(letter.value).toMatchObject({ originalBytes: 17, originalSha256: 'ab'.repeat(32), originalTruncated: false, requestId: 'req-1' });
  });

  it('reads a truncated letter and one with a truncated key', () => {
    const base = handlerLetter();
    const truncated = classifyLetter(message({ ...base, originalMessage: '{"tab', originalBytes: 2_100_000, originalTruncated: true })) as OurLetter;
    const keyCut = classifyLetter(message({ ...base, source: { ...(base.source as object), keyTruncated: true } })) as OurLetter;
    expect(truncated.value).toMatchObject({ originalMessage: '{"tab', originalTruncated: true, originalBytes: 2_100_000 });
    expect(keyCut.value.source.keyTruncated).toBe(true);
  });
});

describe("classifyLetter: Lambda's on-failure records", () => {
  it('Kafka destination: the failed record is in payload, with its key and headers', () => {
    // Act
    const letter = classifyLetter(message(fixture('lambda-kafka-destination.json'), 'user-7')) as LambdaLetter;
    // Assess
    expect(letter).toMatchObject({ kind: 'lambda', reason: 'RetriesExhausted', table: 'users', failedAt: new Date('2024-05-01T10:15:30.250Z') });
    expect(letter.failure).toMatchObject({ approximateInvokeCount: 11, batchSize: 1, functionArn: expect.stringContaining(':function:kafka-clickhouse-lambda-prod-users') });
    expect(letter.sources).toEqual([{ topic: 'users-topic', partition: 1, first: 7n, last: 7n }]);
    const [record] = letter.failure.embedded!;
    expect(record).toMatchObject({ topic: 'users-topic', partition: 1, offset: '7', key: Buffer.from('user-7'), headers: { 'trace-id': Buffer.from('t1') } });
    expect(JSON.parse(record!.value!.toString())).toMatchObject({ table: 'users', messageId: 'm-7' });
  });

  it('SNS/SQS shape: offset ranges per topic-partition, nothing embedded', () => {
    const letter = classifyLetter(message(fixture('lambda-sns-sqs.json'))) as LambdaLetter;
    expect(letter).toMatchObject({ kind: 'lambda', reason: 'RetryAttemptsExhausted', table: 'orders' });
    expect(letter.failure.embedded).toBeUndefined();
    expect(letter.sources).toEqual([
      { topic: 'orders-topic', partition: 0, first: 120n, last: 123n },
      { topic: 'orders-topic', partition: 2, first: 40n, last: 41n },
    ]);
  });

  it('S3 shape: the whole event as an escaped JSON string in payload', () => {
    const letter = classifyLetter(message(fixture('lambda-s3.json'))) as LambdaLetter;
    expect(letter.failure.embedded?.map((r) => [r.topic, r.partition, r.offset, r.key?.toString()])).toEqual([['orders-topic', 0, '120', 'order-1']]);
  });

  it('Kafka destination without its payload: located only when recordInfo names topic and partition', () => {
    const { payload: _dropped, ...withoutPayload } = fixture('lambda-kafka-destination.json');
    const bare = classifyLetter(message(withoutPayload)) as LambdaLetter;
    expect(bare.sources).toEqual([]);
    expect(bare.failure.unlocated).toMatch(/offset 7 but neither its topic nor its partition/);

    const info = withoutPayload.KafkaBatchInfo as Record<string, unknown>;
    const named = { ...withoutPayload, KafkaBatchInfo: { ...info, recordInfo: { offset: '7', topic: 'users-topic', partition: 1 } } };
    expect((classifyLetter(message(named)) as LambdaLetter).sources).toEqual([{ topic: 'users-topic', partition: 1, first: 7n, last: 7n }]);
  });

  it('a payload whose bytes are not base64 still locates its records, to be re-read', () => {
    const letter = fixture('lambda-kafka-destination.json');
    const payload = letter.payload as { records: Record<string, Array<Record<string, unknown>>> };
    payload.records['users-topic-1']![0]!.value = 'not base64!';
    const parsed = classifyLetter(message(letter)) as LambdaLetter;
    expect(parsed.failure.embedded).toBeUndefined();
    expect(parsed.sources).toEqual([{ topic: 'users-topic', partition: 1, first: 7n, last: 7n }]);
  });
});

describe('classifyLetter: anything else is UNKNOWN, never a crash', () => {
  it.each<[string, Buffer | string | object | null, string, string]>([
    ['foreign JSON', { hello: 'world' }, 'JSON of another shape', '"{\\"hello\\":\\"world\\"}"'],
    ['a JSON literal', 'null', 'JSON of another shape', '"null"'],
    ['text', 'plain text, not json', 'not JSON', '"plain text, not json"'],
    ['a null value', null, 'no value (null)', 'null'],
    ['bytes that are not UTF-8', Buffer.from([0xff, 0xfe, 0x00]), 'not UTF-8 text', '"//4A"'],
  ])('%s', (_name, value, why, preview) => {
    const letter = classifyLetter(message(value)) as UnknownLetter;
    expect(letter).toMatchObject({ kind: 'unknown', reason: 'UNKNOWN', why, preview, sources: [], position: { partition: 0, offset: '5' } });
    expect(letter.failedAt).toEqual(new Date(1_714_557_600_000));
  });

  it('cuts a long preview', () => {
    const letter = classifyLetter(message('x'.repeat(500))) as UnknownLetter;
    expect(letter.preview).toBe(`"${'x'.repeat(60)}"…`);
  });

  it('any bytes and any JSON classify without throwing (property)', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => void classifyLetter(message(Buffer.from(bytes)))));
    fc.assert(fc.property(fc.jsonValue(), (json) => void classifyLetter(message(JSON.stringify(json) ?? 'null'))));
  });
});
