import { PoisonCode } from '../errors';
import type { DeadLetter } from '../ports';

/** The dead-letter value of design.md ("Dead-letter records"). */
export interface DeadLetterValue {
  readonly originalMessage: string | null;
  readonly originalEncoding: 'utf8' | 'base64';
  readonly source: {
    readonly topic: string;
    readonly partition: number;
    readonly offset: string;
    readonly timestamp: number;
    readonly key: string | null;
  };
  readonly error: { readonly code: PoisonCode; readonly message: string; readonly issues: DeadLetter['issues'] };
  readonly failureReason: string;
  readonly failedAt: string;
  readonly handler: string;
}

export interface DeadLetterMessage {
  readonly key: Buffer | null;
  readonly value: string;
  readonly headers: Record<string, string>;
}

const REASONS: Record<PoisonCode, string> = {
  EMPTY_VALUE: 'The record has no value, so there is nothing to insert',
  UNDECODABLE: 'The record bytes could not be decoded',
  OVERSIZE: 'The record is larger than the pipeline accepts',
  INVALID_JSON: 'The record value is not valid JSON',
  SCHEMA_VALIDATION: 'The record does not match its schema',
  TABLE_MISMATCH: 'The record was sent to the wrong topic for its table',
  CLICKHOUSE_REJECTED: 'ClickHouse rejected the row',
};

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** UTF-8 text when the bytes are valid UTF-8, else base64, so the original bytes are always recoverable. */
export function encodeOriginal(bytes: Buffer | null): { text: string | null; encoding: 'utf8' | 'base64' } {
  if (bytes === null) return { text: null, encoding: 'utf8' };
  try {
    return { text: utf8.decode(bytes), encoding: 'utf8' };
  } catch {
    return { text: bytes.toString('base64'), encoding: 'base64' };
  }
}

/** Builds the Kafka message for one dead letter: original key, JSON value, `x-*` headers. */
export function toDeadLetterMessage(letter: DeadLetter, failedAt: Date): DeadLetterMessage {
  const { record } = letter;
  const original =
    record.rawValue !== undefined ? { text: record.rawValue, encoding: 'base64' as const } : encodeOriginal(record.value);
  const value: DeadLetterValue = {
    originalMessage: original.text,
    originalEncoding: original.encoding,
    source: {
      topic: record.topic,
      partition: record.partition,
      offset: record.offset,
      timestamp: record.timestamp,
      key: encodeOriginal(record.key).text,
    },
    error: { code: letter.code, message: letter.message, issues: letter.issues },
    failureReason: `${REASONS[letter.code]}: ${letter.message}.`,
    failedAt: failedAt.toISOString(),
    handler: letter.handler,
  };
  return {
    key: record.key,
    value: JSON.stringify(value),
    headers: {
      'x-dlq-reason': letter.code,
      'x-original-topic': record.topic,
      'x-original-partition': String(record.partition),
      'x-original-offset': record.offset,
    },
  };
}
