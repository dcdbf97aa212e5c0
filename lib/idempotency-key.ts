import { sha256 } from './sha256';
import type { TableName } from './schemas';

/**
 * The idempotency key: a record is written once per (message, table, record). The same three
 * values are `processed_events(message_id, table_name, record_id)` in ClickHouse, written by each
 * table's materialized view from the data row itself (migrations 007).
 */
export interface IdempotencyKey {
  readonly messageId: string;
  readonly table: TableName;
  readonly recordId: string;
}

/**
 * One string per key, for sets and maps. The messageId's length comes first, so no choice of
 * characters in it (NUL and newlines included: a messageId is any well-formed text) can make two
 * keys one string.
 */
export const keyText = (key: Pick<IdempotencyKey, 'messageId' | 'recordId'>): string => `${key.messageId.length}:${key.messageId}${key.recordId}`;

/**
 * `insert_deduplication_token` of an insert: a digest of the table and the sorted keys, so the same
 * rows always give the same token and an identical retry is a no-op in ClickHouse. Each key enters
 * the digest with its length, so two different sets of keys never give the same token (one that did
 * would make ClickHouse drop the second insert as a retry of the first: rows silently lost).
 */
export function deduplicationToken(table: TableName, keys: ReadonlyArray<Pick<IdempotencyKey, 'messageId' | 'recordId'>>): string {
  const hash = sha256().update(table).update('\u0001');
  for (const text of keys.map(keyText).sort()) hash.update(`${text.length}:`).update(text);
  return hash.digest('hex');
}
