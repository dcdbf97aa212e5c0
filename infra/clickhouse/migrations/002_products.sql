CREATE TABLE IF NOT EXISTS products{{ON_CLUSTER}}
(
    id UUID,
    name String,
    category LowCardinality(String),
    price Decimal(18, 2),
    stock UInt32,
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
