-- Rows are versioned by the event's own time, not by when they were ingested: a replayed or late
-- older record (from the DLQ, or the same id arriving on another partition) never replaces a newer
-- one. `event_time` is the envelope `timestamp`; the Kafka offset breaks ties. The version is one
-- UInt128: milliseconds since 1900 in the high 64 bits, the offset in the low 64 bits.
--
-- An existing table cannot change its engine's version column, so each table is rebuilt: a new
-- table is created and swapped in atomically (EXCHANGE), so inserts from that instant go to the
-- new table; then the old rows are copied over (their event_time is unknown: ingested_at stands in)
-- and the old table is dropped when empty, or kept as <table>_before_006 for the operator to check
-- and drop. Every step is guarded (`-- @when`), so a run interrupted half-way can run again.

-- @when SELECT count() = 0 FROM system.columns WHERE database = currentDatabase() AND table = 'users' AND name = 'event_time'
CREATE TABLE IF NOT EXISTS users_v006{{ON_CLUSTER}}
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
    ingested_at DateTime64(3, 'UTC'),
    event_time DateTime64(3, 'UTC') DEFAULT ingested_at,
    _version UInt128 MATERIALIZED bitShiftLeft(toUInt128(toUnixTimestamp64Milli(event_time) - toUnixTimestamp64Milli(toDateTime64('1900-01-01 00:00:00', 3, 'UTC'))), 64) + kafka_offset
)
ENGINE = {{ReplacingMergeTree(_version)}}
ORDER BY id
SETTINGS {{DEDUP_SETTINGS}};

-- @when SELECT count() = 0 FROM system.columns WHERE database = currentDatabase() AND table = 'users' AND name = 'event_time'
EXCHANGE TABLES users AND users_v006{{ON_CLUSTER}};

-- @when SELECT count() > 0 FROM system.tables WHERE database = currentDatabase() AND name = 'users_v006'
INSERT INTO users (id, email, name, age, country, created_at, message_id, kafka_topic, kafka_partition, kafka_offset, ingested_at, event_time)
SELECT id, email, name, age, country, created_at, message_id, kafka_topic, kafka_partition, kafka_offset, ingested_at, ingested_at
FROM users_v006
WHERE (id, message_id) NOT IN (SELECT id, message_id FROM users);

-- @when SELECT count() > 0 FROM system.tables WHERE database = currentDatabase() AND name = 'users_v006' AND total_rows = 0
DROP TABLE users_v006{{ON_CLUSTER}} SYNC;

-- @when SELECT count() > 0 FROM system.tables WHERE database = currentDatabase() AND name = 'users_v006'
RENAME TABLE users_v006 TO users_before_006{{ON_CLUSTER}};

-- @when SELECT count() = 0 FROM system.columns WHERE database = currentDatabase() AND table = 'products' AND name = 'event_time'
CREATE TABLE IF NOT EXISTS products_v006{{ON_CLUSTER}}
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
    ingested_at DateTime64(3, 'UTC'),
    event_time DateTime64(3, 'UTC') DEFAULT ingested_at,
    _version UInt128 MATERIALIZED bitShiftLeft(toUInt128(toUnixTimestamp64Milli(event_time) - toUnixTimestamp64Milli(toDateTime64('1900-01-01 00:00:00', 3, 'UTC'))), 64) + kafka_offset
)
ENGINE = {{ReplacingMergeTree(_version)}}
ORDER BY id
SETTINGS {{DEDUP_SETTINGS}};

-- @when SELECT count() = 0 FROM system.columns WHERE database = currentDatabase() AND table = 'products' AND name = 'event_time'
EXCHANGE TABLES products AND products_v006{{ON_CLUSTER}};

-- @when SELECT count() > 0 FROM system.tables WHERE database = currentDatabase() AND name = 'products_v006'
INSERT INTO products (id, name, category, price, stock, created_at, message_id, kafka_topic, kafka_partition, kafka_offset, ingested_at, event_time)
SELECT id, name, category, price, stock, created_at, message_id, kafka_topic, kafka_partition, kafka_offset, ingested_at, ingested_at
FROM products_v006
WHERE (id, message_id) NOT IN (SELECT id, message_id FROM products);

-- @when SELECT count() > 0 FROM system.tables WHERE database = currentDatabase() AND name = 'products_v006' AND total_rows = 0
DROP TABLE products_v006{{ON_CLUSTER}} SYNC;

-- @when SELECT count() > 0 FROM system.tables WHERE database = currentDatabase() AND name = 'products_v006'
RENAME TABLE products_v006 TO products_before_006{{ON_CLUSTER}};

-- @when SELECT count() = 0 FROM system.columns WHERE database = currentDatabase() AND table = 'orders' AND name = 'event_time'
CREATE TABLE IF NOT EXISTS orders_v006{{ON_CLUSTER}}
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
    ingested_at DateTime64(3, 'UTC'),
    event_time DateTime64(3, 'UTC') DEFAULT ingested_at,
    _version UInt128 MATERIALIZED bitShiftLeft(toUInt128(toUnixTimestamp64Milli(event_time) - toUnixTimestamp64Milli(toDateTime64('1900-01-01 00:00:00', 3, 'UTC'))), 64) + kafka_offset
)
ENGINE = {{ReplacingMergeTree(_version)}}
ORDER BY id
SETTINGS {{DEDUP_SETTINGS}};

-- @when SELECT count() = 0 FROM system.columns WHERE database = currentDatabase() AND table = 'orders' AND name = 'event_time'
EXCHANGE TABLES orders AND orders_v006{{ON_CLUSTER}};

-- @when SELECT count() > 0 FROM system.tables WHERE database = currentDatabase() AND name = 'orders_v006'
INSERT INTO orders (id, user_id, product_id, quantity, unit_price, total, status, created_at, message_id, kafka_topic, kafka_partition, kafka_offset, ingested_at, event_time)
SELECT id, user_id, product_id, quantity, unit_price, total, status, created_at, message_id, kafka_topic, kafka_partition, kafka_offset, ingested_at, ingested_at
FROM orders_v006
WHERE (id, message_id) NOT IN (SELECT id, message_id FROM orders);

-- @when SELECT count() > 0 FROM system.tables WHERE database = currentDatabase() AND name = 'orders_v006' AND total_rows = 0
DROP TABLE orders_v006{{ON_CLUSTER}} SYNC;

-- @when SELECT count() > 0 FROM system.tables WHERE database = currentDatabase() AND name = 'orders_v006'
RENAME TABLE orders_v006 TO orders_before_006{{ON_CLUSTER}};
