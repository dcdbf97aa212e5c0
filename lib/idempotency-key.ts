import { createHash } from 'node:crypto';
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

/** One string per key, for sets and maps; NUL cannot occur in a well-formed messageId or uuid. */
export const keyText = (key: Pick<IdempotencyKey, 'messageId' | 'recordId'>): string => `${key.messageId}\u0000${key.recordId}`;

/**
 * `insert_deduplication_token` of an insert: a digest of the table and the sorted keys, so the same
 * rows always give the same token and an identical retry is a no-op in ClickHouse.
 */
export function deduplicationToken(table: TableName, keys: ReadonlyArray<Pick<IdempotencyKey, 'messageId' | 'recordId'>>): string {
  const hash = createHash('sha256').update(table).update('\u0001');
  for (const text of keys.map(keyText).sort()) hash.update(text).update('\n');
  return hash.digest('hex');
}
