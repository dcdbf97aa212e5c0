import { MSK_IAM, dashboard, resources, settings, type Resource } from './stage-params';

interface Widget { type: string; x: number; y: number; width: number; height: number; properties: Record<string, any> }

/** The body as CloudWatch receives it, with Fn::Sub's references replaced by recognisable values. */
function deployedBody(overrides: Record<string, string | number> = {}): { widgets: Widget[] } {
  const { Dashboard } = dashboard.dashboardResources(settings({ ...MSK_IAM, ...overrides })) as Record<string, Resource>;
  const template: string = Dashboard!.Properties.DashboardBody['Fn::Sub'];
  return JSON.parse(template.replace(/\$\{([A-Za-z0-9:]+)(\.Arn)?\}/g, (_, id: string, arn?: string) => (arn ? `arn:${id}` : id === 'AWS::Region' ? 'eu-west-1' : `fn:${id}`)));
}

describe('dashboard (infra/aws/dashboard.js)', () => {
  it('is valid JSON once CloudFormation substitutes the region, function names and alarm ARNs', () => {
    // Act
    const body = deployedBody();
    // Assess
    expect(body.widgets.filter((w) => w.type === 'metric').every((w) => w.properties.region === 'eu-west-1')).toBe(true);
    const { Dashboard } = dashboard.dashboardResources(settings(MSK_IAM)) as Record<string, Resource>;
    expect(Dashboard!.Properties.DashboardName).toBe('kafka-clickhouse-lambda-dev');
  });

  it('shows the state of every alarm of the stack', () => {
    const alarmIds = Object.entries(resources.stackResources(settings(MSK_IAM)) as Record<string, Resource>).filter(([, r]) => r.Type === 'AWS::CloudWatch::Alarm').map(([id]) => `arn:${id}`);
    const alarmWidget = deployedBody().widgets.find((w) => w.type === 'alarm');
    expect(alarmWidget!.properties.alarms.sort()).toEqual(alarmIds.sort());
  });

  it('has a row per table with throughput, lag, dead letters and duration against the timeout', () => {
    // Act
    const metrics = deployedBody({ functionTimeout: '90' }).widgets.filter((w) => w.type === 'metric');
    // Assess
    expect(metrics).toHaveLength(12);
    for (const table of ['users', 'products', 'orders']) {
      const row = metrics.filter((w) => w.properties.title.startsWith(`${table}:`));
      expect(row.map((w) => w.x)).toEqual([0, 6, 12, 18]);
      const names = row.map((w) => w.properties.metrics.map((m: unknown[]) => `${m[0]}/${m[1]}`));
      expect(names[0]).toEqual(['KafkaClickHouse/RecordsReceived', 'KafkaClickHouse/RecordsInserted', 'KafkaClickHouse/DuplicatesSkipped']);
      expect(names[1]).toEqual(['AWS/Lambda/OffsetLag']);
      expect(names[2]).toEqual(expect.arrayContaining(['KafkaClickHouse/RecordsSentToDlq', 'AWS/Lambda/Errors']));
      expect(names[3]).toContain('AWS/Lambda/Duration');
      expect(row[3]!.properties.annotations.horizontal).toEqual([{ label: 'timeout', value: 90_000 }]);
      // Lambda's metrics name the table's own function.
      expect(row[1]!.properties.metrics[0]).toContain(`fn:${table.charAt(0).toUpperCase()}${table.slice(1)}LambdaFunction`);
    }
  });
});
