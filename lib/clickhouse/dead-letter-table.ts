import { sha256 } from '../sha256';
import type { Deadline } from '../deadline';
import { toDeadLetterMessage, type DeadLetterValue } from '../kafka/dead-letter-message';
import type { PendingRow } from '../parse-record';
import type { DeadLetter } from '../ports';
import { MAX_DATETIME_MS, MIN_DATETIME_MS, toClickHouseDateTime } from '../schemas/fields';
import type { ClickHouseConnection } from './connection';
import { clickHouseFailure } from './failures';
import { wellFormedRow } from '../text';
import { arrayParameter } from './array-parameters';
import { PINNED_INSERT_SETTINGS } from './insert-settings';

/** One `dead_letters` row (migration 008), made from the letter exactly as published on the topic. */
export function toDeadLetterRow(letter: DeadLetterValue): Record<string, string | number | boolean | null> {
  const sourceTime = Math.min(MAX_DATETIME_MS, Math.max(MIN_DATETIME_MS, Number.isFinite(letter.source.timestamp) ? letter.source.timestamp : 0));
  return {
    failed_at: toClickHouseDateTime(new Date(letter.failedAt)),
    handler: letter.handler,
    reason: letter.error.code,
    error_message: letter.error.message,
    failure_reason: letter.failureReason,
    issues: JSON.stringify(letter.error.issues),
    source_topic: letter.source.topic,
    source_partition: letter.source.partition,
    source_offset: letter.source.offset,
    source_timestamp: toClickHouseDateTime(sourceTime),
    source_key: letter.source.key,
    original_message: letter.originalMessage,
    original_encoding: letter.originalEncoding,
    original_bytes: letter.originalBytes,
    original_sha256: letter.originalSha256,
    original_truncated: letter.originalTruncated,
    request_id: letter.requestId,
  };
}

interface SourceCoordinates {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}

const coordinates = (r: SourceCoordinates): string => `${r.topic}\u0000${r.partition}\u0000${r.offset}`;

/**
 * The `dead_letters` table: every dead letter, queryable with SQL next to the data. Written after
 * the letters are on the DLQ topic (so a letter in the table is always on the topic too). Letters
 * whose source record already has a row are not written again, and the insert carries a
 * deduplication token from the letters' source coordinates: a redelivered batch — identical or
 * split differently — adds no copies.
 */
export class DeadLetterTable {
  constructor(
    private readonly connection: ClickHouseConnection,
    private readonly options: { readonly requestTimeoutMs: number; readonly maxMessageBytes: number; readonly now?: () => Date },
  ) {}

  async insert(letters: readonly DeadLetter[], deadline: Deadline): Promise<void> {
    if (letters.length === 0) return;
    const stored = await this.stored(letters.map((l) => l.record), deadline);
    const fresh = letters.filter((l) => !stored.has(coordinates(l.record)));
    if (fresh.length === 0) return;
    const failedAt = (this.options.now ?? (() => new Date()))();
    const rows = fresh.map((l) => wellFormedRow(toDeadLetterRow(toDeadLetterMessage(l, failedAt, this.options.maxMessageBytes).letter)));
    const token = sha256().update('dead_letters\u0001');
    for (const key of fresh.map((l) => `${coordinates(l.record)}\u0000${l.code}`).sort()) token.update(key).update('\n');
    try {
      const signal = deadline.signalFor('insert into dead_letters', this.options.requestTimeoutMs);
      await this.connection.run(
        (client) =>
          client.insert({
            table: 'dead_letters',
            values: rows,
            format: 'JSONEachRow',
            clickhouse_settings: { ...PINNED_INSERT_SETTINGS, insert_deduplication_token: token.digest('hex') },
            abort_signal: signal,
          }),
        signal,
      );
    } catch (error) {
      throw clickHouseFailure(error, 'insert into dead_letters', await this.connection.describe());
    }
  }

  /** Which of `rows` were dead-lettered by an earlier delivery (found by their source coordinates). */
  async alreadyDeadLettered(rows: readonly PendingRow[], deadline: Deadline): Promise<ReadonlySet<PendingRow>> {
    const stored = await this.stored(rows.map((r) => r.source), deadline);
    return new Set(rows.filter((r) => stored.has(coordinates(r.source))));
  }

  /**
   * Coordinates (see `coordinates`) of `dead_letters` rows among `records`' partitions and offsets:
   * one query per topic. It may hold a row pairing one record's partition with another's offset;
   * callers look up their own coordinates in it, so only exact matches count.
   */
  private async stored(records: readonly SourceCoordinates[], deadline: Deadline): Promise<ReadonlySet<string>> {
    const found = new Set<string>();
    const byTopic = new Map<string, SourceCoordinates[]>();
    for (const record of records) byTopic.set(record.topic, [...(byTopic.get(record.topic) ?? []), record]);
    for (const [topic, topicRecords] of byTopic) {
      // Two constant sets, not a tuple subquery (as in processed-lookup.ts): callers keep the exact coordinates.
      const partitions = arrayParameter('p', 'Int32', [...new Set(topicRecords.map((r) => r.partition))]);
      const offsets = arrayParameter('o', 'UInt64', [...new Set(topicRecords.map((r) => r.offset))].map(BigInt));
      try {
        const signal = deadline.signalFor('look up dead_letters', this.options.requestTimeoutMs);
        const lettered = await this.connection.run(async (client) => {
          const result = await client.query({
            query: `SELECT source_partition, toString(source_offset) AS offset_text FROM dead_letters
                    WHERE source_topic = {topic:String} AND source_partition IN ${partitions.sql} AND source_offset IN ${offsets.sql}`,
            query_params: { topic, ...partitions.params, ...offsets.params },
            format: 'JSONEachRow',
            use_multipart_params: true,
            abort_signal: signal,
          });
          signal.addEventListener('abort', () => result.close(), { once: true });
          return result.json<{ source_partition: number; offset_text: string }>();
        }, signal);
        for (const l of lettered) found.add(coordinates({ topic, partition: Number(l.source_partition), offset: l.offset_text }));
      } catch (error) {
        throw clickHouseFailure(error, 'look up dead_letters', await this.connection.describe());
      }
    }
    return found;
  }
}
