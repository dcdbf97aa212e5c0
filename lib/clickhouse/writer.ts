import type { Deadline } from '../deadline';
import { ClickHouseSchemaMismatchError, TransientError } from '../errors';
import { deduplicationToken, keyText } from '../idempotency-key';
import type { PendingRow } from '../parse-record';
import type { KeyOfRecord, RowWriter, WriteOutcome } from '../ports';
import type { TableName } from '../schemas';
import type { ClickHouseConnection } from './connection';
import { classifyClickHouseError } from './errors';
import { clickHouseFailure } from './failures';
import { PINNED_INSERT_SETTINGS } from './insert-settings';
import { processedLookupQuery } from './processed-lookup';
import { isolateRejectedRows, ISOLATION_INSERT_BUDGET } from './row-isolation';

/** Finds, among rows of one topic, those already dead-lettered by an earlier delivery. */
export type DeadLetterIndex = (rows: readonly PendingRow[], deadline: Deadline) => Promise<ReadonlySet<PendingRow>>;

export interface IdempotentWriterOptions {
  /** Upper bound for one request, before the invocation's deadline applies. */
  readonly requestTimeoutMs: number;
  /** Rows dead-lettered by an earlier, unfinished isolation are not tried again. */
  readonly deadLetterIndex?: DeadLetterIndex;
  readonly isolationBudget?: number;
}

/**
 * Exactly-once effect over at-least-once delivery. Per batch and table, two requests in the common
 * case: one lookup of already-processed keys (ids in the request body), one insert of the rest.
 *
 * The insert is atomic with its markers: each table's materialized view writes
 * `processed_events` from the inserted rows in the same INSERT, so no crash leaves rows without
 * markers. A retry of the identical insert (same token) is a no-op for table and view alike.
 * When ClickHouse rejects rows for their data, they are isolated (see row-isolation.ts) and
 * reported as `rejected`; when every row fails the same way, the batch fails with
 * {@link ClickHouseSchemaMismatchError} instead.
 */
export class IdempotentWriter implements RowWriter {
  constructor(
    private readonly connection: ClickHouseConnection,
    private readonly options: IdempotentWriterOptions,
  ) {}

  async writeBatch(table: TableName, rows: readonly PendingRow[], deadline: Deadline, processed?: ReadonlySet<string>): Promise<WriteOutcome> {
    const done = processed ?? (await this.lookup(table, rows.map((r) => r.key), deadline));
    const fresh = rows.filter((r) => !done.has(keyText(r.key)));
    const skipped = rows.length - fresh.length;
    if (fresh.length === 0) return { inserted: 0, skippedDuplicates: skipped, rejected: [], unresolved: 0 };

    let firstError: unknown;
    try {
      await this.insert(table, fresh, deadline);
      return { inserted: fresh.length, skippedDuplicates: skipped, rejected: [], unresolved: 0 };
    } catch (error) {
      if (classifyClickHouseError(error) !== 'data') throw await this.failure(error, `insert into ${table}`);
      firstError = error;
    }
    return this.isolate(table, fresh, skipped, firstError, deadline);
  }

  private async isolate(table: TableName, rows: readonly PendingRow[], skipped: number, firstError: unknown, deadline: Deadline): Promise<WriteOutcome> {
    const alreadyLettered = this.options.deadLetterIndex ? await this.options.deadLetterIndex(rows, deadline) : new Set<PendingRow>();
    const candidates = rows.filter((r) => !alreadyLettered.has(r));
    if (candidates.length === 0) return { inserted: 0, skippedDuplicates: skipped + rows.length, rejected: [], unresolved: 0 };
    let result;
    try {
      result = await isolateRejectedRows(candidates, candidates.length === rows.length ? firstError : undefined, (segment) => this.insert(table, segment, deadline), {
        deadline,
        budget: this.options.isolationBudget ?? ISOLATION_INSERT_BUDGET,
      });
    } catch (error) {
      throw await this.failure(error, `insert into ${table}`);
    }
    if (result.systemic) {
      throw new ClickHouseSchemaMismatchError(
        `${await this.connection.describe()}: every row of this ${table} batch was rejected with the same error, so the table (not the data) is probably wrong — fix the table or the schema and the batch will be retried: ${result.systemic.message}`,
      );
    }
    return {
      inserted: result.written.length,
      skippedDuplicates: skipped + alreadyLettered.size,
      rejected: result.rejected,
      unresolved: result.unresolved.length,
    };
  }

  async lookup(table: TableName, keys: readonly KeyOfRecord[], deadline: Deadline): Promise<ReadonlySet<string>> {
    if (keys.length === 0) return new Set();
    const { query, params } = processedLookupQuery(table, keys);
    try {
      const signal = deadline.signalFor('look up processed_events', this.options.requestTimeoutMs);
      const found = await this.connection.run(async (client) => {
        const result = await client.query({ query, query_params: params, format: 'JSONEachRow', use_multipart_params: true, abort_signal: signal });
        // The client stops watching the signal once the headers are in; a stalled body is closed here.
        signal.addEventListener('abort', () => result.close(), { once: true });
        return result.json<{ message_id: string; record_id: string }>();
      }, signal);
      // The answer may hold stored keys that pair one batch messageId with another record's id: keep the batch's own.
      const wanted = new Set(keys.map(keyText));
      return new Set(found.map((row) => keyText({ messageId: row.message_id, recordId: row.record_id })).filter((key) => wanted.has(key)));
    } catch (error) {
      throw await this.failure(error, 'look up processed_events');
    }
  }

  private async insert(table: TableName, rows: readonly PendingRow[], deadline: Deadline): Promise<void> {
    if (deadline.remainingMs() <= 0) throw new TransientError(`no time left in this invocation to insert into ${table}; the batch will be redelivered`);
    const signal = deadline.signalFor(`insert into ${table}`, this.options.requestTimeoutMs);
    await this.connection.run(
      (client) =>
        client.insert({
          table,
          values: rows.map((r) => r.row),
          format: 'JSONEachRow',
          clickhouse_settings: { ...PINNED_INSERT_SETTINGS, insert_deduplication_token: deduplicationToken(table, rows.map((r) => r.key)) },
          abort_signal: signal,
        }),
      signal,
    );
  }

  private async failure(error: unknown, what: string): Promise<Error> {
    return clickHouseFailure(error, what, await this.connection.describe());
  }
}
