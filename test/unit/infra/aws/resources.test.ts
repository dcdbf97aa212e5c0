import { MSK_IAM, resources, settings, type Resource } from './stage-params';

const types = (overrides: Record<string, string | number>, stageName = 'dev') =>
  Object.values(resources.stackResources(settings({ ...MSK_IAM, ...overrides }, stageName)) as Record<string, Resource>).map((r) => r.Type);
const count = (list: string[], type: string) => list.filter((t) => t === type).length;

describe('stack resources and outputs (infra/aws/resources.js)', () => {
  it('adds roles, alarms and the dashboard for every policy, and raw mappings only for dlq-after-retries', () => {
    // Act
    const byDefault = types({});
    const dlqAfterRetries = types({ failurePolicy: 'dlq-after-retries' });
    // Assess
    for (const list of [byDefault, dlqAfterRetries]) {
      expect(count(list, 'AWS::IAM::Role')).toBe(4);
      expect(count(list, 'AWS::CloudWatch::Alarm')).toBe(18);
      expect(count(list, 'AWS::CloudWatch::Dashboard')).toBe(1);
    }
    expect(count(byDefault, 'AWS::Lambda::EventSourceMapping')).toBe(0);
    expect(count(dlqAfterRetries, 'AWS::Lambda::EventSourceMapping')).toBe(3);
    expect(count(types({}, 'prod'), 'AWS::IAM::Role')).toBe(3);
  });

  it('outputs the function names (the producer only where it is deployed), the dashboard and the alarm topic', () => {
    expect(resources.stackOutputs(settings({ ...MSK_IAM, alarmEmail: 'ops@example.com' }))).toEqual({
      UsersFunctionName: { Value: { Ref: 'UsersLambdaFunction' } },
      ProductsFunctionName: { Value: { Ref: 'ProductsLambdaFunction' } },
      OrdersFunctionName: { Value: { Ref: 'OrdersLambdaFunction' } },
      ProducerFunctionName: { Value: { Ref: 'ProducerLambdaFunction' } },
      DashboardName: { Value: { Ref: 'Dashboard' } },
      AlarmTopicArn: { Value: { Ref: 'AlarmNotificationTopic' } },
    });
    expect(Object.keys(resources.stackOutputs(settings(MSK_IAM, 'prod')))).toEqual(['UsersFunctionName', 'ProductsFunctionName', 'OrdersFunctionName', 'DashboardName']);
  });
});
