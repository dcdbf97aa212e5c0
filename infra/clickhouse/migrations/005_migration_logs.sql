-- Audit trail: one row per (invocation, table) with the batch figures.
CREATE TABLE IF NOT EXISTS migration_logs{{ON_CLUSTER}}
(
    request_id String,
    table_name LowCardinality(String),
    status Enum8('success' = 1, 'partial' = 2, 'failed' = 3),
    received UInt32,
    inserted UInt32,
    skipped_duplicates UInt32,
    sent_to_dlq UInt32,
    duration_ms UInt32,
    error_message String,
    processed_at DateTime64(3, 'UTC')
)
ENGINE = {{MergeTree()}}
PARTITION BY toYYYYMM(processed_at)
ORDER BY (table_name, processed_at);
