import { createHash } from 'node:crypto';
import type { ClickHouseClient } from '@clickhouse/client';
import { ClickHouseWriteError, TransientError } from '../errors';
import type { PendingRow } from '../parse-record';
import type { RowWriter, WriteOutcome } from '../ports';
import type { TableName } from '../schemas';
import { toClickHouseDateTime } from '../transform/to-clickhouse-row';
import { classifyClickHouseError } from './errors';

/** Keys per lookup query: bounds the URL that carries the parameters (10,000-record batch → 2 queries). */
export const LOOKUP_CHUNK = 5_000;

type Rejected = WriteOutcome['rejected'][number];

const keyText = (messageId: string, recordId: string): string => `${messageId}\u0000${recordId}`;

/** The same rows always produce the same token, so a retried identical insert is a no-op. */
export const deduplicationToken = (table: TableName, rows: readonly PendingRow[]): string =>
  createHash('sha256')
    .update(table)
    .update(rows.map((r) => keyText(r.key.messageId, r.key.recordId)).sort().join('\n'))
    .digest('hex');

/**
 * Exactly-once effect over at-least-once delivery (design.md, "Idempotency"). Per batch and
 * table: one lookup of already-processed keys, one insert of the new rows with a deduplication
 * token derived from their keys, then one insert into `processed_events`.
 *
 * Why processed_events is written after the data: if the invocation dies between the two, the
 * redelivery finds no marker and inserts the rows again with the same token (deduplicated by
 * ClickHouse when the batch is identical, collapsed by ReplacingMergeTree when it was re-split).
 * The other order could mark rows as done that were never written: data loss.
 */
export class IdempotentWriter implements RowWriter {
  constructor(
    private readonly client: ClickHouseClient,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async writeBatch(table: TableName, rows: readonly PendingRow[]): Promise<WriteOutcome> {
    const done = await this.lookupProcessed(table, rows);
    const fresh = rows.filter((r) => !done.has(keyText(r.key.messageId, r.key.recordId)));
    const rejected: Rejected[] = [];
    const written = await this.insertIsolatingBadRows(table, fresh, rejected);
    if (written.length > 0) await this.markProcessed(table, written);
    return { inserted: written.length, skippedDuplicates: rows.length - fresh.length, rejected };
  }

  private async lookupProcessed(table: TableName, rows: readonly PendingRow[]): Promise<Set<string>> {
    const done = new Set<string>();
    for (let i = 0; i < rows.length; i += LOOKUP_CHUNK) {
      const chunk = rows.slice(i, i + LOOKUP_CHUNK);
      const found = await this.run(async () => {
        const result = await this.client.query({
          query: `SELECT message_id, record_id FROM processed_events
                  WHERE table_name = {table:String}
                    AND message_id IN {messageIds:Array(String)}
                    AND record_id IN {recordIds:Array(String)}`,
          query_params: {
            table,
            messageIds: [...new Set(chunk.map((r) => r.key.messageId))],
            recordIds: [...new Set(chunk.map((r) => r.key.recordId))],
          },
          format: 'JSONEachRow',
        });
        return result.json<{ message_id: string; record_id: string }>();
      }, 'look up processed_events');
      for (const row of found) done.add(keyText(row.message_id, row.record_id));
    }
    return done;
  }

  /**
   * Inserts `rows`; when ClickHouse rejects the data, splits the insert in halves until the bad
   * rows are alone, so good rows are written and each bad row is reported with ClickHouse's
   * message. Returns the rows that were written.
   */
  private async insertIsolatingBadRows(table: TableName, rows: readonly PendingRow[], rejected: Rejected[]): Promise<PendingRow[]> {
    if (rows.length === 0) return [];
    try {
      await this.client.insert({
        table,
        values: rows.map((r) => r.row),
        format: 'JSONEachRow',
        clickhouse_settings: { insert_deduplication_token: deduplicationToken(table, rows) },
      });
      return [...rows];
    } catch (error) {
      const kind = classifyClickHouseError(error);
      if (kind !== 'data') throw this.failure(error, `insert into ${table}`);
      if (rows.length === 1) {
        rejected.push({ pending: rows[0]!, message: (error as Error).message });
        return [];
      }
      const middle = Math.ceil(rows.length / 2);
      const left = await this.insertIsolatingBadRows(table, rows.slice(0, middle), rejected);
      const right = await this.insertIsolatingBadRows(table, rows.slice(middle), rejected);
      return [...left, ...right];
    }
  }

  private async markProcessed(table: TableName, rows: readonly PendingRow[]): Promise<void> {
    const processedAt = toClickHouseDateTime(this.now());
    await this.run(
      () =>
        this.client.insert({
          table: 'processed_events',
          values: rows.map((r) => ({
            message_id: r.key.messageId,
            table_name: table,
            record_id: r.key.recordId,
            kafka_topic: r.source.topic,
            kafka_partition: r.source.partition,
            kafka_offset: r.source.offset,
            processed_at: processedAt,
          })),
          format: 'JSONEachRow',
          clickhouse_settings: { insert_deduplication_token: `processed:${deduplicationToken(table, rows)}` },
        }),
      'insert into processed_events',
    );
  }

  private async run<T>(operation: () => Promise<T>, what: string): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      throw this.failure(error, what);
    }
  }

  /** Every failure here fails the batch; only `data` failures on the row insert are isolated. */
  private failure(error: unknown, what: string): Error {
    const kind = classifyClickHouseError(error);
    const message = `ClickHouse: could not ${what}: ${(error as Error).message}`;
    return kind === 'transient' ? new TransientError(message, { cause: error }) : new ClickHouseWriteError(message, { cause: error });
  }
}
