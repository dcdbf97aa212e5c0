import { parseArgs } from 'node:util';
import { getConfig } from '../../lib/config';
import { createProducer } from '../../lib/kafka/client';
import { generateSampleData } from '../../lib/producer/sample-data';
import { sendSampleData } from '../../lib/producer/send-sample-data';
import { progressBar } from './progress-bar';
import { runCli } from './run-cli';

const USAGE = 'usage: npm run producer -- [--users N] [--products N] [--orders N] [--invalid-rate 0..1] [--seed N]';

const number = (flag: string, text: string | undefined, min: number, max: number, integer = true): number | undefined => {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    throw new Error(`--${flag} must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max} (got ${JSON.stringify(text)}); ${USAGE}`);
  }
  return value;
};

runCli(async (argv) => {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { users: { type: 'string' }, products: { type: 'string' }, orders: { type: 'string' }, 'invalid-rate': { type: 'string' }, seed: { type: 'string' }, help: { type: 'boolean' } },
    }));
  } catch (error) {
    throw new Error(`${(error as Error).message}; ${USAGE}`);
  }
  if (values.help) return void console.log(USAGE);
  const config = getConfig();
  const p = config.producer;
  const options = {
    users: number('users', values.users, 0, 10_000_000) ?? p.users,
    products: number('products', values.products, 0, 10_000_000) ?? p.products,
    orders: number('orders', values.orders, 0, 10_000_000) ?? p.orders,
    invalidRate: number('invalid-rate', values['invalid-rate'], 0, 1, false) ?? p.invalidRate,
    seed: number('seed', values.seed, -(2 ** 31), 2 ** 31) ?? p.seed,
  };
  const records = generateSampleData(options);
  const producer = await createProducer(config.kafka);
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
});
