CREATE TABLE IF NOT EXISTS orders{{ON_CLUSTER}}
(
    id UUID,
    user_id UUID,
    product_id UUID,
    quantity UInt32,
    unit_price Decimal(18, 2),
    total Decimal(18, 2),
    status Enum8('pending' = 1, 'paid' = 2, 'shipped' = 3, 'delivered' = 4, 'cancelled' = 5),
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
