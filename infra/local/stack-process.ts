/**
 * The local stack's own process: the Kafka mock cluster and the ClickHouse HTTP endpoint. Kept
 * apart from every Kafka client on purpose: librdkafka's mock crashed when kafkajs clients
 * fetched thousands of records in the same process.
 */
import { ClickHouseHttpServer } from './clickhouse-http-server';
import { KafkaMockCluster } from './kafka-mock-cluster';
import type { StackMessage, StackProcessOptions, StackRequest } from './protocol';

const send = (message: StackMessage): void => {
  if (process.send && process.connected) process.send(message);
};

async function main(): Promise<void> {
  const options = JSON.parse(process.env.LOCAL_STACK_OPTIONS ?? '{}') as StackProcessOptions;
  const kafka = KafkaMockCluster.start({ brokers: options.kafkaBrokers, topics: options.topics });
  const clickhouse = new ClickHouseHttpServer({
    dataDir: options.dataDir,
    port: options.clickhousePort,
    user: options.clickhouseUser,
    password: options.clickhousePassword,
  });
  const clickhouseUrl = await clickhouse.start();

  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await clickhouse.stop();
    kafka.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
  if (options.exitOnDisconnect) process.on('disconnect', () => void stop());

  process.on('message', (request: StackRequest) => {
    try {
      let data: unknown;
      switch (request.type) {
        case 'clickhouse-fault':
          clickhouse.setFault(request.fault);
          break;
        case 'clickhouse-credentials':
          clickhouse.setCredentials(request.user, request.password);
          break;
        case 'clickhouse-stats':
          data = clickhouse.requestStats(request.reset);
          break;
        case 'kafka-broker':
          if (request.up) kafka.setBrokerUp(request.broker);
          else kafka.setBrokerDown(request.broker);
          break;
        case 'kafka-request-errors':
          kafka.pushRequestErrors(request.apiKey, request.errorCodes);
          break;
        case 'kafka-clear-request-errors':
          kafka.clearRequestErrors(request.apiKey);
          break;
      }
      send({ type: 'ack', id: request.id, data });
    } catch (error) {
      send({ type: 'ack', id: request.id, error: (error as Error).message });
    }
  });

  send({ type: 'ready', pid: process.pid, kafkaBrokers: kafka.bootstrapServers, clickhouseUrl });
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`local stack failed to start: ${message}\n`);
  send({ type: 'failed', message });
  process.exitCode = 1;
  setImmediate(() => process.exit(1));
});
