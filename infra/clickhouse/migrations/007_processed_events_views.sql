-- Idempotency markers written by the data insert itself: each table's materialized view turns
-- every inserted row into its processed_events marker in the same INSERT, so no crash can leave
-- rows without markers (before, the writer inserted markers in a second request). An identical
-- retry is deduplicated in the table and, with deduplicate_blocks_in_dependent_materialized_views
-- (set on every insert), in the view as well; if the view's part failed after the table's, that
-- retry writes the missing markers.

CREATE MATERIALIZED VIEW IF NOT EXISTS users_processed_events{{ON_CLUSTER}} TO processed_events AS
SELECT message_id, 'users' AS table_name, toString(id) AS record_id, kafka_topic, kafka_partition, kafka_offset, ingested_at AS processed_at
FROM users;

CREATE MATERIALIZED VIEW IF NOT EXISTS products_processed_events{{ON_CLUSTER}} TO processed_events AS
SELECT message_id, 'products' AS table_name, toString(id) AS record_id, kafka_topic, kafka_partition, kafka_offset, ingested_at AS processed_at
FROM products;

CREATE MATERIALIZED VIEW IF NOT EXISTS orders_processed_events{{ON_CLUSTER}} TO processed_events AS
SELECT message_id, 'orders' AS table_name, toString(id) AS record_id, kafka_topic, kafka_partition, kafka_offset, ingested_at AS processed_at
FROM orders;

ALTER TABLE processed_events{{ON_CLUSTER}} MODIFY SETTING {{DEDUP_SETTINGS}};
