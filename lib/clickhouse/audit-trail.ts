import type { AuditEntry, AuditTrail, PipelineLogger } from '../ports';
import { toClickHouseDateTime } from '../schemas/fields';
import type { ClickHouseConnection } from './connection';
import { clipText, wellFormedRow } from '../text';
import { shortClickHouseMessage } from './errors';

/** Entries kept while ClickHouse is unreachable; older ones are dropped first (the audit is best effort). */
export const MAX_QUEUED_AUDIT_ENTRIES = 1_000;
/** An audit write never waits longer than this. */
export const AUDIT_TIMEOUT_MS = 5_000;
/**
 * At most one audit insert per this interval per container. A container that processes a batch
 * now and then writes each row right after its batch; one working through a backlog (several
 * batches a second) writes them together, so `migration_logs` gets one part a second from it
 * instead of a one-row part per batch — the many small inserts ClickHouse advises against.
 */
export const AUDIT_MIN_INTERVAL_MS = 1_000;

const toRow = (entry: AuditEntry) => ({
  request_id: entry.requestId,
  table_name: entry.table,
  status: entry.status,
  received: entry.received,
  inserted: entry.inserted,
  skipped_duplicates: entry.skippedDuplicates,
  sent_to_dlq: entry.sentToDlq,
  duration_ms: Math.max(0, Math.round(entry.durationMs)),
  error_message: clipText(entry.errorMessage, 4_000),
  processed_at: toClickHouseDateTime(entry.processedAt),
});

export interface AuditTrailOptions {
  /** Called after a failed write (the `AuditWriteFailures` metric). */
  readonly onFailure?: () => void;
  readonly minIntervalMs?: number;
  readonly timeoutMs?: number;
  readonly now?: () => number;
}

/**
 * `migration_logs`, written off the critical path: `record` queues the row and schedules a
 * background insert for everything queued — right after the handler returns, or, when the last
 * insert started less than `AUDIT_MIN_INTERVAL_MS` ago, when that interval is over. A failed write
 * keeps the rows for the next one (bounded queue) and is logged and counted; it is never a reason
 * to redeliver data that is already safe. `flush` writes everything queued at once.
 */
export class ClickHouseAuditTrail implements AuditTrail {
  private queue: AuditEntry[] = [];
  private inFlight: Promise<void> | undefined;
  private scheduled: { cancel: () => void } | undefined;
  private lastWriteAt = Number.NEGATIVE_INFINITY;
  private readonly minIntervalMs: number;
  private readonly timeoutMs: number;
  private readonly now: () => number;
  private readonly onFailure: () => void;

  constructor(
    private readonly connection: ClickHouseConnection,
    private readonly logger: PipelineLogger,
    options: AuditTrailOptions = {},
  ) {
    this.minIntervalMs = options.minIntervalMs ?? AUDIT_MIN_INTERVAL_MS;
    this.timeoutMs = options.timeoutMs ?? AUDIT_TIMEOUT_MS;
    this.now = options.now ?? (() => performance.now());
    this.onFailure = options.onFailure ?? (() => undefined);
  }

  record(entry: AuditEntry): void {
    this.queue.push(entry);
    if (this.queue.length > MAX_QUEUED_AUDIT_ENTRIES) this.queue.splice(0, this.queue.length - MAX_QUEUED_AUDIT_ENTRIES);
    if (this.scheduled) return;
    const wait = this.lastWriteAt + this.minIntervalMs - this.now();
    const run = () => {
      this.scheduled = undefined;
      void this.flush();
    };
    // setImmediate: after the handler's promise settles, so the audit request is never on the
    // batch's critical path. The timer does not keep a CLI alive; `flush` (on close) writes the rest.
    if (wait > 0) {
      const timer = setTimeout(run, wait).unref();
      this.scheduled = { cancel: () => clearTimeout(timer) };
    } else {
      const immediate = setImmediate(run);
      this.scheduled = { cancel: () => clearImmediate(immediate) };
    }
  }

  async flush(): Promise<void> {
    this.scheduled?.cancel();
    this.scheduled = undefined;
    while (this.inFlight) await this.inFlight;
    if (this.queue.length === 0) return;
    const entries = this.queue;
    this.queue = [];
    this.lastWriteAt = this.now();
    this.inFlight = this.write(entries).finally(() => {
      this.inFlight = undefined;
    });
    await this.inFlight;
  }

  private async write(entries: AuditEntry[]): Promise<void> {
    try {
      const signal = AbortSignal.timeout(this.timeoutMs);
      await this.connection.run(
        (client) => client.insert({ table: 'migration_logs', format: 'JSONEachRow', values: entries.map((e) => wellFormedRow(toRow(e))), abort_signal: signal }),
        signal,
      );
    } catch (error) {
      // Keep them for the next write, oldest first, within the bound.
      this.queue = [...entries, ...this.queue].slice(-MAX_QUEUED_AUDIT_ENTRIES);
      this.logger.warn('could not write migration_logs rows; kept for the next attempt', { error: shortClickHouseMessage(error, 300), queued: this.queue.length });
      this.onFailure();
    }
  }
}
