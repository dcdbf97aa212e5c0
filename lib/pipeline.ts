import { Deadline } from './deadline';
import { PoisonCode, TransientError } from './errors';
import { keyText } from './idempotency-key';
import { decodeKafkaEvent } from './kafka/event';
import { decodeEnvelope, validateEnvelope, type DecodedEnvelope, type PendingRow } from './parse-record';
import type { AuditEntry, BatchFigures, DeadLetter, PipelineLogger, PipelinePorts } from './ports';
import type { TableName } from './schemas';
import { toClickHouseDateTime } from './schemas/fields';

/** Figures of one batch for one table, with what logs and metrics need beyond the audit row. */
export interface BatchSummary extends BatchFigures {
  /** Poison counts by code, for logs and metrics. */
  readonly dlqByCode: Readonly<Partial<Record<PoisonCode, number>>>;
}

export interface BatchContext {
  readonly table: TableName;
  readonly requestId: string;
  readonly maxRecordBytes: number;
  readonly ports: PipelinePorts;
  readonly logger: PipelineLogger;
  /** When the invocation must be done; every I/O call takes its timeout from it. */
  readonly deadline?: Deadline;
  readonly now?: () => Date;
}

/** Records validated between two turns of the event loop while the lookup is in flight. */
const VALIDATION_SLICE = 250;
const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Keeps the first occurrence of every idempotency key; redelivered copies inside one batch go. */
export function dropInBatchDuplicates(rows: readonly PendingRow[]): PendingRow[] {
  const seen = new Set<string>();
  return rows.filter((row) => {
    const key = keyText(row.key);
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
 * The batch algorithm every handler runs: decode → parse and validate → write rows → store dead
 * letters → audit. Order of effects, chosen so that a crash anywhere followed by any redelivery
 * converges:
 * 1. rows are written with their `processed_events` markers in one insert (the writer), so a
 *    redelivered batch finds them done and skips them;
 * 2. dead letters go to the DLQ topic, then the `dead_letters` table; if that fails the
 *    invocation throws and the redelivery stores them again (the topic is at-least-once);
 * 3. the audit row is queued and written off the critical path; it never fails a batch.
 * Transient failures propagate: the handler throws and the event source mapping redelivers the
 * whole batch. Record-level trouble never throws: it becomes a dead letter.
 */
export async function processBatch(event: unknown, ctx: BatchContext): Promise<BatchSummary> {
  const now = ctx.now ?? (() => new Date());
  const deadline = ctx.deadline ?? Deadline.none();
  const started = now();
  const batch = decodeKafkaEvent(event);
  const received = batch.records.length;
  let inserted = 0;
  let skippedDuplicates = 0;
  let stored = 0;
  const letters: DeadLetter[] = [];
  const letter = (l: Omit<DeadLetter, 'handler' | 'requestId'>): DeadLetter => ({ ...l, handler: ctx.table, requestId: ctx.requestId });

  try {
    const options = { table: ctx.table, maxRecordBytes: ctx.maxRecordBytes, ingestedAt: toClickHouseDateTime(started) };
    const envelopes: DecodedEnvelope[] = [];
    for (const record of batch.records) {
      const decoded = decodeEnvelope(record, options);
      if (decoded.ok) envelopes.push(decoded.envelope);
      else letters.push(letter({ record, ...decoded.poison }));
    }
    // The lookup goes out with the keys the records claim; validation runs while it is in flight.
    const claimed = envelopes.flatMap((e) => (e.claimedKey ? [e.claimedKey] : []));
    const lookup = claimed.length > 0 ? ctx.ports.writer.lookup(ctx.table, claimed, deadline) : Promise.resolve(new Set<string>());
    lookup.catch(() => undefined);

    const valid: PendingRow[] = [];
    for (let i = 0; i < envelopes.length; i++) {
      // Let the lookup's request go out (and its answer in) between slices of validation.
      if (i % VALIDATION_SLICE === 0) await yieldToEventLoop();
      const envelope = envelopes[i]!;
      const result = validateEnvelope(envelope, options);
      if (result.ok) valid.push(result.pending);
      else letters.push(letter({ record: envelope.record, ...result.poison }));
    }

    const unique = dropInBatchDuplicates(valid);
    skippedDuplicates = valid.length - unique.length;
    let unresolved = 0;
    if (unique.length > 0) {
      const outcome = await ctx.ports.writer.writeBatch(ctx.table, unique, deadline, await lookup);
      inserted = outcome.inserted;
      skippedDuplicates += outcome.skippedDuplicates;
      unresolved = outcome.unresolved;
      for (const { pending, message } of outcome.rejected) {
        letters.push(letter({ record: pending.source, code: PoisonCode.CLICKHOUSE_REJECTED, message, issues: [] }));
      }
    }
    // In batch order, as the records came (validation found some later than decoding did).
    const position = new Map(batch.records.map((record, i) => [record, i]));
    letters.sort((a, b) => position.get(a.record)! - position.get(b.record)!);
    if (letters.length > 0) await ctx.ports.deadLetters.publish(letters, deadline);
    stored = letters.length;
    if (unresolved > 0) {
      // The rows settled so far are written or dead-lettered (and found as such next time); the
      // redelivery continues with the rest.
      throw new TransientError(
        `ClickHouse rejected rows of this ${ctx.table} batch and ${unresolved} row(s) are still undecided after the isolation budget; ${inserted} written and ${letters.length} dead-lettered so far, the batch will be redelivered to finish`,
      );
    }
  } catch (error) {
    ctx.ports.audit.record(auditEntry(ctx, now, started, {
      status: 'failed', received, inserted, skippedDuplicates, sentToDlq: stored, errorMessage: (error as Error).message,
    }));
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
  ctx.ports.audit.record({ ...figures, requestId: ctx.requestId, errorMessage: firstPoison, processedAt: now() });
  return { ...figures, dlqByCode: countByCode(letters) };
}

function auditEntry(
  ctx: BatchContext,
  now: () => Date,
  started: Date,
  figures: Omit<AuditEntry, 'table' | 'requestId' | 'durationMs' | 'processedAt'>,
): AuditEntry {
  return { ...figures, table: ctx.table, requestId: ctx.requestId, durationMs: now().getTime() - started.getTime(), processedAt: now() };
}
