import type { ClickHouseClient } from '@clickhouse/client';
import type { OurLetter } from './letter';
import type { LetterFilter } from './letter-filter';
import { DlqUsageError } from './selectors';

/** A row of the `dead_letters` table (the lead's migration; JSONEachRow types). */
interface DeadLetterRow {
  failed_at: string;
  handler: string;
  reason: string;
  error_message: string;
  failure_reason: string;
  issues: string;
  source_topic: string;
  source_partition: number;
  source_offset: string;
  source_timestamp: string;
  source_key: string | null;
  original_message: string | null;
  original_encoding: 'utf8' | 'base64';
  original_bytes: string;
  original_sha256: string;
  original_truncated: boolean;
  request_id: string;
}

// DateTime64(3, 'UTC') as text: ClickHouse prints and parses 'YYYY-MM-DD hh:mm:ss.sss'.
const toClickHouseTime = (date: Date) => date.toISOString().replace('T', ' ').replace('Z', '');
const fromClickHouseTime = (text: string) => new Date(`${text.replace(' ', 'T')}Z`);

const parseIssues = (text: string): unknown[] => {
  try {
    const issues: unknown = JSON.parse(text);
    return Array.isArray(issues) ? issues : [];
  } catch {
    return [];
  }
};

function toLetter(row: DeadLetterRow): OurLetter {
  const failedAt = fromClickHouseTime(row.failed_at);
  const value = {
    originalMessage: row.original_message,
    originalEncoding: row.original_encoding,
    originalBytes: Number(row.original_bytes),
    originalSha256: row.original_sha256,
    originalTruncated: row.original_truncated,
    source: {
      topic: row.source_topic,
      partition: row.source_partition,
      offset: row.source_offset,
      timestamp: fromClickHouseTime(row.source_timestamp).getTime(),
      key: row.source_key,
    },
    error: { code: row.reason, message: row.error_message, issues: parseIssues(row.issues) },
    failureReason: row.failure_reason,
    failedAt: failedAt.toISOString(),
    handler: row.handler,
    requestId: row.request_id,
  };
  const at = BigInt(row.source_offset);
  return {
    kind: 'ours',
    key: null,
    reason: row.reason,
    table: row.handler,
    failedAt,
    sources: [{ topic: row.source_topic, partition: row.source_partition, first: at, last: at }],
    value,
    raw: value,
  };
}

/** Why `--offset` cannot pick table rows, and what to use instead. */
export const NO_POSITIONS_IN_TABLE =
  '--offset picks positions on the DLQ topic, which the dead_letters table does not keep; pick rows with --record TOPIC:PARTITION:OFFSET';

/**
 * The letters in the ClickHouse `dead_letters` table that match `filter`, oldest first. FINAL:
 * the DLQ is at-least-once, the table collapses a letter published twice to one row. The
 * conditions are fixed text chosen by which filters are set; every value is a query parameter.
 */
export async function readLettersFromTable(client: ClickHouseClient, filter: LetterFilter = {}): Promise<OurLetter[]> {
  if (filter.positions?.length) {
    throw new DlqUsageError(NO_POSITIONS_IN_TABLE);
  }
  const where: string[] = [];
  const params: Record<string, unknown> = {};
  if (filter.reason) {
    where.push('reason = {reason:String}');
    params.reason = filter.reason;
  }
  if (filter.table) {
    where.push('handler = {handler:String}');
    params.handler = filter.table;
  }
  if (filter.since) {
    where.push("failed_at >= {since:DateTime64(3, 'UTC')}");
    params.since = toClickHouseTime(filter.since);
  }
  if (filter.records?.length) {
    where.push(
      `(${filter.records
        .map((r, i) => {
          params[`topic${i}`] = r.topic;
          params[`partition${i}`] = r.partition;
          params[`offset${i}`] = r.offset.toString();
          return `(source_topic = {topic${i}:String} AND source_partition = {partition${i}:Int32} AND source_offset = {offset${i}:UInt64})`;
        })
        .join(' OR ')})`,
    );
  }
  const result = await client.query({
    query: `SELECT * FROM dead_letters FINAL${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY failed_at, source_topic, source_partition, source_offset`,
    query_params: params,
    format: 'JSONEachRow',
  });
  return (await result.json<DeadLetterRow>()).map(toLetter);
}

