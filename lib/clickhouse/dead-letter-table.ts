import { sha256 } from '../sha256';
import type { Deadline } from '../deadline';
import { toDeadLetterMessage, type DeadLetterValue } from '../kafka/dead-letter-message';
import type { PendingRow } from '../parse-record';
import type { DeadLetter } from '../ports';
import { MAX_DATETIME_MS, MIN_DATETIME_MS, toClickHouseDateTime } from '../schemas/fields';
import type { ClickHouseConnection } from './connection';
import { clickHouseFailure } from './failures';
import { wellFormedRow } from '../text';
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

const coordinates = (r: { topic: string; partition: number; offset: string }): string => `${r.topic}\u0000${r.partition}\u0000${r.offset}`;

/**
 * The `dead_letters` table: every dead letter, queryable with SQL next to the data. Written after
 * the letters are on the DLQ topic (so a letter in the table is always on the topic too), with a
 * deduplication token from the letters' source coordinates: a redelivered batch adds no copies.
 */
export class DeadLetterTable {
  constructor(
    private readonly connection: ClickHouseConnection,
    private readonly options: { readonly requestTimeoutMs: number; readonly maxMessageBytes: number; readonly now?: () => Date },
  ) {}

  async insert(letters: readonly DeadLetter[], deadline: Deadline): Promise<void> {
    if (letters.length === 0) return;
    const failedAt = (this.options.now ?? (() => new Date()))();
    const rows = letters.map((l) => wellFormedRow(toDeadLetterRow(toDeadLetterMessage(l, failedAt, this.options.maxMessageBytes).letter)));
    const token = sha256().update('dead_letters\u0001');
    for (const key of letters.map((l) => `${coordinates(l.record)}\u0000${l.code}`).sort()) token.update(key).update('\n');
    try {
      await this.connection.run((client) =>
        client.insert({
          table: 'dead_letters',
          values: rows,
          format: 'JSONEachRow',
          clickhouse_settings: { ...PINNED_INSERT_SETTINGS, insert_deduplication_token: token.digest('hex') },
          abort_signal: deadline.signalFor('insert into dead_letters', this.options.requestTimeoutMs),
        }),
      );
    } catch (error) {
      throw clickHouseFailure(error, 'insert into dead_letters', await this.connection.describe());
    }
  }

  /** Which of `rows` were dead-lettered by an earlier delivery (found by their source coordinates). */
  async alreadyDeadLettered(rows: readonly PendingRow[], deadline: Deadline): Promise<ReadonlySet<PendingRow>> {
    const found = new Set<PendingRow>();
    const byTopic = new Map<string, PendingRow[]>();
    for (const row of rows) byTopic.set(row.source.topic, [...(byTopic.get(row.source.topic) ?? []), row]);
    for (const [topic, topicRows] of byTopic) {
      const offsets = topicRows.map((r) => BigInt(r.source.offset));
      const min = offsets.reduce((a, b) => (b < a ? b : a));
      const max = offsets.reduce((a, b) => (b > a ? b : a));
      try {
        const lettered = await this.connection.run(async (client) =>
          (
            await client.query({
              query: `SELECT source_partition, toString(source_offset) AS offset_text FROM dead_letters
                      WHERE source_topic = {topic:String} AND source_partition IN {partitions:Array(Int32)}
                        AND source_offset BETWEEN {min:UInt64} AND {max:UInt64}`,
              query_params: { topic, partitions: [...new Set(topicRows.map((r) => r.source.partition))], min: min.toString(), max: max.toString() },
              format: 'JSONEachRow',
              abort_signal: deadline.signalFor('look up dead_letters', this.options.requestTimeoutMs),
            })
          ).json<{ source_partition: number; offset_text: string }>(),
        );
        const keys = new Set(lettered.map((l) => coordinates({ topic, partition: Number(l.source_partition), offset: l.offset_text })));
        for (const row of topicRows) if (keys.has(coordinates(row.source))) found.add(row);
      } catch (error) {
        throw clickHouseFailure(error, 'look up dead_letters', await this.connection.describe());
      }
    }
    return found;
  }
}
