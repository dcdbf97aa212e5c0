import type { PoisonCode } from './errors';
import type { DecodedRecord } from './kafka/event';
import type { PendingRow, ValidationIssue } from './parse-record';
import type { TableName } from './schemas';

/** What the writer did with one batch of rows for one table. */
export interface WriteOutcome {
  readonly inserted: number;
  /** Rows whose key was already in `processed_events` (an earlier delivery wrote them). */
  readonly skippedDuplicates: number;
  /** Rows ClickHouse refused for their data; they become `CLICKHOUSE_REJECTED` dead letters. */
  readonly rejected: ReadonlyArray<{ readonly pending: PendingRow; readonly message: string }>;
}

/**
 * Writes rows exactly once in effect. Throws a `TransientError` when the store cannot be
 * reached, so the batch is retried; never throws for bad data (that is `rejected`).
 */
export interface RowWriter {
  writeBatch(table: TableName, rows: readonly PendingRow[]): Promise<WriteOutcome>;
}

/** A poison record on its way to the dead-letter topic. */
export interface DeadLetter {
  readonly record: DecodedRecord;
  readonly code: PoisonCode;
  readonly message: string;
  readonly issues: readonly ValidationIssue[];
  readonly handler: TableName;
}

/** Publishes all of a batch's dead letters at once; throws if they are not durably stored. */
export interface DeadLetterSink {
  publish(letters: readonly DeadLetter[]): Promise<void>;
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

export interface AuditLog {
  record(entry: AuditEntry): Promise<void>;
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
  readonly audit: AuditLog;
  /** Releases connections (tests, CLIs); Lambda keeps them for the container's life. */
  close?(): Promise<void>;
}
