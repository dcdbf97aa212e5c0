import { getConfig } from '../../lib/config';
import { createProducer } from '../../lib/kafka/client';
import { generateSampleData } from '../../lib/producer/sample-data';
import { sendSampleData } from '../../lib/producer/send-sample-data';
import { cliKafkaOptions } from './kafka-options';
import { progressBar } from './progress-bar';
import { decimalOption, integerOption, SEED_RANGE } from './number-options';
import { parseCliArgs, runCli } from './run-cli';

const USAGE = `usage: npm run producer -- [--users N] [--products N] [--orders N] [--invalid-rate 0..1] [--seed N]

Sends faker sample records (valid, plus --invalid-rate poison) to users-topic, products-topic and
orders-topic of KAFKA_BROKERS. Counts default to PRODUCER_USERS_COUNT, PRODUCER_PRODUCTS_COUNT,
PRODUCER_ORDERS_COUNT, PRODUCER_INVALID_RATE and PRODUCER_SEED (docs/configuration.md).`;

const COUNT = { min: 0, max: 10_000_000 };

runCli(
  async (argv) => {
    const { values } = parseCliArgs({
      args: argv,
      options: { users: { type: 'string' }, products: { type: 'string' }, orders: { type: 'string' }, 'invalid-rate': { type: 'string' }, seed: { type: 'string' } },
    });
    const options = {
      users: integerOption('users', values.users, COUNT),
      products: integerOption('products', values.products, COUNT),
      orders: integerOption('orders', values.orders, COUNT),
      invalidRate: decimalOption('invalid-rate', values['invalid-rate'], { min: 0, max: 1 }),
      seed: integerOption('seed', values.seed, SEED_RANGE),
    };
    const config = getConfig();
    const p = config.producer;
    const records = generateSampleData({
      users: options.users ?? p.users,
      products: options.products ?? p.products,
      orders: options.orders ?? p.orders,
      invalidRate: options.invalidRate ?? p.invalidRate,
      seed: options.seed ?? p.seed,
    });
    const producer = await createProducer(config.kafka, cliKafkaOptions());
    await producer.connect();
    const bar = records.length > 1_000 ? progressBar(process.stderr) : undefined;
    try {
      const started = Date.now();
      const topics = await sendSampleData(producer, records, { onProgress: bar });
      console.log(`Sent ${records.length} records to ${config.kafka.brokers.join(',')} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      console.table(topics.map((t) => ({ topic: t.topic, sent: t.sent, valid: t.valid, poison: t.poison })));
    } finally {
      await producer.disconnect();
    }
  },
  { command: 'npm run producer', usage: USAGE },
);
