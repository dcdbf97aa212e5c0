'use strict';
/**
 * Everything this stack adds to what the framework renders from `functions` (serverless.yml:
 * `resources.Resources` and `resources.Outputs`): execution roles, provisioned-mode event source
 * mappings (dlq-after-retries only), alarms, the dashboard; and the outputs an operator needs.
 */
const { TABLES, fromStage, logicalIds, capitalised } = require('./stage');
const { roleResources } = require('./roles');
const { mappingResources } = require('./event-sources');
const { alarmResources, NOTIFICATION_TOPIC } = require('./alarms');
const { dashboardResources, DASHBOARD } = require('./dashboard');

function stackResources(s) {
  return { ...roleResources(s), ...mappingResources(s), ...alarmResources(s), ...dashboardResources(s) };
}

function stackOutputs(s) {
  const outputs = {};
  for (const fn of [...TABLES, ...(s.deployProducer ? ['producer'] : [])]) {
    outputs[`${capitalised(fn)}FunctionName`] = { Value: { Ref: logicalIds(fn).function } };
  }
  outputs.DashboardName = { Value: { Ref: DASHBOARD } };
  if (s.alarms.email) outputs.AlarmTopicArn = { Value: { Ref: NOTIFICATION_TOPIC } };
  return outputs;
}

module.exports = {
  resources: fromStage(stackResources),
  outputs: fromStage(stackOutputs),
  stackResources,
  stackOutputs,
};
