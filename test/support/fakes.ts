import { TransientError } from '../../lib/errors';
import type { PendingRow } from '../../lib/parse-record';
import type { AuditEntry, AuditLog, DeadLetter, DeadLetterSink, RowWriter, WriteOutcome } from '../../lib/ports';
import type { TableName } from '../../lib/schemas';

const keyOf = (row: PendingRow) => `${row.key.messageId}|${row.key.table}|${row.key.recordId}`;

/** A writer with the idempotency contract of the real one, in memory. */
export class InMemoryWriter implements RowWriter {
  readonly rows: PendingRow[] = [];
  readonly processed = new Set<string>();
  calls = 0;
  /** Rows for which this returns a message are rejected like ClickHouse would reject bad data. */
  rejectWhen: (row: PendingRow) => string | undefined = () => undefined;
  /** Set to make the next calls fail as if ClickHouse were down. */
  failWith: Error | undefined;

  async writeBatch(_table: TableName, rows: readonly PendingRow[]): Promise<WriteOutcome> {
    this.calls += 1;
    if (this.failWith) throw this.failWith;
    const fresh = rows.filter((r) => !this.processed.has(keyOf(r)));
    const rejected: Array<{ pending: PendingRow; message: string }> = [];
    for (const row of fresh) {
      const message = this.rejectWhen(row);
      if (message) {
        rejected.push({ pending: row, message });
        continue;
      }
      this.rows.push(row);
      this.processed.add(keyOf(row));
    }
    return { inserted: fresh.length - rejected.length, skippedDuplicates: rows.length - fresh.length, rejected };
  }
}

export class InMemoryDeadLetters implements DeadLetterSink {
  readonly letters: DeadLetter[] = [];
  publishCalls = 0;
  failWith: Error | undefined;

  async publish(letters: readonly DeadLetter[]): Promise<void> {
    this.publishCalls += 1;
    if (this.failWith) throw this.failWith;
    this.letters.push(...letters);
  }
}

export class InMemoryAudit implements AuditLog {
  readonly entries: AuditEntry[] = [];
  failWith: Error | undefined;

  async record(entry: AuditEntry): Promise<void> {
    if (this.failWith) throw this.failWith;
    this.entries.push(entry);
  }
}

export const fakePorts = () => ({ writer: new InMemoryWriter(), deadLetters: new InMemoryDeadLetters(), audit: new InMemoryAudit() });

export const silentLogger = { debug: () => undefined, info: () => undefined, warn: jest.fn(), error: () => undefined };

export const transient = () => new TransientError('ClickHouse: connect ECONNREFUSED 127.0.0.1:8123');
