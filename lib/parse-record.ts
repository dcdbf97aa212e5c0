import { isUtf8 } from 'node:buffer';
import type * as z from 'zod/mini';
import { PoisonCode } from './errors';
import type { IdempotencyKey } from './idempotency-key';
import type { DecodedRecord } from './kafka/event';
import { tableDefinition, type TableName, type TableRecord } from './schemas';
import type { NumberLiteralIssue } from './schemas/number-literals';
import { toClickHouseRow, type ClickHouseRow } from './transform/to-clickhouse-row';
import { clipText } from './text';

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

const poison = (code: PoisonCode, message: string, issues: readonly ValidationIssue[] = []): { readonly ok: false; readonly poison: PoisonVerdict } => ({
  ok: false,
  poison: { code, message, issues },
});

const toIssues = (error: z.core.$ZodError): ValidationIssue[] =>
  error.issues.slice(0, MAX_ISSUES).map((issue) => ({ path: issue.path.map(String).join('.'), code: issue.code, message: issue.message }));

/**
 * The schema's issues with those of literals that break their rule. A literal's issue replaces the
 * schema's at the same path: the schema judged the rounded double, the literal is what was sent.
 */
function withLiteralIssues(schemaIssues: readonly z.core.$ZodIssue[], literalIssues: readonly NumberLiteralIssue[]): ValidationIssue[] {
  const literal = literalIssues.map((i) => ({ path: i.path.join('.'), code: 'custom', message: i.message }));
  const replaced = new Set(literal.map((i) => i.path));
  const others = schemaIssues.map((issue) => ({ path: issue.path.map(String).join('.'), code: issue.code, message: issue.message })).filter((i) => !replaced.has(i.path));
  return [...literal, ...others];
}

const describe = (issues: readonly ValidationIssue[], total: number): string =>
  issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ') + (total > issues.length ? `; and ${total - issues.length} more` : '');

const BOM = '\ufeff';

/** A byte-order mark is an encoding artefact of some producers, not part of the JSON. */
const jsonTextOf = (value: Buffer): string => {
  const text = value.toString('utf8');
  return text.startsWith(BOM) ? text.slice(1) : text;
};

/** A record whose bytes are JSON of the handler's table, not yet validated. */
export interface DecodedEnvelope {
  readonly record: DecodedRecord;
  readonly json: Record<string, unknown>;
  /** The idempotency key the record claims (not validated): enough to look it up early. */
  readonly claimedKey?: { readonly messageId: string; readonly recordId: string };
  /**
   * The JSON text, kept only when a number in it may break its field's literal rule (money with
   * more than 2 decimals, an exponent): `JSON.parse` has already rounded those to doubles.
   */
  readonly jsonText?: string;
}

export type DecodeResult = { readonly ok: true; readonly envelope: DecodedEnvelope } | { readonly ok: false; readonly poison: PoisonVerdict };

/**
 * The first half of {@link parseRecord}: bytes → UTF-8 → JSON object of the handler's table. Every
 * rule of the contract ("Dead-letter records") is one early return, in the order a record is
 * inspected; the schema comes in {@link validateEnvelope}. Split so the pipeline can start the
 * idempotency lookup with the claimed keys while it validates.
 */
export function decodeEnvelope(record: DecodedRecord, options: Pick<ParseOptions, 'table' | 'maxRecordBytes'>): DecodeResult {
  // The event carried bytes that are not base64: nothing trustworthy to decode.
  if (record.decodeError) return poison(PoisonCode.UNDECODABLE, record.decodeError);
  // A tombstone or a record without value holds no data to insert, now or ever.
  if (record.value === null || record.value.length === 0) return poison(PoisonCode.EMPTY_VALUE, 'record has no value');
  // Checked before decoding so a huge value costs no parse and no memory spike.
  if (record.value.length > options.maxRecordBytes) {
    return poison(PoisonCode.OVERSIZE, `value is ${record.value.length} bytes, over the limit of ${options.maxRecordBytes}`);
  }
  if (!isUtf8(record.value)) return poison(PoisonCode.UNDECODABLE, 'value is not valid UTF-8');

  const text = jsonTextOf(record.value);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return poison(PoisonCode.INVALID_JSON, `value is not JSON: ${(error as Error).message}`);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    return poison(PoisonCode.SCHEMA_VALIDATION, 'envelope is invalid: (root): must be a JSON object', [
      { path: '', code: 'invalid_type', message: 'must be a JSON object' },
    ]);
  }
  const envelope = json as Record<string, unknown>;
  // Table mismatch before the schema: the record was meant for another table entirely.
  if (typeof envelope.table === 'string' && envelope.table !== options.table) {
    return poison(PoisonCode.TABLE_MISMATCH, `envelope names table ${JSON.stringify(clipText(envelope.table, 100))} but this handler writes "${options.table}"`);
  }
  const id = (envelope.data as { id?: unknown } | null | undefined)?.id;
  const claimedKey = typeof envelope.messageId === 'string' && typeof id === 'string' ? { messageId: envelope.messageId, recordId: id.toLowerCase() } : undefined;
  const literals = tableDefinition(options.table).literals;
  return { ok: true, envelope: { record, json: envelope, claimedKey, jsonText: literals?.mayBreak(text) ? text : undefined } };
}

/** The second half of {@link parseRecord}: the table's schema, then the ClickHouse row. */
export function validateEnvelope(envelope: DecodedEnvelope, options: ParseOptions): ParseResult {
  const definition = tableDefinition(options.table);
  const parsed = definition.compiled.safeParse(envelope.json);
  // A record the schema refuses is read again too (it is poison, the cost no longer matters): an
  // amount above the maximum is then quoted as the producer wrote it.
  const literalText = envelope.jsonText ?? (parsed.success || definition.literals === undefined ? undefined : jsonTextOf(envelope.record.value!));
  const literalIssues = literalText === undefined ? [] : definition.literals!.issues(literalText);
  if (literalIssues.length > 0) {
    const all = withLiteralIssues(parsed.success ? [] : parsed.error.issues, literalIssues);
    const issues = all.slice(0, MAX_ISSUES);
    return poison(PoisonCode.SCHEMA_VALIDATION, `${options.table} record is invalid: ${describe(issues, all.length)}`, issues);
  }
  if (!parsed.success) {
    const issues = toIssues(parsed.error);
    return poison(PoisonCode.SCHEMA_VALIDATION, `${options.table} record is invalid: ${describe(issues, parsed.error.issues.length)}`, issues);
  }
  const { messageId, timestamp, data } = parsed.data as { messageId: string; timestamp: string; data: TableRecord };
  const { record } = envelope;
  return {
    ok: true,
    pending: {
      key: { messageId, table: options.table, recordId: data.id },
      row: toClickHouseRow(options.table, data, { messageId, eventTime: timestamp, source: record, ingestedAt: options.ingestedAt }),
      source: record,
    },
  };
}

/** Decides what one record is: a row to write, or poison with a code (decode, then validate). */
export function parseRecord(record: DecodedRecord, options: ParseOptions): ParseResult {
  const decoded = decodeEnvelope(record, options);
  return decoded.ok ? validateEnvelope(decoded.envelope, options) : decoded;
}
