import { decodeKafkaEvent } from './kafka/event';
import { parseRecord, type PendingRow } from './parse-record';
import type { AuditEntry, BatchFigures, DeadLetter, PipelineLogger, PipelinePorts } from './ports';
import { PoisonCode } from './errors';
import type { TableName } from './schemas';

/** Figures of one batch for one table, with what logs and metrics need beyond the audit row. */
export interface BatchSummary extends BatchFigures {
  /** Poison counts by code, for logs and metrics. */
  readonly dlqByCode: Readonly<Partial<Record<PoisonCode, number>>>;
  /** False when the `migration_logs` row could not be written (logged and counted, not fatal). */
  readonly auditWritten: boolean;
}

export interface BatchContext {
  readonly table: TableName;
  readonly requestId: string;
  readonly maxRecordBytes: number;
  readonly ports: PipelinePorts;
  readonly logger: PipelineLogger;
  readonly now?: () => Date;
}

const keyOf = (row: PendingRow): string => JSON.stringify([row.key.messageId, row.key.table, row.key.recordId]);

/** Keeps the first occurrence of every idempotency key; redelivered copies inside one batch go. */
export function dropInBatchDuplicates(rows: readonly PendingRow[]): PendingRow[] {
  const seen = new Set<string>();
  return rows.filter((row) => {
    const key = keyOf(row);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

const countByCode = (letters: readonly DeadLetter[]): Partial<Record<PoisonCode, number>> => {
  const counts: Partial<Record<PoisonCode, number>> = {};
  for (const l of letters) counts[l.code] = (counts[l.code] ?? 0) + 1;
  return counts;
};

/**
 * The batch algorithm every handler runs: decode → parse and validate → classify → write rows
 * → publish dead letters → audit. Order of effects, chosen so that a crash anywhere followed by
 * redelivery converges:
 * 1. rows are written first (the writer records them in `processed_events` after the data), so a
 *    redelivered batch finds them done and skips them;
 * 2. dead letters are published next, in one send; if that fails the invocation throws and the
 *    redelivery publishes them again (the DLQ is at-least-once, keyed by source coordinates);
 * 3. the audit row comes last and never fails a batch whose data is already safe.
 * Transient failures (writer, dead-letter sink) propagate: the handler throws and the event
 * source mapping redelivers the whole batch.
 */
export async function processBatch(event: unknown, ctx: BatchContext): Promise<BatchSummary> {
  const now = ctx.now ?? (() => new Date());
  const started = now();
  const batch = decodeKafkaEvent(event);
  const received = batch.records.length;
  let inserted = 0;
  let skippedDuplicates = 0;
  const letters: DeadLetter[] = [];

  try {
    const valid: PendingRow[] = [];
    for (const record of batch.records) {
      const result = parseRecord(record, { table: ctx.table, maxRecordBytes: ctx.maxRecordBytes, ingestedAt: started });
      if (result.ok) valid.push(result.pending);
      else letters.push({ record, handler: ctx.table, ...result.poison });
    }

    const unique = dropInBatchDuplicates(valid);
    skippedDuplicates = valid.length - unique.length;
    if (unique.length > 0) {
      const outcome = await ctx.ports.writer.writeBatch(ctx.table, unique);
      inserted = outcome.inserted;
      skippedDuplicates += outcome.skippedDuplicates;
      for (const { pending, message } of outcome.rejected) {
        letters.push({ record: pending.source, handler: ctx.table, code: PoisonCode.CLICKHOUSE_REJECTED, message, issues: [] });
      }
    }
    if (letters.length > 0) await ctx.ports.deadLetters.publish(letters);
  } catch (error) {
    await writeAudit(ctx, {
      requestId: ctx.requestId, table: ctx.table, status: 'failed', received, inserted, skippedDuplicates,
      sentToDlq: 0, durationMs: now().getTime() - started.getTime(),
      errorMessage: (error as Error).message, processedAt: now(),
    });
    throw error;
  }

  const figures: BatchFigures = {
    table: ctx.table,
    status: letters.length > 0 ? 'partial' : 'success',
    received,
    inserted,
    skippedDuplicates,
    sentToDlq: letters.length,
    durationMs: now().getTime() - started.getTime(),
  };
  const firstPoison = letters[0] ? `${letters[0].code}: ${letters[0].message}` : '';
  const auditWritten = await writeAudit(ctx, { ...figures, requestId: ctx.requestId, errorMessage: firstPoison, processedAt: now() });
  return { ...figures, dlqByCode: countByCode(letters), auditWritten };
}

/** The audit trail is best effort: its failure is logged, never a reason to redeliver safe data. */
async function writeAudit(ctx: BatchContext, entry: AuditEntry): Promise<boolean> {
  try {
    await ctx.ports.audit.record(entry);
    return true;
  } catch (error) {
    ctx.logger.warn('could not write migration_logs row', { error: (error as Error).message, auditEntry: entry });
    return false;
  }
}
