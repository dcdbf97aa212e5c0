// Quiet, deterministic defaults for every test file; a test that needs other values sets them.
process.env.LOG_LEVEL ??= 'silent';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';
process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';
// Tests assert the errors kafkajs throws, not its log lines (kafkajs's own switch; commands turn them off too).
process.env.KAFKAJS_LOG_LEVEL ??= 'nothing';
// The AWS SDK's notice that its 2027 releases need Node 22 (aws/aws-sdk-js-v3#7983 names this switch).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
