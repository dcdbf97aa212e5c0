import type { Deadline } from './deadline';
import type { PoisonCode } from './errors';
import type { DecodedRecord } from './kafka/event';
import type { IdempotencyKey, PendingRow, ValidationIssue } from './parse-record';
import type { TableName } from './schemas';

/** What the writer did with one batch of rows for one table. */
export interface WriteOutcome {
  readonly inserted: number;
  /** Rows an earlier delivery already wrote (or already dead-lettered). */
  readonly skippedDuplicates: number;
  /** Rows ClickHouse refused for their data; they become `CLICKHOUSE_REJECTED` dead letters. */
  readonly rejected: ReadonlyArray<{ readonly pending: PendingRow; readonly message: string }>;
  /** Rows left undecided when isolating rejected rows ran out of budget: redeliver to finish. */
  readonly unresolved: number;
}

/** What an idempotency lookup needs of a key. */
export type KeyOfRecord = Pick<IdempotencyKey, 'messageId' | 'recordId'>;

/**
 * Writes rows exactly once in effect. Throws a `TransientError` when the store cannot be
 * reached, so the batch is retried; never throws for bad data (that is `rejected`).
 */
export interface RowWriter {
  /**
   * Finds which of `keys` earlier deliveries wrote (as `keyText` strings). Separate so the
   * pipeline can start it before validating the batch and validate while it is in flight.
   */
  lookup(table: TableName, keys: readonly KeyOfRecord[], deadline: Deadline): Promise<ReadonlySet<string>>;
  /** Writes the rows not in `processed` (the lookup's answer; looked up here when absent). */
  writeBatch(table: TableName, rows: readonly PendingRow[], deadline: Deadline, processed?: ReadonlySet<string>): Promise<WriteOutcome>;
}

/** A poison record on its way to the dead-letter topic and table. */
export interface DeadLetter {
  readonly record: DecodedRecord;
  readonly code: PoisonCode;
  readonly message: string;
  readonly issues: readonly ValidationIssue[];
  readonly handler: TableName;
  readonly requestId: string;
}

/** Stores all of a batch's dead letters; throws if they are not durably stored. */
export interface DeadLetterSink {
  publish(letters: readonly DeadLetter[], deadline: Deadline): Promise<void>;
}

export type BatchStatus = 'success' | 'partial' | 'failed';

/** What one invocation did for one table: logged, measured and written to `migration_logs`. */
export interface BatchFigures {
  readonly table: TableName;
  readonly status: BatchStatus;
  readonly received: number;
  readonly inserted: number;
  readonly skippedDuplicates: number;
  readonly sentToDlq: number;
  readonly durationMs: number;
}

/** One `migration_logs` row. */
export interface AuditEntry extends BatchFigures {
  readonly requestId: string;
  readonly errorMessage: string;
  readonly processedAt: Date;
}

/**
 * The audit trail (`migration_logs`), kept off the critical path: `record` queues the entry and
 * returns at once; entries are written in the background (coalesced when batches come fast) and a
 * failed write is retried with the next ones. Best effort: losing an entry never loses data.
 */
export interface AuditTrail {
  record(entry: AuditEntry): void;
  /** Writes what is queued (CLIs, tests and `sls invoke local` wait for it before exiting). */
  flush(): Promise<void>;
}

/** The slice of a logger the pipeline needs (Powertools Logger satisfies it). */
export interface PipelineLogger {
  debug(message: string, ...extra: Array<Record<string, unknown>>): void;
  info(message: string, ...extra: Array<Record<string, unknown>>): void;
  warn(message: string, ...extra: Array<Record<string, unknown>>): void;
  error(message: string, ...extra: Array<Record<string, unknown>>): void;
}

export interface PipelinePorts {
  readonly writer: RowWriter;
  readonly deadLetters: DeadLetterSink;
  readonly audit: AuditTrail;
  /** Releases connections (tests, CLIs); Lambda keeps them for the container's life. */
  close?(): Promise<void>;
}
