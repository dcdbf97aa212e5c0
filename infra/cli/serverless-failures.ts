/** The TypeScript side of `infra/serverless-fail-fast`: what the plugin checks and prints. */
import { loadConfig, readEnvironment } from '../../lib/config';
import { checkKafkaReachable as check } from './kafka-options';

export { exitWithFailure } from './run-cli';

/** Checks the brokers of the effective environment (the same ones the event-source emulator uses). */
export async function checkKafkaReachable(): Promise<void> {
  await check(loadConfig(readEnvironment()).kafka);
}
