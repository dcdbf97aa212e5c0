import type { ClickHouseClient } from '@clickhouse/client';
import type { AuditEntry, AuditLog } from '../ports';
import { toClickHouseDateTime } from '../transform/to-clickhouse-row';

/** Writes `migration_logs`: one row per invocation and table. */
export class ClickHouseAuditLog implements AuditLog {
  constructor(private readonly client: ClickHouseClient) {}

  async record(entry: AuditEntry): Promise<void> {
    await this.client.insert({
      table: 'migration_logs',
      format: 'JSONEachRow',
      values: [
        {
          request_id: entry.requestId,
          table_name: entry.table,
          status: entry.status,
          received: entry.received,
          inserted: entry.inserted,
          skipped_duplicates: entry.skippedDuplicates,
          sent_to_dlq: entry.sentToDlq,
          duration_ms: entry.durationMs,
          error_message: entry.errorMessage,
          processed_at: toClickHouseDateTime(entry.processedAt),
        },
      ],
    });
  }
}
