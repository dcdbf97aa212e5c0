'use strict';
/**
 * One CloudWatch dashboard per stage (serverless.yml: `${file(infra/aws/dashboard.js):resources}`):
 * the alarms' states on top, then a row per table with throughput, lag, dead letters and failures,
 * and duration against the timeout.
 *
 * The body is JSON in a string (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/CloudWatch-Dashboard-Body-Structure.html);
 * it goes through Fn::Sub so it can name the region, the functions (`${UsersLambdaFunction}` is the
 * function's name) and the alarms (`${UsersErrorsAlarm.Arn}`) of this stack.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-cloudwatch-dashboard.html
 */
const { TABLES, fromStage, logicalIds } = require('./stage');
const { alarmResources, HANDLER_NAMESPACE, SERVICE_DIMENSION } = require('./alarms');

const DASHBOARD = 'Dashboard';
const REGION = '${AWS::Region}';
const WIDTH = 6;
const HEIGHT = 6;

const fn = (table) => `\${${logicalIds(table).function}}`;
const handler = (table, metric, options) => [HANDLER_NAMESPACE, metric, 'service', SERVICE_DIMENSION, 'table', table, options];
const lambda = (table, metric, options) => ['AWS/Lambda', metric, 'FunctionName', fn(table), options];

const graph = (title, metrics, x, y, extra = {}) => ({
  type: 'metric',
  x,
  y,
  width: WIDTH,
  height: HEIGHT,
  properties: { title, region: REGION, view: 'timeSeries', stacked: false, period: 60, metrics, ...extra },
});

/** The four graphs of one table, on row `y`. */
function tableRow(table, y, s) {
  return [
    graph(`${table}: records per minute`, [
      handler(table, 'RecordsReceived', { stat: 'Sum', label: 'received' }),
      handler(table, 'RecordsInserted', { stat: 'Sum', label: 'inserted' }),
      handler(table, 'DuplicatesSkipped', { stat: 'Sum', label: 'skipped (duplicate)' }),
    ], 0, y),
    graph(`${table}: offset lag (records)`, [lambda(table, 'OffsetLag', { stat: 'Maximum', label: 'offset lag' })], WIDTH, y, {
      annotations: { horizontal: [{ label: 'alarm', value: s.alarms.offsetLag }] },
    }),
    graph(`${table}: dead letters and failures per minute`, [
      handler(table, 'RecordsSentToDlq', { stat: 'Sum', label: 'sent to DLQ' }),
      handler(table, 'BatchFailures', { stat: 'Sum', label: 'failed batches' }),
      lambda(table, 'Errors', { stat: 'Sum', label: 'Lambda errors' }),
      lambda(table, 'Throttles', { stat: 'Sum', label: 'throttles' }),
    ], 2 * WIDTH, y),
    graph(`${table}: duration (ms)`, [
      lambda(table, 'Duration', { stat: 'p50', label: 'p50' }),
      lambda(table, 'Duration', { stat: 'p99', label: 'p99' }),
      lambda(table, 'Duration', { stat: 'Maximum', label: 'max' }),
      handler(table, 'BatchDuration', { stat: 'p99', label: 'batch p99 (handler)' }),
    ], 3 * WIDTH, y, { annotations: { horizontal: [{ label: 'timeout', value: s.functionTimeout * 1000 }] } }),
  ];
}

/** The dashboard's body (before Fn::Sub). */
function dashboardBody(s) {
  const alarmIds = Object.entries(alarmResources(s)).filter(([, r]) => r.Type === 'AWS::CloudWatch::Alarm').map(([id]) => id);
  const widgets = [
    {
      type: 'text',
      x: 0,
      y: 0,
      width: 24,
      height: 2,
      properties: { markdown: `## ${s.service} (${s.stage})\nKafka to ClickHouse per table. What each alarm means and what to do: docs/operations.md in the repository.` },
    },
    {
      type: 'alarm',
      x: 0,
      y: 2,
      width: 24,
      height: 4,
      properties: { title: 'Alarms', alarms: alarmIds.map((id) => `\${${id}.Arn}`), sortBy: 'stateUpdatedTimestamp' },
    },
    ...TABLES.flatMap((table, i) => tableRow(table, 6 + i * HEIGHT, s)),
  ];
  return { start: '-PT6H', widgets };
}

function dashboardResources(s) {
  return {
    [DASHBOARD]: {
      Type: 'AWS::CloudWatch::Dashboard',
      Properties: {
        DashboardName: `${s.service}-${s.stage}`,
        DashboardBody: { 'Fn::Sub': JSON.stringify(dashboardBody(s)) },
      },
    },
  };
}

module.exports = {
  resources: fromStage(dashboardResources),
  dashboardResources,
  dashboardBody,
  DASHBOARD,
};
