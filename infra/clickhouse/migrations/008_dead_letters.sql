-- Every dead letter, queryable with SQL next to the data (the same letter is on the DLQ topic).
-- One row per source record: a redelivered batch that dead-letters it again collapses into it.
-- Ordered by the source coordinates, which is also how the writer finds records an earlier,
-- unfinished delivery already dead-lettered. TTL from DEAD_LETTERS_TTL_DAYS at migrate time;
-- change it later with ALTER TABLE dead_letters MODIFY TTL toDateTime(failed_at) + INTERVAL n DAY.
CREATE TABLE IF NOT EXISTS dead_letters{{ON_CLUSTER}}
(
    failed_at DateTime64(3, 'UTC'),
    handler LowCardinality(String),
    reason LowCardinality(String),
    error_message String,
    failure_reason String,
    issues String,
    source_topic LowCardinality(String),
    source_partition Int32,
    source_offset UInt64,
    source_timestamp DateTime64(3, 'UTC'),
    source_key Nullable(String),
    original_message Nullable(String),
    original_encoding Enum8('utf8' = 1, 'base64' = 2),
    original_bytes UInt64,
    original_sha256 String,
    original_truncated Bool,
    request_id String
)
ENGINE = {{ReplacingMergeTree(failed_at)}}
ORDER BY (source_topic, source_partition, source_offset)
TTL toDateTime(failed_at) + INTERVAL {{DEAD_LETTERS_TTL_DAYS}} DAY
SETTINGS {{DEDUP_SETTINGS}};
