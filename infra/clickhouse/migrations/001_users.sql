-- Users from users-topic. ReplacingMergeTree keeps the newest ingestion of an id and is the
-- last line of defence behind processed_events; the dedup window makes a retried identical
-- insert (same insert_deduplication_token) a no-op.
CREATE TABLE IF NOT EXISTS users{{ON_CLUSTER}}
(
    id UUID,
    email String,
    name String,
    age Nullable(UInt8),
    country LowCardinality(Nullable(String)),
    created_at DateTime64(3, 'UTC'),
    message_id String,
    kafka_topic LowCardinality(String),
    kafka_partition Int32,
    kafka_offset UInt64,
    ingested_at DateTime64(3, 'UTC')
)
ENGINE = {{ReplacingMergeTree(ingested_at)}}
ORDER BY id
SETTINGS non_replicated_deduplication_window = 10000;
