import type { PendingRow } from '../parse-record';
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
 * The one query that finds which of a batch's keys are already in `processed_events`. The ids go
 * in the request body (multipart parameters, split under the server's field limit), never in the
 * URL, so no batch size or id length makes a request line too long for ClickHouse or a proxy.
 * It filters on the sorting key's prefix `(table_name, message_id)`; record ids are matched by
 * the caller.
 */
export function processedLookupQuery(table: TableName, rows: readonly PendingRow[]): LookupQuery {
  const chunks: string[][] = [[]];
  let bytes = 0;
  for (const messageId of new Set(rows.map((r) => r.key.messageId))) {
    // Worst case: every byte escaped, plus quotes and a comma.
    const size = 2 * Buffer.byteLength(messageId) + 3;
    if (bytes + size > PARAMETER_CHUNK_BYTES && chunks[chunks.length - 1]!.length > 0) {
      chunks.push([]);
      bytes = 0;
    }
    chunks[chunks.length - 1]!.push(messageId);
    bytes += size;
  }
  const params: Record<string, unknown> = { table };
  chunks.forEach((chunk, i) => (params[`m${i}`] = chunk));
  const arrays = chunks.map((_, i) => `{m${i}:Array(String)}`).join(', ');
  return {
    query: `SELECT message_id, record_id FROM processed_events WHERE table_name = {table:String} AND message_id IN arrayConcat(${arrays})`,
    params,
  };
}
