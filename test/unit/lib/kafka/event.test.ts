import { decodeKafkaEvent } from '../../../../lib/kafka/event';
import { InvalidEventError } from '../../../../lib/errors';
import { kafkaEvent, loadFixture } from '../../../support/events';

describe('decodeKafkaEvent', () => {
  it('decodes an MSK event with headers, keeping coordinates and partition order', () => {
    // Act
    const batch = decodeKafkaEvent(loadFixture('msk-users.json'));
    // Assess
    expect(batch.eventSource).toBe('aws:kafka');
    expect(batch.origin).toMatch(/^arn:aws:kafka:/);
    expect(batch.records.map((r) => [r.topic, r.partition, r.offset])).toEqual([
      ['users-topic', 0, '15'],
      ['users-topic', 0, '16'],
      ['users-topic', 1, '7'],
    ]);
    const first = batch.records[0]!;
    expect(first.key?.toString()).toBe('0b7e1a5c-3c1e-4d6a-9a51-1f2a3b4c5d01');
    expect(JSON.parse(first.value!.toString())).toMatchObject({ table: 'users', messageId: 'msg-user-1' });
    expect(first.headers.map((h) => [h.name, h.value.toString()])).toEqual([
      ['source', 'crm'],
      ['trace-id', 'abc123'],
    ]);
    expect(first.timestamp).toBe(1704067200015);
    expect(first.timestampType).toBe('CREATE_TIME');
  });

  it('decodes a self-managed event, whose origin is the bootstrap servers', () => {
    const batch = decodeKafkaEvent(loadFixture('self-managed-products.json'));
    expect(batch.eventSource).toBe('SelfManagedKafka');
    expect(batch.origin).toBe('kafka-1.internal:9092,kafka-2.internal:9092');
    expect(batch.records).toHaveLength(2);
  });

  it('keeps null and absent keys and values as null', () => {
    const event = kafkaEvent([{ offset: 1, key: null, value: null }]);
    delete event.records['users-topic-0']![0]!.key;
    const [record] = decodeKafkaEvent(event).records;
    expect(record).toMatchObject({ key: null, value: null, headers: [] });
  });

  it('sorts each partition by offset, numerically, even past 2^53', () => {
    const event = kafkaEvent([
      { offset: 10, value: 'b' },
      { offset: 9, value: 'a' },
    ]);
    event.records['users-topic-0']!.push({ ...event.records['users-topic-0']![0]!, offset: '9007199254740993', value: Buffer.from('c').toString('base64') });
    expect(decodeKafkaEvent(event).records.map((r) => r.value?.toString())).toEqual(['a', 'b', 'c']);
  });

  it('marks a value that is not base64 as undecodable instead of guessing bytes', () => {
    const event = kafkaEvent([{ offset: 1, value: 'x' }]);
    event.records['users-topic-0']![0]!.value = '!!not base64!!';
    const [record] = decodeKafkaEvent(event).records;
    expect(record).toMatchObject({ decodeError: 'value is not valid base64', rawValue: '!!not base64!!', value: null });
  });

  it.each([[null], [{}], [{ eventSource: 'aws:sqs', records: {} }], [{ eventSource: 'aws:kafka' }]])('rejects a non-Kafka event %j', (event) => {
    expect(() => decodeKafkaEvent(event)).toThrow(InvalidEventError);
  });

  const withRecord = (patch: Record<string, unknown>) => {
    const event = kafkaEvent([{ offset: 1, value: 'x' }]) as unknown as { records: Record<string, Array<Record<string, unknown>>> };
    Object.assign(event.records['users-topic-0']![0]!, patch);
    return event;
  };

  it.each([
    ['a header value that is null', { headers: [{ trace: null }] }, 'event.records["users-topic-0"][0].headers[0].trace must be an array of bytes (got null)'],
    ['headers as an object', { headers: { trace: [1] } }, 'event.records["users-topic-0"][0].headers must be an array of {name: [bytes]} objects (got object)'],
    ['a header entry that is not an object', { headers: ['x'] }, 'event.records["users-topic-0"][0].headers[0] must be an object of header name to byte array (got string)'],
    ['header bytes out of range', { headers: [{ trace: [300] }] }, 'event.records["users-topic-0"][0].headers[0].trace must hold only byte values'],
    ['a value that is a number', { value: 42 }, 'event.records["users-topic-0"][0].value must be base64 text or null (got number)'],
    ['a key that is an object', { key: {} }, 'event.records["users-topic-0"][0].key must be base64 text or null (got object)'],
    ['a missing topic', { topic: undefined }, 'event.records["users-topic-0"][0].topic must be a topic name'],
    ['a negative partition', { partition: -1 }, 'event.records["users-topic-0"][0].partition must be a non-negative integer'],
    ['a fractional offset', { offset: 1.5 }, 'event.records["users-topic-0"][0].offset must be a non-negative integer (got 1.5)'],
    ['a timestamp that is text', { timestamp: 'now' }, 'event.records["users-topic-0"][0].timestamp must be milliseconds since the epoch'],
  ])('names the path of %s', (_what, patch, message) => {
    expect(() => decodeKafkaEvent(withRecord(patch))).toThrow(new InvalidEventError(message));
  });

  it.each([
    ['a group that is not an array', { eventSource: 'aws:kafka', records: { 'users-topic-0': { offset: 1 } } }, 'event.records["users-topic-0"] must be an array of records (got object)'],
    ['a record that is null', { eventSource: 'aws:kafka', records: { 'users-topic-0': [null] } }, 'event.records["users-topic-0"][0] must be an object (got null)'],
    ['records as an array', { eventSource: 'aws:kafka', records: [] }, 'event.records must be an object of "topic-partition" groups (got an array)'],
  ])('names the path of %s', (_what, event, message) => {
    expect(() => decodeKafkaEvent(event)).toThrow(new InvalidEventError(message));
  });
});
