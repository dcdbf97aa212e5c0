import { TABLE_NAMES, TOPIC_OF_TABLE } from '../../lib/schemas';
import type { EventSourceMappingDefinition } from '../serverless-offline-kafka/event-source-poller';
import { handlerLoader } from '../serverless-offline-kafka/plugin-core';
import { mappingsFromService, type ServerlessServiceLike } from '../serverless-offline-kafka/serverless-mappings';
import { PROJECT_ROOT } from '../local/local-stack';

/**
 * The three table functions as `sls offline` sees them, tuned for quick local runs. The service
 * name prefixes the consumer groups (`<service>-users`, …): `npm start` and `npm run consumer`
 * use different ones, so running both at once never splits a topic's partitions between them.
 */
export function localService(service: string): ServerlessServiceLike {
  return {
    service,
    functions: Object.fromEntries(
      TABLE_NAMES.map((table) => [
        table,
        {
          handler: `functions/${table}.handler`,
          events: [{ msk: { arn: 'arn:aws:kafka:local:000000000000:cluster/local/local', topic: TOPIC_OF_TABLE[table], batchSize: 500, maximumBatchingWindow: 0.2, startingPosition: 'TRIM_HORIZON' } }],
        },
      ]),
    ),
  };
}

export const DEMO_SERVICE = 'kafka-clickhouse-lambda-local';
export const CONSUMER_SERVICE = 'kafka-clickhouse-lambda-consumer';

/** The event source mappings of the local table functions, running this repository's handlers. */
export const localMappings = (service: string, brokers: readonly string[]): EventSourceMappingDefinition[] =>
  mappingsFromService(localService(service), brokers, handlerLoader(PROJECT_ROOT));

/** The handlers keep connections per container (module); local tools close them when done. */
export async function closeTableHandlers(): Promise<void> {
  for (const table of TABLE_NAMES) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(`${PROJECT_ROOT}/functions/${table}`) as { handler: { close(): Promise<void> } };
    await mod.handler.close();
  }
}
