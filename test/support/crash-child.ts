/**
 * A stand-in Lambda process for crash tests: runs the users handler on the event in the file
 * named by argv[2] against the stack in the environment, then exits. The test kills it with
 * SIGKILL at a random instant; it prints "started" when the handler begins.
 */
import { readFileSync } from 'node:fs';
import { loadConfig } from '../../lib/config';
import { createTableHandler } from '../../lib/handler';

async function main(): Promise<void> {
  const handler = createTableHandler('users', { config: loadConfig(process.env) });
  const event = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as unknown;
  process.stdout.write('started\n');
  await handler(event, { awsRequestId: `crash-child-${process.pid}` });
  await handler.close();
}

main().then(
  () => process.exit(0),
  () => process.exit(1),
);
