import type { DecodedRecord } from '../kafka/event';
import type { TableName, TableRecord } from '../schemas';
import { TABLE_COLUMNS } from '../schemas';

export { toClickHouseDateTime } from '../schemas/fields';

/** A row as sent to ClickHouse in `JSONEachRow`: the table's fields plus the record's provenance. */
export type ClickHouseRow = Record<string, string | number | null>;

/** What a row carries besides the table's own fields (the envelope's and Kafka's). */
export interface RowProvenance {
  readonly messageId: string;
  /** The envelope `timestamp` as ClickHouse text: the event's own time, the row's version. */
  readonly eventTime: string;
  readonly source: Pick<DecodedRecord, 'topic' | 'partition' | 'offset'>;
  /** `ingested_at`, as ClickHouse text (one value per batch). */
  readonly ingestedAt: string;
}

/**
 * Maps a validated record (dates already in ClickHouse's UTC text form) to its row. Every column
 * is present — absent optional fields as NULL — so a column dropped in ClickHouse is an error, not
 * data silently discarded. `event_time` and `kafka_offset` make the row's version (newest event
 * wins); the Kafka coordinates make every row traceable to its message.
 */
export function toClickHouseRow<T extends TableName>(table: T, data: TableRecord<T>, provenance: RowProvenance): ClickHouseRow {
  const row: ClickHouseRow = {};
  const fields = data as Record<string, string | number | undefined>;
  for (const column of TABLE_COLUMNS[table]) row[column] = fields[column] ?? null;
  row.message_id = provenance.messageId;
  row.event_time = provenance.eventTime;
  row.kafka_topic = provenance.source.topic;
  row.kafka_partition = provenance.source.partition;
  row.kafka_offset = provenance.source.offset;
  row.ingested_at = provenance.ingestedAt;
  return row;
}
