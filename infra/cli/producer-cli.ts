import { getConfig } from '../../lib/config';
import { createProducer } from '../../lib/kafka/client';
import { generateSampleData } from '../../lib/producer/sample-data';
import { sendSampleData } from '../../lib/producer/send-sample-data';
import { cliKafkaOptions } from './kafka-options';
import { progressBar } from './progress-bar';
import { parseCliArgs, runCli, UsageError } from './run-cli';

const USAGE = `usage: npm run producer -- [--users N] [--products N] [--orders N] [--invalid-rate 0..1] [--seed N]

Sends faker sample records (valid, plus --invalid-rate poison) to users-topic, products-topic and
orders-topic of KAFKA_BROKERS. Counts default to PRODUCER_USERS_COUNT, PRODUCER_PRODUCTS_COUNT,
PRODUCER_ORDERS_COUNT, PRODUCER_INVALID_RATE and PRODUCER_SEED (docs/configuration.md).`;

const number = (flag: string, text: string | undefined, min: number, max: number, integer = true): number | undefined => {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    throw new UsageError(`--${flag} must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max} (got ${JSON.stringify(text)})`);
  }
  return value;
};

runCli(
  async (argv) => {
    const { values } = parseCliArgs({
      args: argv,
      options: { users: { type: 'string' }, products: { type: 'string' }, orders: { type: 'string' }, 'invalid-rate': { type: 'string' }, seed: { type: 'string' } },
    });
    const options = {
      users: number('users', values.users, 0, 10_000_000),
      products: number('products', values.products, 0, 10_000_000),
      orders: number('orders', values.orders, 0, 10_000_000),
      invalidRate: number('invalid-rate', values['invalid-rate'], 0, 1, false),
      seed: number('seed', values.seed, -(2 ** 31), 2 ** 31),
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
