import { CA_SECRET, CH_SECRET, CLUSTER, MSK_BROKERS, MSK_IAM, SCRAM_SECRET, SELF_MANAGED, environment, eventSources, roles, settings, stage, stageParams, type Raw } from './stage-params';

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
    // kafkaBrokers: the DLQ producer's brokers, for either source kind, with how to find them.
    [{ mskClusterArn: CLUSTER, kafkaBrokers: '' }, 'kafkaBrokers', `is required: the DLQ producer of every table function connects to these host:port bootstrap brokers; for sourceKind=msk run \`aws kafka get-bootstrap-brokers --cluster-arn ${CLUSTER}\``],
    [{ ...MSK_IAM, kafkaBrokers: '' }, 'kafkaBrokers', 'use BootstrapBrokerStringSaslIam (port 9098) for kafkaAuth=iam'],
    [{ sourceKind: 'kafka', kafkaBrokers: '' }, 'kafkaBrokers', 'is required'],
    [{ kafkaBrokers: 'b-1.example' }, 'kafkaBrokers', 'comma-separated list of host:port bootstrap brokers (got "b-1.example"'],
    // Auth mode consistent with the source kind and the secrets.
    [{ sourceKind: 'kafka', kafkaBrokers: 'k:9092', kafkaAuth: 'iam' }, 'kafkaAuth', 'must be none or scram-sha-512 when sourceKind=kafka (got "iam"'],
    [{ kafkaAuth: 'kerberos' }, 'kafkaAuth', 'must be one of none, iam, scram-sha-512 (got "kerberos")'],
    [{ kafkaAuth: 'scram-sha-512' }, 'kafkaSecretArn', 'required when kafkaAuth=scram-sha-512'],
    [{ kafkaSecretArn: SCRAM_SECRET }, 'kafkaSecretArn', 'applies to kafkaAuth=scram-sha-512 only (kafkaAuth is none)'],
    [{ kafkaAuth: 'scram-sha-512', kafkaSecretArn: 'AmazonMSK_scram' }, 'kafkaSecretArn', 'Secrets Manager secret ARN'],
    [{ sourceKind: 'kafka', kafkaBrokers: 'k:9092' }, 'kafkaAuth', "Lambda needs one of kafkaAuth=scram-sha-512, a client certificate (mTLS) or the brokers' VPC"],
    [{ serverRootCaSecretArn: CA_SECRET }, 'serverRootCaSecretArn', 'sourceKind=kafka'],
    [{ vpcSubnetIds: 'subnet-a', vpcSecurityGroupId: 'sg-1' }, 'vpcSubnetIds', 'self-managed Kafka (sourceKind=kafka) only'],
    [{ sourceKind: 'kafka', kafkaBrokers: 'k:9092', vpcSubnetIds: 'subnet-a' }, 'vpcSecurityGroupId', 'required with the other VPC parameter'],
    [{ kafkaSsl: 'maybe' }, 'kafkaSsl', 'must be true or false (also 1/0, yes/no) (or empty) (got "maybe")'],
    [{ ...MSK_IAM, kafkaSsl: 'false' }, 'kafkaSsl', 'must be true or empty with kafkaAuth=iam on MSK'],
    [{ ...SELF_MANAGED, serverRootCaSecretArn: '', clientCertificateSecretArn: '', kafkaSsl: 'false' }, 'kafkaSsl', 'SASL/SCRAM over TLS only'],
    // The dead-letter topic and the handlers' settings.
    [{ dlqTopic: 'users-topic' }, 'dlqTopic', 'must not be a source topic (users-topic, products-topic, orders-topic) (got "users-topic")'],
    [{ dlqTopic: 'dead letters' }, 'dlqTopic', 'must be a Kafka topic name'],
    [{ dlqMaxMessageBytes: 'abc' }, 'dlqMaxMessageBytes', 'must be an integer from 16384 to 1000000 (got "abc")'],
    [{ logLevel: 'loud' }, 'logLevel', 'must be one of trace, debug, info, warn, error, silent, critical (got "loud")'],
    [{ clickhouseUrl: 'ftp://ch:21' }, 'clickhouseUrl', 'http(s) URL'],
    [{ clickhouseDb: 'my-db' }, 'clickhouseDb', 'plain identifier'],
    [{ clickhouseSecretArn: 'clickhouse' }, 'clickhouseSecretArn', 'Secrets Manager secret ARN'],
    [{ reservedConcurrency: 0 }, 'reservedConcurrency', 'from 1 to 10000 (got 0)'],
    [{ consumerGroupPrefix: 'my group' }, 'consumerGroupPrefix', 'letters, digits'],
    [{ batchSize: '100.5' }, 'batchSize', 'integer from 1 to 10000'],
    [{ alarmOffsetLag: -5 }, 'alarmOffsetLag', 'integer from 1 to'],
    [{ alarmErrorsPerMinute: '1.5' }, 'alarmErrorsPerMinute', 'integer from 1 to 1000000 (got "1.5")'],
    [{ alarmDurationRatio: '2' }, 'alarmDurationRatio', 'number from 0.1 to 1'],
    [{ functionSubnetIds: 'subnet-1' }, 'functionSecurityGroupIds', 'required with the other function VPC parameter'],
    [{ secretsKmsKeyArns: 'alias/msk' }, 'secretsKmsKeyArns', 'KMS key ARNs'],
    [{ mskClusterArn: 'my-cluster' }, 'mskClusterArn', 'MSK cluster ARN'],
    [{ alarmEmail: 'ops' }, 'alarmEmail', 'email address'],
    [{ alarmDatapointsToAlarm: 6 }, 'alarmDatapointsToAlarm', 'alarmEvaluationMinutes'],
    [{ deployProducer: 'maybe' }, 'deployProducer', 'true or false'],
    // Flags take the handlers' spellings (true/false, 1/0, yes/no), lower case only.
    [{ deployProducer: 'TRUE' }, 'deployProducer', 'must be true or false (also 1/0, yes/no) (got "TRUE")'],
    [{ eventSourceEnabled: 'off' }, 'eventSourceEnabled', 'must be true or false (also 1/0, yes/no) (got "off")'],
    [{ kafkaSsl: 'TRUE' }, 'kafkaSsl', 'must be true or false (also 1/0, yes/no) (or empty) (got "TRUE")'],
  ])('rejects %j naming the parameter %s', (overrides, param, detail) => {
    // Act
    const render = () => settings(overrides);
    // Assess
    expect(render).toThrow(stage.StageParameterError);
    expect(render).toThrow(new RegExp(`^stage parameter ${param} .*${detail.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  });

  it('turns TLS on for the DLQ producer whenever the event source uses it', () => {
    const ssl = (overrides: Raw) => environment.kafkaSsl(settings(overrides));
    const inVpc = { sourceKind: 'kafka', kafkaBrokers: 'k:9092', vpcSubnetIds: 'subnet-a', vpcSecurityGroupId: 'sg-1' };
    expect(ssl(MSK_IAM)).toBe('true');
    expect(ssl({ kafkaAuth: 'scram-sha-512', kafkaSecretArn: SCRAM_SECRET })).toBe('true');
    expect(ssl(SELF_MANAGED)).toBe('true');
    expect(ssl({ ...SELF_MANAGED, serverRootCaSecretArn: '', clientCertificateSecretArn: '' })).toBe('true');
    expect(ssl(inVpc)).toBe('');
    expect(ssl({ ...inVpc, kafkaSsl: 'true' })).toBe('true');
    expect(ssl({ ...inVpc, kafkaSsl: 'false' })).toBe('false');
  });

  it('derives the functions\' Kafka environment, the roles and the event sources from one auth mode', () => {
    // Prepare: self-managed Kafka in a VPC without SASL, the shell still holding a SCRAM secret's ARN.
    const noAuth = { sourceKind: 'kafka', kafkaBrokers: 'k1:9092,k2:9092', kafkaAuth: '', vpcSubnetIds: 'subnet-a', vpcSecurityGroupId: 'sg-1', clickhouseSecretArn: CH_SECRET };
    // Act
    const s = settings(noAuth);
    // Assess: nobody reads a SCRAM secret, and the event source goes in through the VPC.
    expect(s.auth).toBe('none');
    expect(environment.kafkaEnvironment(s)).toMatchObject({ KAFKA_AUTH: 'none', KAFKA_BROKERS: 'k1:9092,k2:9092', KAFKA_SECRET_ARN: '', KAFKA_SSL: '', KAFKA_IDEMPOTENT: '' });
    expect(stage.kafkaSecretArns(s)).toEqual([]);
    const role = roles.tableFunctionStatements('users', s);
    expect(role.filter((st: { Action: string[] }) => st.Action.includes('secretsmanager:GetSecretValue')).flatMap((st: { Resource: unknown }) => st.Resource)).toEqual([CH_SECRET]);
    expect(eventSources.eventsOf('users', s)[0].kafka.accessConfigurations).toEqual({ vpcSubnet: ['subnet-a'], vpcSecurityGroup: 'sg-1' });
    expect(() => settings({ ...noAuth, kafkaSecretArn: SCRAM_SECRET })).toThrow(/^stage parameter kafkaSecretArn applies to kafkaAuth=scram-sha-512 only/);
    // SCRAM: the same secret in the environment, the role and the event source.
    const scram = settings(SELF_MANAGED);
    expect(environment.kafkaEnvironment(scram)).toMatchObject({ KAFKA_AUTH: 'scram-sha-512', KAFKA_SECRET_ARN: SCRAM_SECRET, KAFKA_SSL: 'true' });
    expect(eventSources.eventsOf('users', scram)[0].kafka.accessConfigurations.saslScram512Auth).toBe(SCRAM_SECRET);
  });

  it('renders the table functions\' settings from the validated values, as strings', () => {
    const s = settings({ dlqMaxMessageBytes: 65536, clickhouseSecretArn: CH_SECRET, clickhouseDb: 'analytics', logLevel: 'WARN', kafkaIdempotent: 'false' });
    expect(environment.tableEnvironment(s)).toEqual({ CLICKHOUSE_URL: '', CLICKHOUSE_DB: 'analytics', CLICKHOUSE_SECRET_ARN: CH_SECRET, DLQ_TOPIC: 'dlq-topic', DLQ_MAX_MESSAGE_BYTES: '65536' });
    expect(environment.kafkaEnvironment(s)).toMatchObject({ LOG_LEVEL: 'warn', KAFKA_BROKERS: MSK_BROKERS, KAFKA_IDEMPOTENT: 'false' });
  });

  it('lets local commands run without kafkaBrokers and the ClickHouse secret (they read .local/stack.env), nothing else', () => {
    expect(stage.parseStageSettings(stageParams('dev'), { local: true }).brokers).toEqual([]);
    expect(() => stage.parseStageSettings(stageParams('dev'))).toThrow(/^stage parameter kafkaBrokers is required/);
    expect(() => stage.parseStageSettings(stageParams('dev', { kafkaBrokers: MSK_BROKERS }))).toThrow(/^stage parameter clickhouseSecretArn is required to deploy/);
    expect(stage.parseStageSettings(stageParams('dev', { kafkaBrokers: MSK_BROKERS }), { local: true }).clickhouseSecretArn).toBe('');
    expect(stage.isLocalCommand(['invoke', 'local', '-f', 'users'])).toBe(true);
    expect(stage.isLocalCommand(['offline', 'start', '--httpPort', '3000'])).toBe(true);
    expect(stage.isLocalCommand(['package', '--stage', 'dev'])).toBe(false);
    expect(stage.isLocalCommand(['deploy'])).toBe(false);
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
    const s = await stage.stageSettings(resolveVariable, { local: false });
    // Assess
    expect(s).toEqual(settings(MSK_IAM));
    // Every serverless.yml reference shares one parse (and one error) per set of values.
    expect(await stage.stageSettings(resolveVariable, { local: false })).toBe(s);
  });

  describe('--param options on the command line', () => {
    const KNOWN = ['functionTimeout', 'kafkaBrokers', 'deployProducer'];

    it.each([
      ['a misspelt name, with the closest known one', ['package', '--param=functionTimout=10'], 'stage parameter functionTimout is not known (did you mean functionTimeout?)'],
      ['a name in the wrong case', ['package', '--param', 'functiontimeout=10'], 'stage parameter functiontimeout is not known (did you mean functionTimeout?)'],
      ['a name like no known one, with where they are listed', ['package', '--param=region=eu-west-1'], 'stage parameter region is not known (docs/operations.md, "Stage parameters", lists them)'],
      ['an empty value serverless cannot read', ['package', '--param=kafkaBrokers='], 'stage parameter kafkaBrokers has no value in --param="kafkaBrokers=" (serverless cannot read an empty --param): leave the parameter out'],
      ['a name without a value', ['package', '--param', 'deployProducer'], 'stage parameter deployProducer has no value in --param="deployProducer"'],
    ])('refuses %s', (_case, argv, message) => {
      // Act
      const check = () => stage.checkCommandLineParams(argv, KNOWN);
      // Assess
      expect(check).toThrow(stage.StageParameterError);
      expect(check).toThrow(message);
    });

    it('accepts known names in either form, and ignores every other option', () => {
      expect(() => stage.checkCommandLineParams(['deploy', '--stage', 'prod', '--param=functionTimeout=10', '--param', 'deployProducer=false', '--verbose'], KNOWN)).not.toThrow();
      expect(() => stage.checkCommandLineParams(['package'], [])).not.toThrow();
    });

    it('knows every name serverless.yml\'s params blocks define, besides the stage parameters', async () => {
      // Prepare: a prod block with a parameter of its own, read by something other than stage.js.
      const params = stageParams('dev', MSK_IAM);
      const resolveVariable = async (address: string) => {
        if (address === 'self:service') return 'kafka-clickhouse-lambda';
        if (address === 'sls:stage') return 'dev';
        if (address === 'self:params') return { default: {}, prod: { releaseLabel: 'v1' } };
        return params[address.replace(/^param:/, '')];
      };
      // Act
      const known = stage.stageSettings(resolveVariable, { local: false, argv: ['package', '--param=releaseLabel=v2'] });
      const misspelt = stage.stageSettings(resolveVariable, { local: false, argv: ['package', '--param=releaseLabl=v2'] });
      // Assess
      await expect(known).resolves.toEqual(settings(MSK_IAM));
      await expect(misspelt).rejects.toThrow('stage parameter releaseLabl is not known (did you mean releaseLabel?)');
    });
  });

  it('parses a stage once per set of values: every reference gets the same error', async () => {
    const params = stageParams('dev', { kafkaBrokers: MSK_BROKERS, batchSize: 'abc' });
    const resolveVariable = async (address: string) => (address === 'self:service' ? 'kafka-clickhouse-lambda' : address === 'sls:stage' ? 'dev' : params[address.replace(/^param:/, '')]);
    const errors = await Promise.all([1, 2].map(() => stage.stageSettings(resolveVariable, { local: false }).catch((e: Error) => e)));
    expect(errors[0]).toBeInstanceOf(stage.StageParameterError);
    expect(errors[1]).toBe(errors[0]);
    expect(errors[0].message).toBe('stage parameter batchSize must be an integer from 1 to 10000 (got "abc")');
  });
});
