import type { AuditEntry, AuditTrail, PipelineLogger } from '../ports';
import { toClickHouseDateTime } from '../schemas/fields';
import type { ClickHouseConnection } from './connection';
import { shortClickHouseMessage } from './errors';

/** Entries kept while ClickHouse is unreachable; older ones are dropped first (the audit is best effort). */
export const MAX_QUEUED_AUDIT_ENTRIES = 1_000;
/** An audit write never waits longer than this. */
const AUDIT_TIMEOUT_MS = 5_000;

const toRow = (entry: AuditEntry) => ({
  request_id: entry.requestId,
  table_name: entry.table,
  status: entry.status,
  received: entry.received,
  inserted: entry.inserted,
  skipped_duplicates: entry.skippedDuplicates,
  sent_to_dlq: entry.sentToDlq,
  duration_ms: Math.max(0, Math.round(entry.durationMs)),
  error_message: entry.errorMessage.slice(0, 4_000),
  processed_at: toClickHouseDateTime(entry.processedAt),
});

/**
 * `migration_logs`, written off the critical path: `record` queues the row and schedules one
 * background insert for everything queued, so the handler returns after its data requests. A
 * failed write keeps the rows for the next flush (bounded queue), and is logged and counted by
 * `onFailure`; it is never a reason to redeliver data that is already safe.
 */
export class ClickHouseAuditTrail implements AuditTrail {
  private queue: AuditEntry[] = [];
  private inFlight: Promise<void> | undefined;
  private scheduled = false;

  constructor(
    private readonly connection: ClickHouseConnection,
    private readonly logger: PipelineLogger,
    private readonly onFailure: () => void = () => undefined,
  ) {}

  record(entry: AuditEntry): void {
    this.queue.push(entry);
    if (this.queue.length > MAX_QUEUED_AUDIT_ENTRIES) this.queue.splice(0, this.queue.length - MAX_QUEUED_AUDIT_ENTRIES);
    if (this.scheduled) return;
    this.scheduled = true;
    // After the handler's promise settles: the audit request is never on the batch's critical path.
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  async flush(): Promise<void> {
    while (this.inFlight) await this.inFlight;
    if (this.queue.length === 0) return;
    const entries = this.queue;
    this.queue = [];
    this.inFlight = this.write(entries).finally(() => {
      this.inFlight = undefined;
    });
    await this.inFlight;
  }

  private async write(entries: AuditEntry[]): Promise<void> {
    try {
      await this.connection.run((client) =>
        client.insert({ table: 'migration_logs', format: 'JSONEachRow', values: entries.map(toRow), abort_signal: AbortSignal.timeout(AUDIT_TIMEOUT_MS) }),
      );
    } catch (error) {
      // Keep them for the next flush, oldest first, within the bound.
      this.queue = [...entries, ...this.queue].slice(-MAX_QUEUED_AUDIT_ENTRIES);
      this.logger.warn('could not write migration_logs rows; kept for the next attempt', { error: shortClickHouseMessage(error, 300), queued: this.queue.length });
      this.onFailure();
    }
  }
}
