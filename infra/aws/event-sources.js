'use strict';
/**
 * Renders each table function's event source for the stage: an `msk` event (Amazon MSK) or a
 * `kafka` event (self-managed Kafka), chosen by the `sourceKind` stage parameter. Loaded by
 * serverless.yml as `${file(infra/aws/event-sources.js):users}`.
 */

const TOPICS = { users: 'users-topic', products: 'products-topic', orders: 'orders-topic' };

const list = (value) => String(value || '').split(',').map((s) => s.trim()).filter(Boolean);

async function eventsFor(table, { resolveVariable }) {
  const param = (name) => resolveVariable(`param:${name}`);
  const kind = await param('sourceKind');
  const common = {
    topic: TOPICS[table],
    batchSize: Number(await param('batchSize')),
    maximumBatchingWindow: Number(await param('batchWindowSeconds')),
    startingPosition: await param('startingPosition'),
    consumerGroupId: `${await param('consumerGroupPrefix')}-${table}`,
    enabled: String(await param('eventSourceEnabled')) !== 'false',
  };
  if (kind === 'msk') {
    const scram = await param('kafkaSecretArn');
    const auth = await param('kafkaAuth');
    return [{ msk: { arn: await param('mskClusterArn'), ...common, ...(auth === 'scram-sha-512' && scram ? { saslScram512: scram } : {}) } }];
  }
  if (kind === 'kafka') {
    const access = {};
    const scram = await param('kafkaSecretArn');
    if (scram && (await param('kafkaAuth')) === 'scram-sha-512') access.saslScram512Auth = scram;
    const subnets = list(await param('vpcSubnetIds'));
    if (subnets.length) access.vpcSubnet = subnets;
    const securityGroup = await param('vpcSecurityGroupId');
    if (securityGroup) access.vpcSecurityGroup = securityGroup;
    const rootCa = await param('serverRootCaSecretArn');
    if (rootCa) access.serverRootCaCertificate = rootCa;
    const clientCert = await param('clientCertificateSecretArn');
    if (clientCert) access.clientCertificateTlsAuth = clientCert;
    return [{ kafka: { bootstrapServers: list(await param('kafkaBrokers')), accessConfigurations: access, ...common } }];
  }
  throw new Error(`stage parameter sourceKind must be "msk" or "kafka" (got ${JSON.stringify(kind)})`);
}

module.exports = {
  users: (ctx) => eventsFor('users', ctx),
  products: (ctx) => eventsFor('products', ctx),
  orders: (ctx) => eventsFor('orders', ctx),
};
