import { CA_SECRET, CERT_SECRET, CH_SECRET, CLUSTER, MSK_IAM, MSK_SCRAM, SCRAM_SECRET, SELF_MANAGED, grants, groupArn, roles, settings, topicArn, type Resource, type Statement } from './stage-params';

const statementsOf = (role: Resource): Statement[] => role.Properties.Policies[0].PolicyDocument.Statement;
const roleOf = (fn: string, overrides: Record<string, string | number>, stageName = 'dev'): Statement[] => {
  const role = roles.roleResources(settings(overrides, stageName))[`${fn.charAt(0).toUpperCase()}${fn.slice(1)}ExecutionRole`];
  if (!role) throw new Error(`no role for ${fn}`);
  return statementsOf(role);
};
const actions = (statements: Statement[]) => statements.flatMap((s) => s.Action).sort();
const logGroup = (fn: string) => ({ 'Fn::Sub': `arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:/aws/lambda/kafka-clickhouse-lambda-dev-${fn}:*` });

describe('execution roles (infra/aws/roles.js)', () => {
  it('renders one role per function, assumable by Lambda only, and none for a producer the stage does not deploy', () => {
    // Act
    const dev = roles.roleResources(settings(MSK_IAM));
    const prod = roles.roleResources(settings(MSK_IAM, 'prod'));
    // Assess
    expect(Object.keys(dev)).toEqual(['UsersExecutionRole', 'ProductsExecutionRole', 'OrdersExecutionRole', 'ProducerExecutionRole']);
    expect(Object.keys(prod)).toEqual(['UsersExecutionRole', 'ProductsExecutionRole', 'OrdersExecutionRole']);
    for (const role of Object.values(dev) as Resource[]) {
      expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([{ Effect: 'Allow', Principal: { Service: ['lambda.amazonaws.com'] }, Action: ['sts:AssumeRole'] }]);
    }
  });

  it('MSK IAM: a table function reads its own topic in its own group and writes only the DLQ topic', () => {
    // Act
    const users = roleOf('users', MSK_IAM);
    // Assess
    expect(grants(users, 'kafka-cluster:Connect')).toEqual([CLUSTER]);
    // The six actions Lambda's MSK event source needs with IAM auth ("Configuring Amazon MSK event
    // sources for Lambda": https://docs.aws.amazon.com/lambda/latest/dg/with-msk-configure.html).
    expect(grants(users, 'kafka-cluster:DescribeClusterDynamicConfiguration')).toEqual([CLUSTER]);
    expect(grants(users, 'kafka-cluster:DescribeGroup')).toEqual([groupArn('kafka-clickhouse-lambda-dev-users')]);
    expect(grants(users, 'kafka-cluster:ReadData')).toEqual([topicArn('users-topic')]);
    expect(grants(users, 'kafka-cluster:AlterGroup')).toEqual([groupArn('kafka-clickhouse-lambda-dev-users')]);
    expect(grants(users, 'kafka-cluster:WriteData')).toEqual([topicArn('dlq-topic')]);
    expect(grants(users, 'kafka-cluster:DescribeTopic').sort()).toEqual([topicArn('dlq-topic'), topicArn('users-topic')]);
    // The DLQ producer is idempotent unless the stage turns that off.
    expect(grants(users, 'kafka-cluster:WriteDataIdempotently')).toEqual([CLUSTER]);
    expect(grants(roleOf('users', { ...MSK_IAM, kafkaIdempotent: 'false' }), 'kafka-cluster:WriteDataIdempotently')).toEqual([]);
    // …but Lambda's kafka:// on-failure destination writes the DLQ topic as the function, idempotent or not.
    const onFailure = roleOf('users', { ...MSK_IAM, kafkaIdempotent: 'false', failurePolicy: 'dlq-after-retries' });
    expect(grants(onFailure, 'kafka-cluster:WriteDataIdempotently')).toEqual([CLUSTER]);
    expect(grants(onFailure, 'kafka-cluster:WriteData')).toEqual([topicArn('dlq-topic')]);
    // What the framework used to add for msk events: the cluster, the pollers' network interfaces, its own logs.
    expect(grants(users, 'kafka:DescribeClusterV2')).toEqual([CLUSTER]);
    expect(grants(users, 'kafka:GetBootstrapBrokers')).toEqual([CLUSTER]);
    expect(grants(users, 'ec2:CreateNetworkInterface')).toEqual(['*']);
    expect(grants(users, 'logs:PutLogEvents')).toEqual([logGroup('users')]);
    expect(grants(users, 'secretsmanager:GetSecretValue')).toEqual([CH_SECRET]);
  });

  it('the producer writes and describes the three source topics and can read nothing', () => {
    // Act
    const producer = roleOf('producer', MSK_IAM);
    // Assess
    const sources = [topicArn('users-topic'), topicArn('products-topic'), topicArn('orders-topic')];
    expect(grants(producer, 'kafka-cluster:WriteData')).toEqual(sources);
    expect(grants(producer, 'kafka-cluster:DescribeTopic')).toEqual(sources);
    expect(grants(producer, 'kafka-cluster:Connect')).toEqual([CLUSTER]);
    expect(actions(producer)).toEqual(['kafka-cluster:Connect', 'kafka-cluster:DescribeTopic', 'kafka-cluster:WriteData', 'kafka-cluster:WriteDataIdempotently', 'logs:CreateLogStream', 'logs:PutLogEvents']);
    expect(grants(producer, 'logs:PutLogEvents')).toEqual([logGroup('producer')]);
  });

  it('MSK SCRAM: the function reads the ClickHouse and SCRAM secrets; no kafka-cluster actions', () => {
    const orders = roleOf('orders', MSK_SCRAM);
    expect(grants(orders, 'secretsmanager:GetSecretValue')).toEqual([CH_SECRET, SCRAM_SECRET]);
    expect(actions(orders).filter((a) => a.startsWith('kafka-cluster:'))).toEqual([]);
    expect(grants(roleOf('producer', MSK_SCRAM), 'secretsmanager:GetSecretValue')).toEqual([SCRAM_SECRET]);
  });

  it('self-managed Kafka: exactly the secrets its event source and DLQ producer use, network interfaces for its VPC, no MSK actions', () => {
    const products = roleOf('products', SELF_MANAGED);
    expect(grants(products, 'secretsmanager:GetSecretValue')).toEqual([CH_SECRET, SCRAM_SECRET, CA_SECRET, CERT_SECRET]);
    expect(grants(products, 'ec2:DeleteNetworkInterface')).toEqual(['*']);
    expect(actions(products).filter((a) => a.startsWith('kafka'))).toEqual([]);
    // Without a VPC there is no network interface to manage.
    const outsideVpc = roleOf('products', { sourceKind: 'kafka', kafkaBrokers: 'k:9096', kafkaAuth: 'scram-sha-512', kafkaSecretArn: SCRAM_SECRET, clickhouseSecretArn: CH_SECRET });
    expect(actions(outsideVpc)).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents', 'secretsmanager:GetSecretValue']);
  });

  it('lets a function that reads a secret decrypt it with the stage keys, through Secrets Manager only', () => {
    // Prepare
    const key = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    // Act
    const users = roleOf('users', { ...MSK_SCRAM, secretsKmsKeyArns: key });
    const producerWithoutSecrets = roleOf('producer', { ...MSK_IAM, secretsKmsKeyArns: key });
    // Assess
    const decrypt = users.find((s) => s.Action.includes('kms:Decrypt')) as Statement & { Condition: unknown };
    expect(decrypt.Resource).toEqual([key]);
    expect(decrypt.Condition).toEqual({ StringEquals: { 'kms:ViaService': { 'Fn::Sub': 'secretsmanager.${AWS::Region}.amazonaws.com' } } });
    expect(grants(producerWithoutSecrets, 'kms:Decrypt')).toEqual([]);
    expect(grants(roleOf('users', MSK_SCRAM), 'kms:Decrypt')).toEqual([]);
  });

  it('lets every function manage its own network interfaces when the functions run in a VPC', () => {
    // Act
    const inVpc = { ...MSK_SCRAM, functionSubnetIds: 'subnet-1,subnet-2', functionSecurityGroupIds: 'sg-9' };
    // Assess
    for (const fn of ['users', 'producer']) {
      expect(grants(roleOf(fn, inVpc), 'ec2:AssignPrivateIpAddresses')).toEqual(['*']);
      expect(roleOf(fn, inVpc).filter((s) => s.Action.includes('ec2:CreateNetworkInterface'))).toHaveLength(1);
    }
    expect(grants(roleOf('producer', MSK_SCRAM), 'ec2:CreateNetworkInterface')).toEqual([]);
    expect(grants(roleOf('users', MSK_SCRAM), 'ec2:AssignPrivateIpAddresses')).toEqual([]);
  });

  it('grants no wildcard action, and a wildcard resource only for the EC2 network-interface actions', () => {
    for (const config of [MSK_IAM, MSK_SCRAM, SELF_MANAGED]) {
      for (const fn of ['users', 'products', 'orders', 'producer']) {
        for (const statement of roleOf(fn, config)) {
          expect(statement.Action.some((a) => a.includes('*'))).toBe(false);
          if ([statement.Resource].flat().includes('*')) expect(statement.Action.every((a) => a.startsWith('ec2:'))).toBe(true);
        }
      }
    }
  });
});
