import type { KeyOfRecord } from '../ports';
import { keyText } from '../idempotency-key';
import type { TableName } from '../schemas';

/**
 * Bytes of message ids per query parameter. ClickHouse accepts a multipart form field of at most
 * `http_max_field_value_size` (128 KiB by default); a parameter value of quoted, escaped ids stays
 * well under it at this size.
 */
export const PARAMETER_CHUNK_BYTES = 48 * 1024;

export interface LookupQuery {
  readonly query: string;
  readonly params: Record<string, unknown>;
}

/**
 * The one query that finds which of a batch's keys are already in `processed_events`. The keys go
 * in the request body (multipart parameters, split under the server's field limit), never in the
 * URL, so no batch size or id length makes a request line too long for ClickHouse or a proxy.
 * It filters on the exact `(table_name, message_id, record_id)` keys — the sorting key, so
 * ClickHouse reads only the granules that can hold them — and the answer holds at most one row per
 * key of the batch, however many records earlier batches stored under the same messageId. The
 * pairs are a subquery, which ClickHouse turns into a hash set (also used against the primary
 * index); a tuple `IN` an array expression would be compared row by row against every pair.
 */
export function processedLookupQuery(table: TableName, keys: readonly KeyOfRecord[]): LookupQuery {
  const chunks: Array<{ messageIds: string[]; recordIds: string[] }> = [{ messageIds: [], recordIds: [] }];
  let messageBytes = 0;
  let recordBytes = 0;
  const seen = new Set<string>();
  for (const key of keys) {
    const text = keyText(key);
    if (seen.has(text)) continue;
    seen.add(text);
    // Worst case: every byte escaped, plus quotes and a comma.
    const m = 2 * Buffer.byteLength(key.messageId) + 3;
    const r = 2 * Buffer.byteLength(key.recordId) + 3;
    const chunk = chunks[chunks.length - 1]!;
    if ((messageBytes + m > PARAMETER_CHUNK_BYTES || recordBytes + r > PARAMETER_CHUNK_BYTES) && chunk.messageIds.length > 0) {
      chunks.push({ messageIds: [], recordIds: [] });
      messageBytes = 0;
      recordBytes = 0;
    }
    chunks[chunks.length - 1]!.messageIds.push(key.messageId);
    chunks[chunks.length - 1]!.recordIds.push(key.recordId);
    messageBytes += m;
    recordBytes += r;
  }
  const params: Record<string, unknown> = { table };
  chunks.forEach((chunk, i) => {
    params[`m${i}`] = chunk.messageIds;
    params[`r${i}`] = chunk.recordIds;
  });
  const all = (prefix: string) => `arrayConcat(${chunks.map((_, i) => `{${prefix}${i}:Array(String)}`).join(', ')})`;
  return {
    query:
      `SELECT message_id, record_id FROM processed_events WHERE table_name = {table:String} ` +
      `AND (message_id, record_id) IN (SELECT arrayJoin(arrayZip(${all('m')}, ${all('r')})))`,
    params,
  };
}
