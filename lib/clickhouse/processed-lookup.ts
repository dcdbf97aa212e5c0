import { crc32 } from 'node:zlib';
import type { KeyOfRecord } from '../ports';
import { arrayParameter } from './array-parameters';
import type { TableName } from '../schemas';

export interface LookupQuery {
  readonly query: string;
  readonly params: Record<string, unknown>;
}

/**
 * The one query that finds which of a batch's keys are already in `processed_events`. The keys go
 * in the request body (multipart parameters, split under the server's field limit), never in the
 * URL, so no batch size or id length makes a request line too long for ClickHouse or a proxy.
 * It filters on the batch's messageIds — a constant set that ClickHouse also uses against the
 * primary index `(table_name, message_id, record_id)` — and on the CRC-32 of its recordIds (zlib's
 * CRC-32, which is ClickHouse's `CRC32`). The answer is therefore bounded by the batch, never by
 * history: a messageId shared by many earlier records brings back only those whose recordId
 * hashes like one of the batch's. The caller keeps the exact pairs. Measured on the local stack at
 * 10,000 keys: messageIds alone 81 ms, plus the recordIds as strings 202 ms, plus their hashes
 * 88 ms (exact pairs as a tuple subquery cost 2× more again).
 */
export function processedLookupQuery(table: TableName, keys: readonly KeyOfRecord[]): LookupQuery {
  const messageIds = arrayParameter('m', 'String', [...new Set(keys.map((k) => k.messageId))]);
  const recordHashes = arrayParameter('h', 'UInt32', [...new Set(keys.map((k) => crc32(k.recordId)))]);
  return {
    query:
      `SELECT message_id, record_id FROM processed_events WHERE table_name = {table:String} ` +
      `AND message_id IN ${messageIds.sql} AND CRC32(record_id) IN ${recordHashes.sql}`,
    params: { table, ...messageIds.params, ...recordHashes.params },
  };
}
