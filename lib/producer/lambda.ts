import { z } from 'zod';
import { getConfig, type Config } from '../config';
import { createProducer } from '../kafka/client';
import { InvalidEventError } from '../errors';
import { createLogger } from '../logger';
import { generateSampleData } from './sample-data';
import { sendSampleData, type TopicSummary } from './send-sample-data';

const OverridesSchema = z
  .object({
    users: z.number().int().min(0).max(1_000_000),
    products: z.number().int().min(0).max(1_000_000),
    orders: z.number().int().min(0).max(1_000_000),
    invalidRate: z.number().min(0).max(1),
    seed: z.number().int(),
  })
  .partial()
  // A misspelt key (`user`, `invalid_rate`) would otherwise be dropped and the default used, silently.
  .strict();

export type ProducerOverrides = z.infer<typeof OverridesSchema>;

const EXAMPLE = '{"users": 100}';

/** Why an invoke event is not a set of counts, in the caller's terms. */
function describeInvalidEvent(event: unknown, issues: readonly z.core.$ZodIssue[]): string {
  // `sls invoke local --data` passes text that is not JSON on as a string.
  if (typeof event === 'string') return `the producer event must be a JSON object like ${EXAMPLE} (got a string: is --data valid JSON?)`;
  if (typeof event !== 'object' || Array.isArray(event)) return `the producer event must be a JSON object like ${EXAMPLE} (got ${Array.isArray(event) ? 'an array' : `a ${typeof event}`})`;
  const unknown = issues.flatMap((i) => (i.code === 'unrecognized_keys' ? i.keys : []));
  if (unknown.length) {
    return `the producer event has unknown key${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => JSON.stringify(k)).join(', ')}: use ${Object.keys(OverridesSchema.shape).join(', ')}`;
  }
  return `invalid producer event: ${issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`;
}

/** The producer Lambda: counts from `PRODUCER_*` env, overridable by the invoke event. */
export function createSampleDataProducer(config: Config = getConfig()) {
  const logger = createLogger(config, { component: 'producer' });
  return async (event: unknown): Promise<{ topics: TopicSummary[] }> => {
    const parsed = OverridesSchema.safeParse(event ?? {});
    if (!parsed.success) throw new InvalidEventError(describeInvalidEvent(event, parsed.error.issues));
    const records = generateSampleData({ ...config.producer, ...parsed.data });
    const producer = await createProducer(config.kafka);
    await producer.connect();
    try {
      const topics = await sendSampleData(producer, records);
      logger.info('sample data sent', { topics });
      return { topics };
    } finally {
      await producer.disconnect();
    }
  };
}
