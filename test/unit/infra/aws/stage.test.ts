import { MSK_IAM, SELF_MANAGED, settings, stage, stageParams, type Raw } from './stage-params';

describe('stage settings (infra/aws/stage.js)', () => {
  it('accepts the defaults of serverless.yml: MSK, retry until success, no record-age limit, the producer outside prod', () => {
    // Act
    const dev = settings();
    const prod = settings({}, 'prod');
    // Assess
    expect(dev).toMatchObject({ kind: 'msk', failurePolicy: 'retry-until-success', startingPosition: 'TRIM_HORIZON', functionTimeout: 60, deployProducer: true, idempotent: true });
    expect(dev.maxRecordAgeSeconds).toBeUndefined();
    expect(prod.deployProducer).toBe(false);
    expect(prod.consumerGroupPrefix).toBe('kafka-clickhouse-lambda-prod');
  });

  it('reads numbers and flags given as --param strings', () => {
    const s = settings({ batchSize: '500', failurePolicy: 'dlq-after-retries', maxRecordAgeSeconds: '-1', deployProducer: 'false', alarmDurationRatio: '0.9' });
    expect(s).toMatchObject({ batchSize: 500, maxRecordAgeSeconds: -1, deployProducer: false });
    expect(s.alarms.durationRatio).toBe(0.9);
  });

  it.each([
    [{ functionTimeout: 900 }, 'functionTimeout', 'from 1 to 840'],
    [{ failurePolicy: 'dlq-after-retries', maxRecordAgeSeconds: 30 }, 'maxRecordAgeSeconds', '-1 or from 60 to 604800'],
    [{ maxRecordAgeSeconds: 3600 }, 'maxRecordAgeSeconds', 'failurePolicy=dlq-after-retries only'],
    [{ failurePolicy: 'drop' }, 'failurePolicy', 'retry-until-success, dlq-after-retries'],
    [{ sourceKind: 'kafka', kafkaBrokers: '' }, 'kafkaBrokers', 'required when sourceKind=kafka'],
    [{ sourceKind: 'kafka', kafkaBrokers: 'k:9092', kafkaAuth: 'iam' }, 'kafkaAuth', 'Amazon MSK'],
    [{ kafkaAuth: 'scram-sha-512' }, 'kafkaSecretArn', 'required when kafkaAuth=scram-sha-512'],
    [{ serverRootCaSecretArn: 'arn:aws:secretsmanager:eu-west-1:1:secret:ca' }, 'serverRootCaSecretArn', 'sourceKind=kafka'],
    [{ sourceKind: 'kafka', kafkaBrokers: 'k:9092', vpcSubnetIds: 'subnet-a' }, 'vpcSecurityGroupId', 'required with the other VPC parameter'],
    [{ functionSubnetIds: 'subnet-1' }, 'functionSecurityGroupIds', 'required with the other function VPC parameter'],
    [{ secretsKmsKeyArns: 'alias/msk' }, 'secretsKmsKeyArns', 'KMS key ARNs'],
    [{ mskClusterArn: 'my-cluster' }, 'mskClusterArn', 'MSK cluster ARN'],
    [{ alarmEmail: 'ops' }, 'alarmEmail', 'email address'],
    [{ alarmDatapointsToAlarm: 6 }, 'alarmDatapointsToAlarm', 'alarmEvaluationMinutes'],
    [{ deployProducer: 'maybe' }, 'deployProducer', 'true or false'],
  ])('rejects %j naming the parameter %s', (overrides, param, detail) => {
    // Act
    const render = () => settings(overrides);
    // Assess
    expect(render).toThrow(stage.StageParameterError);
    expect(render).toThrow(new RegExp(`^stage parameter ${param} .*${detail.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  });

  it('turns TLS on for the DLQ producer whenever the event source uses it', () => {
    const ssl = (overrides: Raw, param = '') => stage.kafkaSsl(settings(overrides), param);
    expect(ssl(MSK_IAM)).toBe('true');
    expect(ssl({ kafkaAuth: 'scram-sha-512', kafkaSecretArn: 'arn:aws:secretsmanager:eu-west-1:1:secret:AmazonMSK_s' })).toBe('true');
    expect(ssl(SELF_MANAGED)).toBe('true');
    expect(ssl({ sourceKind: 'kafka', kafkaBrokers: 'k:9092' })).toBe('');
    expect(ssl({ sourceKind: 'kafka', kafkaBrokers: 'k:9093' }, 'true')).toBe('true');
  });

  it('attaches the functions to a VPC only when the stage names subnets and security groups', () => {
    expect(stage.functionVpc(settings())).toBeNull();
    expect(stage.functionVpc(settings({ functionSubnetIds: 'subnet-1, subnet-2', functionSecurityGroupIds: 'sg-9' }))).toEqual({ subnetIds: ['subnet-1', 'subnet-2'], securityGroupIds: ['sg-9'] });
  });

  it('offers every parameter serverless.yml defines to the renderers', async () => {
    // Prepare: a resolver that answers from serverless.yml's own params, as serverless would.
    const params = stageParams('dev', MSK_IAM);
    const resolveVariable = async (address: string) => {
      if (address === 'self:service') return 'kafka-clickhouse-lambda';
      if (address === 'sls:stage') return 'dev';
      const name = address.replace(/^param:/, '');
      if (!(name in params)) throw new Error(`serverless.yml has no param ${name}`);
      return params[name];
    };
    // Act
    const s = await stage.stageSettings(resolveVariable);
    // Assess
    expect(s).toEqual(settings(MSK_IAM));
  });
});
