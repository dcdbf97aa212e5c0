import type { KeyOfRecord } from '../ports';
import { keyText } from '../idempotency-key';
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
 * It filters on the exact `(table_name, message_id, record_id)` keys — the sorting key, so
 * ClickHouse reads only the granules that can hold them — and the answer holds at most one row per
 * key of the batch, however many records earlier batches stored under the same messageId. The
 * pairs are a subquery, which ClickHouse turns into a hash set (also used against the primary
 * index); a tuple `IN` an array expression would be compared row by row against every pair.
 */
export function processedLookupQuery(table: TableName, keys: readonly KeyOfRecord[]): LookupQuery {
  const unique = [...new Map(keys.map((k) => [keyText(k), k])).values()];
  // arrayZip only needs the two lists to line up, not their parameters.
  const messageIds = arrayParameter('m', 'String', unique.map((k) => k.messageId));
  const recordIds = arrayParameter('r', 'String', unique.map((k) => k.recordId));
  return {
    query:
      `SELECT message_id, record_id FROM processed_events WHERE table_name = {table:String} ` +
      `AND (message_id, record_id) IN (SELECT arrayJoin(arrayZip(${messageIds.sql}, ${recordIds.sql})))`,
    params: { table, ...messageIds.params, ...recordIds.params },
  };
}
