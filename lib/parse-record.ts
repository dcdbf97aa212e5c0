import { isUtf8 } from 'node:buffer';
import type { z } from 'zod';
import { PoisonCode } from './errors';
import type { IdempotencyKey } from './idempotency-key';
import type { DecodedRecord } from './kafka/event';
import { RECORD_SCHEMAS, type TableName, type TableRecord } from './schemas';
import { toClickHouseRow, type ClickHouseRow } from './transform/to-clickhouse-row';

export type { IdempotencyKey } from './idempotency-key';

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
  /** `ingested_at` of the batch, as ClickHouse text. */
  readonly ingestedAt: string;
}

/** At most this many issues travel with a dead letter (a huge object can have thousands). */
export const MAX_ISSUES = 20;

const poison = (code: PoisonCode, message: string, issues: readonly ValidationIssue[] = []): ParseResult => ({
  ok: false,
  poison: { code, message, issues },
});

const toIssues = (error: z.ZodError): ValidationIssue[] =>
  error.issues.slice(0, MAX_ISSUES).map((issue) => ({ path: issue.path.map(String).join('.'), code: issue.code, message: issue.message }));

const describe = (issues: readonly ValidationIssue[], total: number): string =>
  issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ') + (total > issues.length ? `; and ${total - issues.length} more` : '');

const BOM = '\ufeff';

/**
 * Decides what one record is: a row to write, or poison with a code. Every rule of the contract
 * ("Dead-letter records") is one early return here, in the order a record is inspected. One Zod
 * schema per table checks envelope and data in a single pass.
 */
export function parseRecord(record: DecodedRecord, options: ParseOptions): ParseResult {
  // The event carried bytes that are not base64: nothing trustworthy to decode.
  if (record.decodeError) return poison(PoisonCode.UNDECODABLE, record.decodeError);
  // A tombstone or a record without value holds no data to insert, now or ever.
  if (record.value === null || record.value.length === 0) return poison(PoisonCode.EMPTY_VALUE, 'record has no value');
  // Checked before decoding so a huge value costs no parse and no memory spike.
  if (record.value.length > options.maxRecordBytes) {
    return poison(PoisonCode.OVERSIZE, `value is ${record.value.length} bytes, over the limit of ${options.maxRecordBytes}`);
  }
  if (!isUtf8(record.value)) return poison(PoisonCode.UNDECODABLE, 'value is not valid UTF-8');

  let json: unknown;
  try {
    const text = record.value.toString('utf8');
    // A byte-order mark is an encoding artefact of some producers, not part of the JSON.
    json = JSON.parse(text.startsWith(BOM) ? text.slice(1) : text);
  } catch (error) {
    return poison(PoisonCode.INVALID_JSON, `value is not JSON: ${(error as Error).message}`);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    return poison(PoisonCode.SCHEMA_VALIDATION, 'envelope is invalid: (root): must be a JSON object', [
      { path: '', code: 'invalid_type', message: 'must be a JSON object' },
    ]);
  }
  // Table mismatch before the schema: the record was meant for another table entirely.
  const named = (json as { table?: unknown }).table;
  if (typeof named === 'string' && named !== options.table) {
    return poison(PoisonCode.TABLE_MISMATCH, `envelope names table ${JSON.stringify(named.slice(0, 100))} but this handler writes "${options.table}"`);
  }

  const parsed = RECORD_SCHEMAS[options.table].safeParse(json);
  if (!parsed.success) {
    const issues = toIssues(parsed.error);
    return poison(PoisonCode.SCHEMA_VALIDATION, `${options.table} record is invalid: ${describe(issues, parsed.error.issues.length)}`, issues);
  }
  const { messageId, timestamp, data } = parsed.data as { messageId: string; timestamp: string; data: TableRecord };
  return {
    ok: true,
    pending: {
      key: { messageId, table: options.table, recordId: data.id },
      row: toClickHouseRow(options.table, data, { messageId, eventTime: timestamp, source: record, ingestedAt: options.ingestedAt }),
      source: record,
    },
  };
}
