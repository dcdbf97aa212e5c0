import type { z } from 'zod';
import { PoisonCode } from './errors';
import type { DecodedRecord } from './kafka/event';
import { EnvelopeSchema, TABLE_SCHEMAS, type TableName } from './schemas';
import { toClickHouseRow, type ClickHouseRow } from './transform/to-clickhouse-row';

/** The idempotency key of design.md: a record is written once per (message, table, record). */
export interface IdempotencyKey {
  readonly messageId: string;
  readonly table: TableName;
  readonly recordId: string;
}

/** A record that passed every check and waits to be written. */
export interface PendingRow {
  readonly key: IdempotencyKey;
  readonly row: ClickHouseRow;
  readonly source: DecodedRecord;
}

export interface ValidationIssue {
  readonly path: string;
  readonly code: string;
  readonly message: string;
}

/** Why a record is poison, in the words the dead letter carries. */
export interface PoisonVerdict {
  readonly code: PoisonCode;
  readonly message: string;
  readonly issues: readonly ValidationIssue[];
}

export type ParseResult = { readonly ok: true; readonly pending: PendingRow } | { readonly ok: false; readonly poison: PoisonVerdict };

export interface ParseOptions {
  readonly table: TableName;
  readonly maxRecordBytes: number;
  readonly ingestedAt: Date;
}

const poison = (code: PoisonCode, message: string, issues: readonly ValidationIssue[] = []): ParseResult => ({
  ok: false,
  poison: { code, message, issues },
});

const toIssues = (error: z.ZodError, prefix: string): ValidationIssue[] =>
  error.issues.map((issue) => ({
    path: [prefix, ...issue.path.map(String)].filter(Boolean).join('.'),
    code: issue.code,
    message: issue.message,
  }));

const describe = (issues: readonly ValidationIssue[]): string =>
  issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ');

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Decides what one record is: a row to write, or poison with a code. Every rule of design.md
 * ("Dead-letter records") is one early return here, in the order a record is inspected.
 */
export function parseRecord(record: DecodedRecord, options: ParseOptions): ParseResult {
  // The event carried bytes that are not base64: nothing trustworthy to decode.
  if (record.decodeError) return poison(PoisonCode.UNDECODABLE, record.decodeError);
  // A tombstone or a record without value holds no data to insert, now or ever.
  if (record.value === null || record.value.length === 0) return poison(PoisonCode.EMPTY_VALUE, 'record has no value');
  // Checked before parsing so a huge value costs no JSON parse and no memory spike.
  if (record.value.length > options.maxRecordBytes) {
    return poison(PoisonCode.OVERSIZE, `value is ${record.value.length} bytes, over the limit of ${options.maxRecordBytes}`);
  }

  let text: string;
  try {
    text = utf8.decode(record.value);
  } catch {
    return poison(PoisonCode.UNDECODABLE, 'value is not valid UTF-8');
  }

  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return poison(PoisonCode.INVALID_JSON, `value is not JSON: ${(error as Error).message}`);
  }

  const envelope = EnvelopeSchema.safeParse(json);
  if (!envelope.success) {
    const issues = toIssues(envelope.error, '');
    return poison(PoisonCode.SCHEMA_VALIDATION, `envelope is invalid: ${describe(issues)}`, issues);
  }
  // Table mismatch before the table schema: the data was meant for another table entirely.
  if (envelope.data.table !== options.table) {
    return poison(
      PoisonCode.TABLE_MISMATCH,
      `envelope names table "${envelope.data.table}" but this handler writes "${options.table}"`,
    );
  }

  const data = TABLE_SCHEMAS[options.table].safeParse(envelope.data.data);
  if (!data.success) {
    const issues = toIssues(data.error, 'data');
    return poison(PoisonCode.SCHEMA_VALIDATION, `${options.table} record is invalid: ${describe(issues)}`, issues);
  }

  return {
    ok: true,
    pending: {
      key: { messageId: envelope.data.messageId, table: options.table, recordId: data.data.id },
      row: toClickHouseRow(data.data, envelope.data, record, options.ingestedAt),
      source: record,
    },
  };
}
