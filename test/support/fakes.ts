import type { Deadline } from '../../lib/deadline';
import { TransientError } from '../../lib/errors';
import { keyText } from '../../lib/idempotency-key';
import type { PendingRow } from '../../lib/parse-record';
import type { AuditEntry, AuditTrail, DeadLetter, DeadLetterSink, RowWriter, WriteOutcome } from '../../lib/ports';
import type { TableName } from '../../lib/schemas';

/** A writer with the idempotency contract of the real one, in memory. */
export class InMemoryWriter implements RowWriter {
  readonly rows: PendingRow[] = [];
  readonly processed = new Set<string>();
  calls = 0;
  /** Rows for which this returns a message are rejected like ClickHouse would reject bad data. */
  rejectWhen: (row: PendingRow) => string | undefined = () => undefined;
  /** Set to make the next calls fail as if ClickHouse were down. */
  failWith: Error | undefined;
  /** Deadlines the writer was given, one per call. */
  readonly deadlines: Deadline[] = [];

  async writeBatch(_table: TableName, rows: readonly PendingRow[], deadline: Deadline): Promise<WriteOutcome> {
    this.calls += 1;
    this.deadlines.push(deadline);
    if (this.failWith) throw this.failWith;
    const fresh = rows.filter((r) => !this.processed.has(keyText(r.key)));
    const rejected: Array<{ pending: PendingRow; message: string }> = [];
    for (const row of fresh) {
      const message = this.rejectWhen(row);
      if (message) {
        rejected.push({ pending: row, message });
        continue;
      }
      this.rows.push(row);
      this.processed.add(keyText(row.key));
    }
    return { inserted: fresh.length - rejected.length, skippedDuplicates: rows.length - fresh.length, rejected, unresolved: 0 };
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

export class InMemoryAudit implements AuditTrail {
  readonly entries: AuditEntry[] = [];

  record(entry: AuditEntry): void {
    this.entries.push(entry);
  }

  async flush(): Promise<void> {}
}

export const fakePorts = () => ({
  writer: new InMemoryWriter(),
  deadLetters: new InMemoryDeadLetters(),
  audit: new InMemoryAudit(),
  closeCalls: 0,
  async close() {
    this.closeCalls += 1;
  },
});

export const silentLogger = { debug: () => undefined, info: () => undefined, warn: jest.fn(), error: () => undefined };

export const transient = () => new TransientError('ClickHouse at http://127.0.0.1:8123 (CLICKHOUSE_URL): could not look up processed_events: connection refused (ECONNREFUSED)');
