-- Idempotency markers: (message_id, table_name, record_id) of every written record. Ordered by
-- that key so the writer's per-batch lookup reads a few granules. Markers expire after 90 days,
-- far beyond Kafka retention and the event source mapping's maximum record age.
CREATE TABLE IF NOT EXISTS processed_events{{ON_CLUSTER}}
(
    message_id String,
    table_name LowCardinality(String),
    record_id String,
    kafka_topic LowCardinality(String),
    kafka_partition Int32,
    kafka_offset UInt64,
    processed_at DateTime64(3, 'UTC')
)
ENGINE = {{ReplacingMergeTree(processed_at)}}
ORDER BY (table_name, message_id, record_id)
TTL toDateTime(processed_at) + INTERVAL 90 DAY
SETTINGS non_replicated_deduplication_window = 10000;
