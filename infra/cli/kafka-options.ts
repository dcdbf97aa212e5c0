import { logLevel, type KafkaConfig as KafkaJsConfig } from 'kafkajs';
import type { KafkaConfig } from '../../lib/config';
import { createKafka } from '../../lib/kafka/client';
import { isDebug } from './run-cli';

/**
 * kafkajs overrides for commands: with no broker answering they fail within seconds (the library
 * default suits a Lambda invocation, not a person waiting), and kafkajs's own log lines stay off
 * the screen — the command's one error line summarises them. `DEBUG=1` shows them again.
 */
export const cliKafkaOptions = (): Partial<KafkaJsConfig> => ({
  connectionTimeout: 3_000,
  retry: { retries: 2, initialRetryTime: 200, maxRetryTime: 1_000 },
  logLevel: isDebug() ? logLevel.INFO : logLevel.NOTHING,
});

/**
 * Connects once and leaves: fails within seconds, with an error `describeFailure` explains, when
 * no broker of `config` answers (before a long-running command starts its consumers).
 */
export async function checkKafkaReachable(config: KafkaConfig): Promise<void> {
  const admin = (await createKafka(config, cliKafkaOptions())).admin();
  await admin.connect();
  await admin.disconnect();
}
