'use strict';
/**
 * Which optional functions the stage deploys (serverless.yml: `producer: ${file(infra/aws/functions.js):producer}`).
 * The sample-data producer writes to the source topics, so it exists only where `deployProducer`
 * is true (dev stages by default, not prod); a `null` function is dropped by the framework.
 */
const { fromStage } = require('./stage');

module.exports = {
  producer: fromStage((s, resolveVariable) => (s.deployProducer ? resolveVariable('self:custom.producerFunction') : null)),
};
