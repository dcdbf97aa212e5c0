import { classifyLetter } from '../../../../lib/dlq/classify-letter';
import type { Letter } from '../../../../lib/dlq/letter';
import { matchesFilter } from '../../../../lib/dlq/letter-filter';
import { DlqUsageError, parsePositions, parseRecordRefs, parseSince, readOffsetRefs } from '../../../../lib/dlq/selectors';

const ours: Letter = {
  kind: 'ours',
  position: { partition: 0, offset: '3' },
  key: null,
  reason: 'SCHEMA_VALIDATION',
  table: 'users',
  failedAt: new Date('2024-05-01T12:00:00Z'),
  sources: [{ topic: 'users-topic', partition: 2, first: 42n, last: 42n }],
  value: { originalMessage: '{}', originalEncoding: 'utf8', source: { topic: 'users-topic', partition: 2, offset: '42' }, error: { code: 'SCHEMA_VALIDATION', message: '', issues: [] } },
  raw: {},
};
const lambda: Letter = {
  kind: 'lambda',
  position: { partition: 1, offset: '3' },
  key: null,
  reason: 'RetriesExhausted',
  table: 'orders',
  failedAt: new Date('2024-05-02T00:00:00Z'),
  sources: [{ topic: 'orders-topic', partition: 0, first: 120n, last: 123n }],
  failure: { condition: 'RetriesExhausted' },
  raw: {},
};
const unknown = classifyLetter({ partition: 0, offset: '9', key: null, value: Buffer.from('hello') });

describe('matchesFilter', () => {
  it('matches a reason by code, by Lambda condition, or by kind', () => {
    expect([ours, lambda, unknown].filter((l) => matchesFilter(l, { reason: 'SCHEMA_VALIDATION' }))).toEqual([ours]);
    expect([ours, lambda, unknown].filter((l) => matchesFilter(l, { reason: 'RetriesExhausted' }))).toEqual([lambda]);
    expect([ours, lambda, unknown].filter((l) => matchesFilter(l, { reason: 'LAMBDA' }))).toEqual([lambda]);
    expect([ours, lambda, unknown].filter((l) => matchesFilter(l, { reason: 'UNKNOWN' }))).toEqual([unknown]);
    expect([ours, lambda, unknown].filter((l) => matchesFilter(l, { reason: 'HANDLER' }))).toEqual([ours]);
  });

  it('tells DLQ positions apart by partition', () => {
    expect([ours, lambda].filter((l) => matchesFilter(l, { positions: [{ partition: 1, offset: '3' }] }))).toEqual([lambda]);
  });

  it('matches a source record inside a Lambda range', () => {
    expect(matchesFilter(lambda, { records: [{ topic: 'orders-topic', partition: 0, offset: 122n }] })).toBe(true);
    expect(matchesFilter(lambda, { records: [{ topic: 'orders-topic', partition: 1, offset: 122n }] })).toBe(false);
    expect(matchesFilter(ours, { records: [{ topic: 'users-topic', partition: 2, offset: 42n }] })).toBe(true);
  });

  it('combines table and since with AND', () => {
    expect(matchesFilter(ours, { table: 'users', since: new Date('2024-05-01T11:00:00Z') })).toBe(true);
    expect(matchesFilter(ours, { table: 'users', since: new Date('2024-05-01T13:00:00Z') })).toBe(false);
    expect(matchesFilter(lambda, { table: 'users' })).toBe(false);
  });
});

describe('--offset, --record and --since values', () => {
  it('takes PARTITION:OFFSET, and a bare OFFSET only on a one-partition topic', () => {
    expect(parsePositions(['1:42', '0:007'], 'dlq-topic', [0, 1])).toEqual([{ partition: 1, offset: '42' }, { partition: 0, offset: '7' }]);
    expect(parsePositions(['42'], 'dlq-topic', [0])).toEqual([{ partition: 0, offset: '42' }]);
    expect(() => parsePositions(['42'], 'dlq-topic', [0, 1, 2])).toThrow('--offset 42 is ambiguous: dlq-topic has 3 partitions; write PARTITION:OFFSET, e.g. --offset 0:42');
    expect(() => parsePositions(['5:1'], 'dlq-topic', [0])).toThrow('dlq-topic has no partition 5');
    expect(() => parsePositions(['x'], 'dlq-topic', [0])).toThrow(DlqUsageError);
  });

  it('takes TOPIC:PARTITION:OFFSET records', () => {
    expect(parseRecordRefs(['users-topic:2:42'])).toEqual([{ topic: 'users-topic', partition: 2, offset: 42n }]);
    expect(() => parseRecordRefs(['users-topic@42'])).toThrow('--record "users-topic@42" is not TOPIC:PARTITION:OFFSET');
  });

  it('names how many partitions the topic has when --offset names another', () => {
    expect(() => parsePositions(['5:1'], 'dlq-topic', [0])).toThrow('--offset 5:1: dlq-topic has no partition 5 (it has 1 partition: 0)');
    expect(() => parsePositions(['5:1'], 'dlq-topic', [0, 1, 2])).toThrow('--offset 5:1: dlq-topic has no partition 5 (it has 3 partitions: 0, 1, 2)');
  });

  it('refuses offsets and partitions beyond what Kafka can hold', () => {
    expect(parsePositions(['0:9223372036854775807'], 'dlq-topic', [0])).toEqual([{ partition: 0, offset: '9223372036854775807' }]);
    expect(() => readOffsetRefs(['0:99999999999999999999999'])).toThrow('--offset 0:99999999999999999999999: offset 99999999999999999999999 is beyond the largest Kafka offset (9223372036854775807)');
    expect(() => readOffsetRefs(['9223372036854775808'])).toThrow(DlqUsageError);
    expect(() => readOffsetRefs(['2147483648:0'])).toThrow('--offset 2147483648:0: partition 2147483648 is beyond the largest Kafka partition (2147483647)');
    expect(() => parseRecordRefs(['users-topic:0:9223372036854775808'])).toThrow(DlqUsageError);
  });

  it('takes an ISO time or an age', () => {
    const now = new Date('2024-05-10T00:00:00Z');
    expect(parseSince('6h', now)).toEqual(new Date('2024-05-09T18:00:00Z'));
    expect(parseSince('7d', now)).toEqual(new Date('2024-05-03T00:00:00Z'));
    expect(parseSince('2024-05-01T12:00Z', now)).toEqual(new Date('2024-05-01T12:00:00Z'));
    expect(() => parseSince('yesterday', now)).toThrow('neither an ISO-8601 time');
  });
});
