import { sha256 } from '../sha256';
import { isUtf8 } from 'node:buffer';
import type { PoisonCode } from '../errors';
import type { DeadLetter } from '../ports';
import { clipText } from '../text';

/** The dead-letter value of the contract ("Dead-letter records"). */
export interface DeadLetterValue {
  /** The original value: UTF-8 text, or base64 when not UTF-8; a prefix when `originalTruncated`. */
  readonly originalMessage: string | null;
  readonly originalEncoding: 'utf8' | 'base64';
  /** Byte length of the whole original value. */
  readonly originalBytes: number;
  /** Hex SHA-256 of the whole original value ('' when there is none). */
  readonly originalSha256: string;
  /** True when `originalMessage` holds only a prefix: re-read the record from `source` to replay it. */
  readonly originalTruncated: boolean;
  readonly source: {
    readonly topic: string;
    readonly partition: number;
    readonly offset: string;
    readonly timestamp: number;
    readonly key: string | null;
    readonly keyTruncated: boolean;
  };
  readonly error: { readonly code: PoisonCode; readonly message: string; readonly issues: DeadLetter['issues'] };
  readonly failureReason: string;
  readonly failedAt: string;
  readonly handler: string;
  readonly requestId: string;
}

export interface DeadLetterMessage {
  readonly key: Buffer | null;
  readonly value: string;
  readonly headers: Record<string, string>;
  /** `value` before serialisation (the `dead_letters` table row is made from it). */
  readonly letter: DeadLetterValue;
}

/** The smallest cap a letter can honour: its metadata always fits, with room for a prefix. */
export const MIN_DEAD_LETTER_BYTES = 16 * 1024;
/** Record keys above this are replaced by their SHA-256 on the DLQ (and flagged). */
export const MAX_KEY_BYTES = 1024;
const MAX_ERROR_MESSAGE = 2_000;
const MAX_ISSUE_MESSAGE = 500;

const REASONS: Record<PoisonCode, string> = {
  EMPTY_VALUE: 'The record has no value, so there is nothing to insert',
  UNDECODABLE: 'The record bytes could not be decoded',
  OVERSIZE: 'The record is larger than the pipeline accepts',
  INVALID_JSON: 'The record value is not valid JSON',
  SCHEMA_VALIDATION: 'The record does not match its schema',
  TABLE_MISMATCH: 'The record was sent to the wrong topic for its table',
  CLICKHOUSE_REJECTED: 'ClickHouse rejected the row',
};

/** UTF-8 text when the bytes are valid UTF-8, else base64, so the original bytes are always recoverable. */
export function encodeOriginal(bytes: Buffer | null): { text: string | null; encoding: 'utf8' | 'base64' } {
  if (bytes === null) return { text: null, encoding: 'utf8' };
  return isUtf8(bytes) ? { text: bytes.toString('utf8'), encoding: 'utf8' } : { text: bytes.toString('base64'), encoding: 'base64' };
}

/** The longest prefix of `bytes` (cut at a character boundary when UTF-8) whose encoding fits in about `budget` bytes. */
function prefixFitting(bytes: Buffer, encoding: 'utf8' | 'base64', budget: number): string {
  if (encoding === 'base64') return bytes.subarray(0, Math.max(0, Math.floor(budget / 4) * 3)).toString('base64');
  let end = Math.min(bytes.length, Math.max(0, budget));
  // Step back over UTF-8 continuation bytes so no character is cut in half.
  while (end > 0 && end < bytes.length && (bytes[end]! & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end).toString('utf8');
}

/**
 * Builds the Kafka message for one dead letter: original key, JSON value, `x-*` headers, at most
 * `maxBytes` in all. A larger original is kept as a prefix with its byte length and SHA-256 (and
 * `originalTruncated`), so the letter stays under the broker's limit and its source coordinates
 * still lead to the full record.
 */
export function toDeadLetterMessage(letter: DeadLetter, failedAt: Date, maxBytes: number): DeadLetterMessage {
  const { record } = letter;
  // A value the event carried as invalid base64 has no known bytes: keep the event's text itself.
  const originalBytes = record.rawValue !== undefined ? Buffer.from(record.rawValue, 'utf8') : record.value;
  const original = record.rawValue !== undefined ? { text: record.rawValue, encoding: 'utf8' as const } : encodeOriginal(record.value);
  const keyTooLong = record.key !== null && record.key.length > MAX_KEY_BYTES;
  const key = keyTooLong ? Buffer.from(sha256().update(record.key!).digest('hex')) : record.key;
  const headers = {
    'x-dlq-reason': letter.code,
    'x-original-topic': record.topic,
    'x-original-partition': String(record.partition),
    'x-original-offset': record.offset,
  };
  const message = clipText(letter.message, MAX_ERROR_MESSAGE);
  const build = (text: string | null, truncated: boolean): DeadLetterValue => ({
    originalMessage: text,
    originalEncoding: original.encoding,
    originalBytes: originalBytes?.length ?? 0,
    originalSha256: originalBytes ? sha256().update(originalBytes).digest('hex') : '',
    originalTruncated: truncated,
    source: {
      topic: record.topic,
      partition: record.partition,
      offset: record.offset,
      timestamp: record.timestamp,
      key: keyTooLong ? encodeOriginal(record.key!.subarray(0, MAX_KEY_BYTES)).text : encodeOriginal(record.key).text,
      keyTruncated: keyTooLong,
    },
    error: { code: letter.code, message, issues: letter.issues.map((i) => ({ ...i, message: clipText(i.message, MAX_ISSUE_MESSAGE) })) },
    failureReason: `${REASONS[letter.code]}: ${clipText(letter.message, 300)}.`,
    failedAt: failedAt.toISOString(),
    handler: letter.handler,
    requestId: letter.requestId,
  });
  const overhead = (key?.length ?? 0) + Object.entries(headers).reduce((n, [k, v]) => n + k.length + Buffer.byteLength(v) + 8, 0) + 64;

  let letterValue = build(original.text, false);
  let value = JSON.stringify(letterValue);
  if (overhead + Buffer.byteLength(value) <= maxBytes || originalBytes === null) return { key, value, headers, letter: letterValue };
  // Too large: keep a prefix of the original. JSON escaping can inflate text (up to six-fold for
  // control characters), so scale the prefix by the inflation seen until the letter fits.
  const available = maxBytes - overhead - Buffer.byteLength(JSON.stringify(build('', true)));
  let budget = available;
  for (let attempt = 0; ; attempt++) {
    const prefix = prefixFitting(originalBytes, original.encoding, budget);
    letterValue = build(prefix, true);
    value = JSON.stringify(letterValue);
    const size = overhead + Buffer.byteLength(value);
    if (size <= maxBytes || budget <= 0) return { key, value, headers, letter: letterValue };
    const inflation = (size - (maxBytes - available)) / Math.max(1, budget);
    budget = attempt < 8 ? Math.floor(available / inflation) - 16 : budget - (size - maxBytes) - 64;
  }
}
