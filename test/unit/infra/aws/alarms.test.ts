import { SERVICE_NAME } from '../../../../lib/logger';
import { METRICS_NAMESPACE } from '../../../../lib/metrics';
import { MSK_IAM, alarms, settings, type Resource } from './stage-params';

const render = (overrides: Record<string, string | number> = {}): Record<string, Resource> => alarms.alarmResources(settings({ ...MSK_IAM, ...overrides }));
const alarmsOf = (resources: Record<string, Resource>) => Object.entries(resources).filter(([, r]) => r.Type === 'AWS::CloudWatch::Alarm');

describe('alarms (infra/aws/alarms.js)', () => {
  it('watches lag, errors, throttles, duration, dead letters and audit failures of every table function', () => {
    // Act
    const ids = alarmsOf(render()).map(([id]) => id);
    // Assess
    for (const table of ['Users', 'Products', 'Orders']) {
      for (const kind of ['OffsetLag', 'Errors', 'Throttles', 'Duration', 'DeadLetters', 'AuditWriteFailures']) expect(ids).toContain(`${table}${kind}Alarm`);
    }
    expect(ids).toHaveLength(18);
  });

  it('fires when the function stays more than alarmOffsetLag records behind for alarmOffsetLagMinutes', () => {
    const { UsersOffsetLagAlarm: lag } = render({ alarmOffsetLag: '5000', alarmOffsetLagMinutes: '20' });
    expect(lag!.Properties).toMatchObject({
      AlarmName: 'kafka-clickhouse-lambda-dev-users-offset-lag',
      Namespace: 'AWS/Lambda',
      MetricName: 'OffsetLag',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: 'UsersLambdaFunction' } }],
      Statistic: 'Maximum',
      Period: 60,
      EvaluationPeriods: 20,
      DatapointsToAlarm: 20,
      Threshold: 5000,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
    });
    expect(lag!.Properties.AlarmDescription).toContain('docs/operations.md#offset-lag');
  });

  it('sets the duration threshold at alarmDurationRatio of the function timeout', () => {
    const { OrdersDurationAlarm: duration } = render({ functionTimeout: '120', alarmDurationRatio: '0.75' });
    expect(duration!.Properties).toMatchObject({ MetricName: 'Duration', Statistic: 'Maximum', Threshold: 90_000, EvaluationPeriods: 5, DatapointsToAlarm: 3 });
  });

  it("watches the handlers' dead letters and audit failures with exactly the namespace and dimensions they publish", () => {
    const { ProductsDeadLettersAlarm: dlq, ProductsAuditWriteFailuresAlarm: audit } = render({ alarmDeadLettersPerMinute: '25' });
    const dimensions = [{ Name: 'service', Value: SERVICE_NAME }, { Name: 'table', Value: 'products' }];
    expect(dlq!.Properties).toMatchObject({ Namespace: METRICS_NAMESPACE, MetricName: 'RecordsSentToDlq', Dimensions: dimensions, Statistic: 'Sum', Threshold: 25 });
    expect(audit!.Properties).toMatchObject({ Namespace: METRICS_NAMESPACE, MetricName: 'AuditWriteFailures', Dimensions: dimensions, Statistic: 'Sum', Threshold: 1 });
  });

  it('notifies nobody by default, a new email-subscribed topic for alarmEmail, and alarmTopicArn as given', () => {
    // Act
    const silent = render();
    const email = render({ alarmEmail: 'ops@example.com' });
    const both = render({ alarmEmail: 'ops@example.com', alarmTopicArn: 'arn:aws:sns:eu-west-1:123456789012:pager' });
    // Assess
    for (const [, alarm] of alarmsOf(silent)) {
      expect(alarm.Properties).not.toHaveProperty('AlarmActions');
      expect(alarm.Properties).not.toHaveProperty('OKActions');
    }
    expect(silent).not.toHaveProperty('AlarmNotificationTopic');
    expect(email.AlarmNotificationTopic!.Properties.Subscription).toEqual([{ Protocol: 'email', Endpoint: 'ops@example.com' }]);
    for (const [, alarm] of alarmsOf(email)) expect(alarm.Properties.AlarmActions).toEqual([{ Ref: 'AlarmNotificationTopic' }]);
    for (const [, alarm] of alarmsOf(both)) {
      expect(alarm.Properties.AlarmActions).toEqual([{ Ref: 'AlarmNotificationTopic' }, 'arn:aws:sns:eu-west-1:123456789012:pager']);
      expect(alarm.Properties.OKActions).toEqual(alarm.Properties.AlarmActions);
    }
  });
});
