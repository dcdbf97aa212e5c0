import type { EventSourceMappingDefinition, LambdaLikeHandler } from './event-source-poller';

/** The parts of a resolved serverless.yml this plugin reads. */
export interface ServerlessServiceLike {
  readonly service: string;
  readonly functions: Record<string, { readonly handler?: string; readonly events?: ReadonlyArray<Record<string, unknown>> }>;
}

interface KafkaEventConfig {
  readonly arn?: string;
  readonly bootstrapServers?: string[];
  readonly topic: string;
  readonly batchSize?: number;
  readonly maximumBatchingWindow?: number;
  readonly startingPosition?: 'LATEST' | 'TRIM_HORIZON' | 'AT_TIMESTAMP';
  readonly enabled?: boolean;
  readonly consumerGroupId?: string;
}

/** AWS defaults for Kafka event source mappings. */
const DEFAULT_BATCH_SIZE = 100;
const DEFAULT_WINDOW_SECONDS = 0.5;

/**
 * Reads every function's `msk` and `kafka` events. `localBrokers` are where the emulator really
 * connects; the event still names the declared cluster ARN or bootstrap servers.
 */
export function mappingsFromService(
  service: ServerlessServiceLike,
  localBrokers: readonly string[],
  loadHandler: (handlerPath: string) => LambdaLikeHandler,
): EventSourceMappingDefinition[] {
  const mappings: EventSourceMappingDefinition[] = [];
  for (const [functionName, fn] of Object.entries(service.functions)) {
    for (const event of fn.events ?? []) {
      const msk = event.msk as KafkaEventConfig | undefined;
      const kafka = event.kafka as KafkaEventConfig | undefined;
      const config = msk ?? kafka;
      if (!config) continue;
      if (!fn.handler) throw new Error(`function ${functionName} has a Kafka event but no handler`);
      mappings.push({
        functionName,
        handler: loadHandler(fn.handler),
        source: msk
          ? { kind: 'msk', clusterArn: String(msk.arn), bootstrapServers: localBrokers.join(',') }
          : { kind: 'kafka', bootstrapServers: (kafka!.bootstrapServers ?? localBrokers).join(',') },
        topic: config.topic,
        batchSize: config.batchSize ?? DEFAULT_BATCH_SIZE,
        maximumBatchingWindowSeconds: config.maximumBatchingWindow ?? DEFAULT_WINDOW_SECONDS,
        startingPosition: config.startingPosition ?? 'TRIM_HORIZON',
        consumerGroupId: config.consumerGroupId ?? `${service.service}-${functionName}`,
        enabled: config.enabled ?? true,
      });
    }
  }
  return mappings;
}
