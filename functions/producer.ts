import { createSampleDataProducer } from '../lib/producer/lambda';

/**
 * Lambda entry (`sls invoke local -f producer`): sends sample data. The event may override the
 * counts: `{ "users": 100, "products": 50, "orders": 500, "invalidRate": 0.1, "seed": 42 }`.
 */
export const handler = createSampleDataProducer();
