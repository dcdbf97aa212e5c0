import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { STACK_ENV_FILE } from '../../lib/config';
import { PROJECT_ROOT, stackEnvironment, startLocalStack } from './local-stack';

export const LOCAL_DIR = join(PROJECT_ROOT, '.local');
const STATE_FILE = join(LOCAL_DIR, 'stack.json');
export const ENV_FILE = join(PROJECT_ROOT, STACK_ENV_FILE);

/** What `.local/stack.json` records about the detached stack. */
export interface StackState {
  readonly pid: number;
  /** The limits proxy's brokers (what clients use). */
  readonly kafkaBrokers: string;
  /** The mock brokers behind the proxy (absent in files of older stacks). */
  readonly kafkaMockBrokers?: string;
  readonly clickhouseUrl: string;
  readonly startedAt: string;
}

export interface EnsureStackOptions {
  readonly clickhousePort?: number;
  readonly clickhouseUser?: string;
  readonly clickhousePassword?: string;
  readonly database?: string;
}

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** The running detached stack, if its process is alive. */
export function readStackState(): StackState | undefined {
  if (!existsSync(STATE_FILE)) return undefined;
  const state = JSON.parse(readFileSync(STATE_FILE, 'utf8')) as StackState;
  return isAlive(state.pid) ? state : undefined;
}

export async function isServing(state: StackState): Promise<boolean> {
  try {
    return (await fetch(`${state.clickhouseUrl}/ping`, { signal: AbortSignal.timeout(2_000) })).ok;
  } catch {
    return false;
  }
}

/**
 * Starts the detached local stack unless one is already serving, writes `.local/stack.env`,
 * and says which it was.
 */
export async function ensureLocalStack(options: EnsureStackOptions = {}): Promise<{ state: StackState; alreadyRunning: boolean }> {
  const running = readStackState();
  if (running && (await isServing(running))) return { state: running, alreadyRunning: true };
  if (running) process.kill(running.pid, 'SIGKILL');
  const user = options.clickhouseUser || 'default';
  const password = options.clickhousePassword ?? '';
  const database = options.database || 'test';
  mkdirSync(LOCAL_DIR, { recursive: true });
  const stack = await startLocalStack({
    dataDir: join(LOCAL_DIR, 'clickhouse'),
    clickhousePort: options.clickhousePort ?? 0,
    clickhouseUser: user,
    clickhousePassword: password,
    database,
    detached: true,
    logFile: join(LOCAL_DIR, 'stack.log'),
  });
  stack.release();
  const state: StackState = {
    pid: stack.pid,
    kafkaBrokers: stack.kafkaBrokers,
    kafkaMockBrokers: stack.kafkaMockBrokers,
    clickhouseUrl: stack.clickhouseUrl,
    startedAt: new Date().toISOString(),
  };
  writeFileSync(STATE_FILE, `${JSON.stringify(state, null, 2)}\n`);
  writeFileSync(
    ENV_FILE,
    [
      '# Written by `npm run stack:up`; removed by `npm run stack:down`.',
      ...Object.entries(stackEnvironment(state, { database, user, password })).map(([name, value]) => `${name}=${value}`),
      '',
    ].join('\n'),
  );
  return { state, alreadyRunning: false };
}

/** Stops the detached stack (waiting up to 15 s for a clean exit) and removes its files. */
export async function stopLocalStack(): Promise<StackState | undefined> {
  const state = readStackState();
  if (state) {
    process.kill(state.pid, 'SIGTERM');
    const deadline = Date.now() + 15_000;
    while (isAlive(state.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    if (isAlive(state.pid)) process.kill(state.pid, 'SIGKILL');
  }
  rmSync(STATE_FILE, { force: true });
  rmSync(ENV_FILE, { force: true });
  return state;
}
