import { decodeKafkaEvent } from '../../../../lib/kafka/event';
import { toDeadLetterMessage } from '../../../../lib/kafka/dead-letter-message';
import { kafkaEvent } from '../../../support/events';

const recordOf = (value: string | Buffer | null, key: string | null = 'k-1') =>
  decodeKafkaEvent(kafkaEvent([{ partition: 1, offset: 42, key, value }])).records[0]!;

describe('toDeadLetterMessage', () => {
  const failedAt = new Date('2024-03-01T12:00:00.000Z');

  it('builds the value and headers of design.md', () => {
    // Act
    const message = toDeadLetterMessage(
      { record: recordOf('not json'), code: 'INVALID_JSON', message: 'value is not JSON: boom', issues: [], handler: 'users' },
      failedAt,
    );
    // Assess
    expect(message.key?.toString()).toBe('k-1');
    expect(JSON.parse(message.value)).toEqual({
      originalMessage: 'not json',
      originalEncoding: 'utf8',
      source: { topic: 'users-topic', partition: 1, offset: '42', timestamp: 1_700_000_000_042, key: 'k-1' },
      error: { code: 'INVALID_JSON', message: 'value is not JSON: boom', issues: [] },
      failureReason: 'The record value is not valid JSON: value is not JSON: boom.',
      failedAt: '2024-03-01T12:00:00.000Z',
      handler: 'users',
    });
    expect(message.headers).toEqual({
      'x-dlq-reason': 'INVALID_JSON',
      'x-original-topic': 'users-topic',
      'x-original-partition': '1',
      'x-original-offset': '42',
    });
  });

  it('keeps bytes that are not UTF-8 as base64', () => {
    const bytes = Buffer.from([0xff, 0xfe, 0x41]);
    const value = JSON.parse(toDeadLetterMessage({ record: recordOf(bytes), code: 'UNDECODABLE', message: 'x', issues: [], handler: 'users' }, failedAt).value);
    expect(value).toMatchObject({ originalMessage: bytes.toString('base64'), originalEncoding: 'base64' });
  });

  it('keeps a null value and key as null', () => {
    const message = toDeadLetterMessage({ record: recordOf(null, null), code: 'EMPTY_VALUE', message: 'record has no value', issues: [], handler: 'orders' }, failedAt);
    expect(message.key).toBeNull();
    expect(JSON.parse(message.value)).toMatchObject({ originalMessage: null, source: { key: null }, handler: 'orders' });
  });
});
