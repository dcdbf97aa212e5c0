import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { classifyLetter } from '../../../../lib/dlq/classify-letter';
import { parseEditedLetters } from '../../../../lib/dlq/edited-letters';
import { formatLetterJson, formatLetterLine, formatSummary } from '../../../../lib/dlq/format-letter';

const fixture = (name: string) => readFileSync(join(__dirname, '../../../fixtures/dlq', name));
const at = (offset: string, value: Buffer | string, key: Buffer | null = null) =>
  classifyLetter({ partition: 0, offset, key, value: Buffer.isBuffer(value) ? value : Buffer.from(value) });

const ours = JSON.stringify({
  originalMessage: '{"tab',
  originalEncoding: 'utf8',
  originalBytes: 2_100_000,
  originalTruncated: true,
  source: { topic: 'users-topic', partition: 2, offset: '42', timestamp: 1, key: 'k' },
  error: { code: 'OVERSIZE', message: 'too big', issues: [] },
  failureReason: 'The record is larger than the pipeline accepts: too big.',
  failedAt: '2024-05-01T00:00:00.000Z',
  handler: 'users',
});

describe('listing lines', () => {
  it('one line per kind: position, table, reason, source records, why', () => {
    expect(formatLetterLine(at('1', ours))).toBe(
      '#0:1  users  OVERSIZE  users-topic[2]@42  The record is larger than the pipeline accepts: too big. [original is 2100000 bytes, truncated in the letter: replay re-reads it]',
    );
    expect(formatLetterLine(at('2', fixture('lambda-kafka-destination.json')))).toBe(
      '#0:2  users  RetriesExhausted  users-topic[1]@7  Lambda on-failure record (function kafka-clickhouse-lambda-prod-users, 11 attempt(s)): 1 record(s) in the letter',
    );
    expect(formatLetterLine(at('3', fixture('lambda-sns-sqs.json')))).toBe(
      '#0:3  orders  RetryAttemptsExhausted  orders-topic[0]@120..123,orders-topic[2]@40..41  Lambda on-failure record (function kafka-clickhouse-lambda-prod-orders, 3 attempt(s)): records to re-read from the source',
    );
    expect(formatLetterLine(at('4', 'hello'))).toBe('#0:4  -  UNKNOWN  -  not JSON: "hello"');
  });

  it('JSON lines round-trip into replay --file, binary keys as base64', () => {
    const key = Buffer.from([0xff, 0x00]);
    const line = formatLetterJson(at('1', ours, key));
    expect(JSON.parse(line)).toMatchObject({ kind: 'ours', partition: 0, offset: '1', key: '/wA=', keyEncoding: 'base64' });
    const [edited] = parseEditedLetters(line, 'f');
    expect(edited).toMatchObject({ key, position: { partition: 0, offset: '1' }, edited: true });
    expect(JSON.parse(formatLetterJson(at('4', Buffer.from([0xfe]))))).toEqual({ kind: 'unknown', partition: 0, offset: '4', key: null, why: 'not UTF-8 text', value: '/g==', encoding: 'base64' });
  });
});

describe('summary line', () => {
  it('counts the kinds unless there are only the handlers’ letters', () => {
    expect(formatSummary([at('1', ours)], 'dlq-topic', true)).toBe('1 letter(s) in dlq-topic matching the filter.');
    expect(formatSummary([at('1', ours), at('2', 'x'), at('3', fixture('lambda-s3.json'))], 'dlq-topic', false)).toBe('3 letter(s) in dlq-topic (1 HANDLER, 1 LAMBDA, 1 UNKNOWN).');
    expect(formatSummary([], 'dlq-topic', false)).toBe('0 letter(s) in dlq-topic.');
  });
});
