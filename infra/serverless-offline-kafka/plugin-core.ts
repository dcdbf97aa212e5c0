import { join } from 'node:path';
import { getConfig } from '../../lib/config';
import { kafkaClientOptions } from '../../lib/kafka/client';
import { createLogger } from '../../lib/logger';
import { KAFKA_BACK_LINE, kafkaLostLine } from './connection-lines';
import { KafkaEventSourceEmulator } from './emulator';
import type { LambdaLikeHandler } from './event-source-poller';
import { isRedeliveryMode, REDELIVERY_MODES, type RedeliveryMode } from './redelivery';
import { mappingsFromService, type ServerlessServiceLike } from './serverless-mappings';

export interface PluginContext {
  /** The folder holding serverless.yml; handler paths are relative to it. */
  readonly serviceDir: string;
  /** provider.environment: applied like Lambda would (empty values stay unset). */
  readonly environment?: Record<string, unknown>;
  readonly redelivery?: RedeliveryMode;
  /** Prints a line for the person running `sls offline start` (losing Kafka, getting it back). */
  readonly notify?: (level: 'warning' | 'notice', line: string) => void;
}

/** Loads `functions/users.handler` from the service's source files. */
export function handlerLoader(serviceDir: string) {
  return (handlerPath: string): LambdaLikeHandler => {
    const dot = handlerPath.lastIndexOf('.');
    const file = join(serviceDir, handlerPath.slice(0, dot));
    const exportName = handlerPath.slice(dot + 1);
    let cached: LambdaLikeHandler | undefined;
    // Loaded on first invocation, as Lambda does at cold start: configuration errors surface there.
    return (event, context) => {
      if (!cached) {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const handler = (require(file) as Record<string, unknown>)[exportName];
        if (typeof handler !== 'function') throw new Error(`${handlerPath}: ${file} exports no function "${exportName}"`);
        cached = handler as LambdaLikeHandler;
      }
      return cached(event, context);
    };
  };
}

/** Starts polling for every `msk` / `kafka` event of the service; returns the running emulator. */
export async function startEmulatorForService(service: ServerlessServiceLike, context: PluginContext): Promise<KafkaEventSourceEmulator> {
  for (const [name, value] of Object.entries(context.environment ?? {})) {
    if (typeof value === 'string' && value !== '' && process.env[name] === undefined) process.env[name] = value;
  }
  if (context.redelivery !== undefined && !isRedeliveryMode(context.redelivery)) {
    throw new Error(`custom.serverless-offline-kafka.redelivery must be one of ${REDELIVERY_MODES.join(', ')} (got ${JSON.stringify(context.redelivery)})`);
  }
  // Locally the handlers' log lines also go to logs/combined.log, error.log and <table>.log.
  process.env.LOG_DIR ??= join(context.serviceDir, 'logs');
  const config = getConfig();
  const mappings = mappingsFromService(service, config.kafka.brokers, handlerLoader(context.serviceDir));
  const emulator = new KafkaEventSourceEmulator({
    kafka: await kafkaClientOptions(config.kafka),
    mappings,
    logger: createLogger(config, { component: 'kafka-event-source' }),
    redelivery: context.redelivery,
  });
  const notify = context.notify ?? (() => undefined);
  emulator.on('kafka-lost', (error: Error) => notify('warning', kafkaLostLine(config.kafka.brokers, error)));
  emulator.on('kafka-back', () => notify('notice', KAFKA_BACK_LINE));
  await emulator.start();
  return emulator;
}
