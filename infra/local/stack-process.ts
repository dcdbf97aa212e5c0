/**
 * The local stack's own process: the Kafka mock cluster behind the limits proxy, and the
 * ClickHouse HTTP endpoint. Kept apart from every Kafka client on purpose: librdkafka's mock
 * crashed when kafkajs clients fetched thousands of records in the same process. The mock runs
 * on its own C thread; the proxy and the ClickHouse endpoint share this process's event loop.
 */
import { ClickHouseHttpServer } from './clickhouse-http-server';
import { KafkaLimitsProxy } from './kafka-limits-proxy';
import { KafkaMockCluster } from './kafka-mock-cluster';
import { KAFKA_DEFAULT_LIMITS } from './kafka-produce-limits';
import type { StackControlResult, StackMessage, StackProcessOptions, StackRequest } from './protocol';
import { createDatabase } from './stack-database';

const send = (message: StackMessage): void => {
  if (process.send && process.connected) process.send(message);
};

const warn = (message: string): void => {
  process.stderr.write(`local stack: ${message}\n`);
};

async function main(): Promise<void> {
  const options = JSON.parse(process.env.LOCAL_STACK_OPTIONS ?? '{}') as StackProcessOptions;
  const kafka = KafkaMockCluster.start({ brokers: options.kafkaBrokers, topics: options.topics, logCaps: options.kafkaLogCaps });
  const proxy = await KafkaLimitsProxy.start({
    upstreams: kafka.bootstrapServers.split(','),
    limits: { ...KAFKA_DEFAULT_LIMITS, ...options.kafkaLimits },
    logCaps: kafka.logCaps,
    onMetadataResponse: () => {
      try {
        kafka.liftNewTopics();
      } catch (error) {
        warn(`an auto-created topic keeps librdkafka's log caps: ${(error as Error).message}`);
      }
    },
  });
  const user = options.clickhouseUser || 'default';
  const password = options.clickhousePassword ?? '';
  const clickhouse = new ClickHouseHttpServer({ dataDir: options.dataDir, port: options.clickhousePort, user, password });
  const clickhouseUrl = await clickhouse.start();
  await createDatabase({ url: clickhouseUrl, user, password }, options.database ?? 'test');

  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await proxy.close();
    await clickhouse.stop();
    kafka.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
  if (options.exitOnDisconnect) process.on('disconnect', () => void stop());

  const handle = async (request: StackRequest): Promise<void> => {
    try {
      let result: StackControlResult;
      switch (request.type) {
        case 'clickhouse-fault':
          clickhouse.setFault(request.fault);
          break;
        case 'clickhouse-credentials':
          clickhouse.setCredentials(request.user, request.password);
          break;
        case 'clickhouse-stats':
          result = clickhouse.requestStats(request.reset);
          break;
        case 'kafka-broker': {
          // Down: the proxy stops accepting first, then the mock ends the open connections.
          // Up: the mock first, so nothing reaches it through the proxy before it listens.
          const address = kafka.brokerAddress(request.broker);
          if (request.up) kafka.setBrokerUp(request.broker);
          await proxy.setUpstreamListening(address, request.up);
          if (!request.up) kafka.setBrokerDown(request.broker);
          break;
        }
        case 'kafka-request-errors':
          kafka.pushRequestErrors(request.apiKey, request.errorCodes);
          break;
        case 'kafka-clear-request-errors':
          kafka.clearRequestErrors(request.apiKey);
          break;
        case 'kafka-create-topic':
          kafka.createTopic(request.topic, request.partitions);
          break;
        case 'kafka-partition-logs':
          result = kafka.partitionLogs(request.topic);
          break;
      }
      send({ type: 'ack', id: request.id, result });
    } catch (error) {
      send({ type: 'ack', id: request.id, error: (error as Error).message });
    }
  };
  process.on('message', (request: StackRequest) => void handle(request));

  send({ type: 'ready', pid: process.pid, kafkaBrokers: proxy.bootstrapServers, kafkaMockBrokers: kafka.bootstrapServers, clickhouseUrl });
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`local stack failed to start: ${message}\n`);
  send({ type: 'failed', message });
  process.exitCode = 1;
  setImmediate(() => process.exit(1));
});
