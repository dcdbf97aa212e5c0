import { createHash } from 'node:crypto';
import { decodeKafkaEvent } from '../../../../lib/kafka/event';
import { MAX_KEY_BYTES, MIN_DEAD_LETTER_BYTES, toDeadLetterMessage } from '../../../../lib/kafka/dead-letter-message';
import type { DeadLetter } from '../../../../lib/ports';
import { kafkaEvent } from '../../../support/events';

const recordOf = (value: string | Buffer | null, key: string | null = 'k-1') =>
  decodeKafkaEvent(kafkaEvent([{ partition: 1, offset: 42, key, value }])).records[0]!;
const letterOf = (value: string | Buffer | null, patch: Partial<DeadLetter> = {}): DeadLetter => ({
  record: recordOf(value),
  code: 'INVALID_JSON',
  message: 'value is not JSON: boom',
  issues: [],
  handler: 'users',
  requestId: 'req-1',
  ...patch,
});
const sha = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const size = (m: { key: Buffer | null; value: string; headers: Record<string, string> }) =>
  Buffer.byteLength(m.value) + (m.key?.length ?? 0) + Object.entries(m.headers).reduce((n, [k, v]) => n + k.length + v.length, 0);

describe('toDeadLetterMessage', () => {
  const failedAt = new Date('2024-03-01T12:00:00.000Z');

  it('builds the value and headers of the contract', () => {
    // Act
    const message = toDeadLetterMessage(letterOf('not json'), failedAt, 262_144);
    // Assess
    expect(message.key?.toString()).toBe('k-1');
    expect(JSON.parse(message.value)).toEqual({
      originalMessage: 'not json',
      originalEncoding: 'utf8',
      originalBytes: 8,
      originalSha256: sha('not json'),
      originalTruncated: false,
      source: { topic: 'users-topic', partition: 1, offset: '42', timestamp: 1_700_000_000_042, key: 'k-1', keyTruncated: false },
      error: { code: 'INVALID_JSON', message: 'value is not JSON: boom', issues: [] },
      failureReason: 'The record value is not valid JSON: value is not JSON: boom.',
      failedAt: '2024-03-01T12:00:00.000Z',
      handler: 'users',
      requestId: 'req-1',
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
    const value = JSON.parse(toDeadLetterMessage(letterOf(bytes, { code: 'UNDECODABLE' }), failedAt, 262_144).value);
    expect(value).toMatchObject({ originalMessage: bytes.toString('base64'), originalEncoding: 'base64', originalBytes: 3 });
  });

  it('keeps a null value and key as null', () => {
    const message = toDeadLetterMessage({ ...letterOf(null), record: recordOf(null, null), code: 'EMPTY_VALUE' }, failedAt, 262_144);
    expect(message.key).toBeNull();
    expect(JSON.parse(message.value)).toMatchObject({ originalMessage: null, originalBytes: 0, originalSha256: '', source: { key: null }, handler: 'users' });
  });

  it.each([
    ['a 2 MB UTF-8 value', Buffer.from('é'.repeat(1_000_000))],
    ['a 2 MB binary value', Buffer.alloc(2_000_000, 0xff)],
    ['a value of control characters that JSON escapes six-fold', Buffer.from('\u0001'.repeat(400_000))],
  ])('keeps %s as a prefix under the cap, with its length and SHA-256', (_what, bytes) => {
    // Act
    const message = toDeadLetterMessage(letterOf(bytes, { code: 'OVERSIZE' }), failedAt, 262_144);
    // Assess
    expect(size(message)).toBeLessThanOrEqual(262_144);
    const value = JSON.parse(message.value);
    expect(value).toMatchObject({ originalTruncated: true, originalBytes: bytes.length, originalSha256: sha(bytes) });
    const prefix = value.originalEncoding === 'base64' ? Buffer.from(value.originalMessage, 'base64') : Buffer.from(value.originalMessage, 'utf8');
    expect(bytes.subarray(0, prefix.length).equals(prefix)).toBe(true);
    expect(prefix.length).toBeGreaterThan(100_000 / 6);
  });

  it('bounds a huge ClickHouse message and many issues', () => {
    const issues = Array.from({ length: 20 }, (_, i) => ({ path: `data.f${i}`, code: 'custom', message: 'm'.repeat(5_000) }));
    const message = toDeadLetterMessage(letterOf('x', { message: 'e'.repeat(1_000_000), issues }), failedAt, MIN_DEAD_LETTER_BYTES);
    expect(size(message)).toBeLessThanOrEqual(MIN_DEAD_LETTER_BYTES);
  });

  it('replaces an oversize key by its SHA-256 and says so', () => {
    const key = 'k'.repeat(MAX_KEY_BYTES + 1);
    const message = toDeadLetterMessage({ ...letterOf('x'), record: recordOf('x', key) }, failedAt, 262_144);
    expect(message.key?.toString()).toBe(sha(key));
    expect(JSON.parse(message.value).source).toMatchObject({ key: 'k'.repeat(MAX_KEY_BYTES), keyTruncated: true });
  });
});
