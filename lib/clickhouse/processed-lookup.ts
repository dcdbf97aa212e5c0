import type { KeyOfRecord } from '../ports';
import { keyText } from '../idempotency-key';
import type { TableName } from '../schemas';

/**
 * Bytes of one query parameter's value as the client sends it (quoted, escaped, comma-separated).
 * ClickHouse accepts a multipart form field of at most `http_max_field_value_size` (128 KiB by
 * default); this leaves room under it. Few, large parameters: the server's work grows with their
 * number.
 */
export const PARAMETER_CHUNK_BYTES = 112 * 1024;

/** Bytes `value` takes inside an `Array(String)` parameter: quotes, a comma, and a backslash before each TAB, LF, CR, ' and \\. */
export function escapedLength(value: string): number {
  let escapes = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 9 || c === 10 || c === 13 || c === 39 || c === 92) escapes++;
  }
  return Buffer.byteLength(value) + escapes + 3;
}

/** `values` in order, cut into consecutive chunks of at most PARAMETER_CHUNK_BYTES each. */
function chunked(values: readonly string[]): string[][] {
  const chunks: string[][] = [[]];
  let bytes = 0;
  for (const value of values) {
    const size = escapedLength(value);
    if (bytes + size > PARAMETER_CHUNK_BYTES && chunks[chunks.length - 1]!.length > 0) {
      chunks.push([]);
      bytes = 0;
    }
    chunks[chunks.length - 1]!.push(value);
    bytes += size;
  }
  return chunks;
}

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
  const unique = [...new Map(keys.map((k) => [keyText(k), k])).values()];
  // Message ids and record ids are cut into chunks on their own: arrayZip only needs the two
  // concatenations to line up, not their parameters.
  const messageIds = chunked(unique.map((k) => k.messageId));
  const recordIds = chunked(unique.map((k) => k.recordId));
  const params: Record<string, unknown> = { table };
  messageIds.forEach((chunk, i) => (params[`m${i}`] = chunk));
  recordIds.forEach((chunk, i) => (params[`r${i}`] = chunk));
  const all = (prefix: string, chunks: unknown[]) => `arrayConcat(${chunks.map((_, i) => `{${prefix}${i}:Array(String)}`).join(', ')})`;
  return {
    query:
      `SELECT message_id, record_id FROM processed_events WHERE table_name = {table:String} ` +
      `AND (message_id, record_id) IN (SELECT arrayJoin(arrayZip(${all('m', messageIds)}, ${all('r', recordIds)})))`,
    params,
  };
}
