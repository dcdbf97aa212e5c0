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
 * It filters on the batch's messageIds and, separately, its recordIds: two constant sets, which
 * ClickHouse checks with hash lookups and uses against the primary index `(table_name,
 * message_id, record_id)`. The answer is therefore stored keys whose messageId and recordId both
 * occur in the batch — bounded by the batch, never by history (a messageId shared by many earlier
 * records brings back only those whose recordId is in the batch) — and the caller keeps the exact
 * pairs. Measured on the local stack, exact pairs as a tuple subquery cost 3–4× the time at 1,000
 * keys and 2× at 10,000.
 */
export function processedLookupQuery(table: TableName, keys: readonly KeyOfRecord[]): LookupQuery {
  const messageIds = arrayParameter('m', 'String', [...new Set(keys.map((k) => k.messageId))]);
  const recordIds = arrayParameter('r', 'String', [...new Set(keys.map((k) => k.recordId))]);
  return {
    query:
      `SELECT message_id, record_id FROM processed_events WHERE table_name = {table:String} ` +
      `AND message_id IN ${messageIds.sql} AND record_id IN ${recordIds.sql}`,
    params: { table, ...messageIds.params, ...recordIds.params },
  };
}
