import type { ClickHouseSettings } from '@clickhouse/client';

/**
 * Settings pinned on every insert, because exactly-once and "nothing altered silently" depend on
 * them and a server profile may say otherwise (async inserts are on by default from ClickHouse
 * 26.2; `insert_deduplicate = 0` would switch deduplication off; error tolerance would drop rows).
 */
export const PINNED_INSERT_SETTINGS: ClickHouseSettings = {
  // Synchronous: the insert is durable when the request returns, and the token applies to it.
  async_insert: 0,
  insert_deduplicate: 1,
  // The processed_events view deduplicates its own block on an identical retry, so a retry after a
  // failure between the table and the view still writes the markers.
  deduplicate_blocks_in_dependent_materialized_views: 1,
  // A field the table does not know (a dropped column) is an error, not silently discarded data.
  input_format_skip_unknown_fields: 0,
  // NULL for a non-Nullable column is an error, not silently the column default.
  input_format_null_as_default: 0,
  // Never skip unparsable rows: every row is written or rejected, and we know which.
  input_format_allow_errors_num: '0',
  input_format_allow_errors_ratio: 0,
  // One parsing thread: ClickHouse's "at row N" then names the row of the whole insert, which
  // lets the writer isolate a rejected row in one step.
  input_format_parallel_parsing: 0,
  date_time_input_format: 'basic',
};
