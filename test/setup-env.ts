// Quiet, deterministic defaults for every test file; a test that needs other values sets them.
process.env.LOG_LEVEL ??= 'silent';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';
process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';
