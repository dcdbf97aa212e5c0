import type { Envelope, TableName, TableRecord } from '../schemas';
import type { DecodedRecord } from '../kafka/event';

/** A row as sent to ClickHouse in `JSONEachRow`: the table's fields plus Kafka metadata. */
export type ClickHouseRow = Record<string, string | number | null>;

/** ISO-8601 (any offset) → `YYYY-MM-DD hh:mm:ss.sss` in UTC, the `DateTime64(3, 'UTC')` text form. */
export const toClickHouseDateTime = (value: string | Date): string =>
  (typeof value === 'string' ? new Date(value) : value).toISOString().replace('T', ' ').replace('Z', '');

/**
 * Maps a validated record to its ClickHouse row. Optional fields become `NULL`, date-times
 * become UTC `DateTime64(3)` text, and the Kafka coordinates make every row traceable to the
 * message it came from.
 */
export function toClickHouseRow<T extends TableName>(
  data: TableRecord<T>,
  envelope: Pick<Envelope, 'messageId'>,
  source: Pick<DecodedRecord, 'topic' | 'partition' | 'offset'>,
  ingestedAt: Date,
): ClickHouseRow {
  const row: ClickHouseRow = {};
  for (const [field, value] of Object.entries(data)) {
    row[field] = field === 'created_at' ? toClickHouseDateTime(value as string) : ((value ?? null) as string | number | null);
  }
  row.message_id = envelope.messageId;
  row.kafka_topic = source.topic;
  row.kafka_partition = source.partition;
  row.kafka_offset = source.offset;
  row.ingested_at = toClickHouseDateTime(ingestedAt);
  return row;
}
