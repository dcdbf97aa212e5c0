import { CA_SECRET, CERT_SECRET, CLUSTER, MSK_IAM, MSK_SCRAM, SCRAM_SECRET, SELF_MANAGED, eventSources, settings, type Resource } from './stage-params';

const DLQ_AFTER_RETRIES = { failurePolicy: 'dlq-after-retries' };
const mappings = (overrides: Record<string, string | number>): Record<string, Resource> => eventSources.mappingResources(settings(overrides));

describe('event sources (infra/aws/event-sources.js)', () => {
  describe('retry-until-success (default)', () => {
    it('gives each table function one msk event on its own topic and consumer group, and renders no raw mapping', () => {
      // Act
      const events = eventSources.eventsOf('orders', settings(MSK_SCRAM));
      // Assess
      expect(events).toEqual([
        {
          msk: {
            arn: CLUSTER,
            topic: 'orders-topic',
            batchSize: 1000,
            maximumBatchingWindow: 5,
            startingPosition: 'TRIM_HORIZON',
            consumerGroupId: 'kafka-clickhouse-lambda-dev-orders',
            enabled: true,
            saslScram512: SCRAM_SECRET,
          },
        },
      ]);
      expect(mappings(MSK_SCRAM)).toEqual({});
    });

    it('gives self-managed Kafka its brokers, SCRAM, VPC, private root CA and client certificate', () => {
      const [event] = eventSources.eventsOf('users', settings(SELF_MANAGED));
      expect(event.kafka).toMatchObject({
        bootstrapServers: ['kafka-1.internal:9096', 'kafka-2.internal:9096'],
        accessConfigurations: {
          saslScram512Auth: SCRAM_SECRET,
          vpcSubnet: ['subnet-aaa', 'subnet-bbb'],
          vpcSecurityGroup: 'sg-123',
          serverRootCaCertificate: CA_SECRET,
          clientCertificateTlsAuth: CERT_SECRET,
        },
      });
    });
  });

  describe('dlq-after-retries', () => {
    it('never diverts records for their age unless the stage sets a limit', () => {
      // Act
      const byDefault = Object.values(mappings({ ...MSK_IAM, ...DLQ_AFTER_RETRIES }));
      const limited = Object.values(mappings({ ...MSK_IAM, ...DLQ_AFTER_RETRIES, maxRecordAgeSeconds: '86400' }));
      // Assess
      expect(byDefault).toHaveLength(3);
      for (const m of byDefault) expect(m.Properties).not.toHaveProperty('MaximumRecordAgeInSeconds');
      for (const m of limited) expect(m.Properties.MaximumRecordAgeInSeconds).toBe(86400);
    });

    it('renders provisioned-mode mappings with a retry limit, a Kafka on-failure destination, metrics and logs', () => {
      const { UsersKafkaEventSourceMapping: users } = mappings({ ...MSK_IAM, ...DLQ_AFTER_RETRIES, esmLogLevel: 'info' });
      expect(users!.DependsOn).toEqual(['UsersExecutionRole']);
      expect(users!.Properties).toMatchObject({
        FunctionName: { 'Fn::GetAtt': ['UsersLambdaFunction', 'Arn'] },
        EventSourceArn: CLUSTER,
        Topics: ['users-topic'],
        AmazonManagedKafkaEventSourceConfig: { ConsumerGroupId: 'kafka-clickhouse-lambda-dev-users' },
        StartingPosition: 'TRIM_HORIZON',
        ProvisionedPollerConfig: { MinimumPollers: 1, MaximumPollers: 3 },
        MaximumRetryAttempts: 10,
        BisectBatchOnFunctionError: true,
        DestinationConfig: { OnFailure: { Destination: 'kafka://dlq-topic' } },
        MetricsConfig: { Metrics: ['EventCount', 'ErrorCount', 'KafkaMetrics'] },
        LoggingConfig: { SystemLogLevel: 'INFO' },
      });
      // The handler fails or succeeds a batch as a whole: no partial batch responses.
      expect(users!.Properties).not.toHaveProperty('FunctionResponseTypes');
    });

    it('renders self-managed mappings with the same access configurations as the events', () => {
      const { ProductsKafkaEventSourceMapping: products } = mappings({ ...SELF_MANAGED, ...DLQ_AFTER_RETRIES });
      expect(products!.Properties.SelfManagedEventSource).toEqual({ Endpoints: { KafkaBootstrapServers: ['kafka-1.internal:9096', 'kafka-2.internal:9096'] } });
      expect(products!.Properties.SourceAccessConfigurations).toEqual([
        { Type: 'SASL_SCRAM_512_AUTH', URI: SCRAM_SECRET },
        { Type: 'VPC_SUBNET', URI: 'subnet:subnet-aaa' },
        { Type: 'VPC_SUBNET', URI: 'subnet:subnet-bbb' },
        { Type: 'VPC_SECURITY_GROUP', URI: 'security_group:sg-123' },
        { Type: 'SERVER_ROOT_CA_CERTIFICATE', URI: CA_SECRET },
        { Type: 'CLIENT_CERTIFICATE_TLS_AUTH', URI: CERT_SECRET },
      ]);
      expect(products!.Properties).not.toHaveProperty('EventSourceArn');
    });

    it('gives no events to the functions: the mappings are the only event sources', () => {
      expect(eventSources.eventsOf('users', settings({ ...MSK_IAM, ...DLQ_AFTER_RETRIES }))).toEqual([]);
    });
  });
});
