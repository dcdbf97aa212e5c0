import { setTimeout as sleep } from 'node:timers/promises';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT, stackEnvironment, startLocalStack } from './local-stack';
import { isAlive } from './process-identity';
import { StackControlError, StackErrorCode } from './stack-errors';
import { withStackLock, stackLockHolder } from './stack-lock';
import { isOurStackProcess, lookUpStack, removeStackState, stackPaths, writeStackState, type StackPaths, type StackState } from './stack-state';

export type { StackState } from './stack-state';

/** Where `npm run stack:*` keep their files unless told otherwise. */
export const LOCAL_DIR = join(PROJECT_ROOT, '.local');

export interface StackDirOptions {
  /** The folder of `stack.json`, `stack.env`, `stack.lock`, `stack.log` and `clickhouse/` (default `.local`). */
  readonly dir?: string;
  /** Called once if another process holds the stack's lock and this one waits for it. */
  readonly onWait?: (ownerPid: number) => void;
  /** How long to wait for that other process (default 90 s: a start may take 60 s). */
  readonly lockWaitMs?: number;
}

export interface EnsureStackOptions extends StackDirOptions {
  readonly clickhousePort?: number;
  readonly clickhouseUser?: string;
  readonly clickhousePassword?: string;
  readonly database?: string;
}

export interface EnsureStackResult {
  readonly state: StackState;
  readonly alreadyRunning: boolean;
  /** Why an old `stack.json` was ignored and removed, if it was. */
  readonly staleReason?: string;
}

export type StackStatus =
  | { readonly status: 'running'; readonly state: StackState; readonly serving: boolean }
  | { readonly status: 'none' }
  | { readonly status: 'starting'; readonly ownerPid: number }
  | { readonly status: 'stale'; readonly reason: string };

export interface StopStackResult {
  /** The stack that was stopped; undefined when none was running. */
  readonly stopped?: StackState;
  readonly staleReason?: string;
}

const pathsOf = (options: StackDirOptions): StackPaths => stackPaths(options.dir ?? LOCAL_DIR);

export async function isServing(state: StackState): Promise<boolean> {
  try {
    return (await fetch(`${state.clickhouseUrl}/ping`, { signal: AbortSignal.timeout(2_000) })).ok;
  } catch {
    return false;
  }
}

/** Waits until our stack process has exited; false if it still runs at the deadline. */
async function exited(state: StackState, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(state.pid) && isOurStackProcess(state)) {
    if (Date.now() >= deadline) return false;
    await sleep(100);
  }
  return true;
}

/**
 * Ends our stack process: SIGTERM, then SIGKILL after `graceMs`. Signals only a pid whose command
 * line is the stack process with this state's token, never a process that reused the number.
 */
async function endStackProcess(state: StackState, graceMs: number): Promise<void> {
  if (graceMs > 0 && isOurStackProcess(state)) {
    process.kill(state.pid, 'SIGTERM');
    if (await exited(state, graceMs)) return;
  }
  if (isOurStackProcess(state)) process.kill(state.pid, 'SIGKILL');
  if (!(await exited(state, 5_000))) {
    throw new StackControlError(StackErrorCode.WontStop, `the local stack process (pid ${state.pid}) does not exit, even on SIGKILL; end it, then run the command again`);
  }
}

/** Where the detached stack stands; stale files are removed unless another process is busy with them. */
export async function stackStatus(options: StackDirOptions = {}): Promise<StackStatus> {
  const paths = pathsOf(options);
  const found = lookUpStack(paths);
  if (found.status === 'running') return { status: 'running', state: found.state, serving: await isServing(found.state) };
  const ownerPid = stackLockHolder(paths.lockFile);
  if (ownerPid !== undefined) return { status: 'starting', ownerPid };
  if (found.status === 'none') return found;
  removeStackState(paths);
  return { status: 'stale', reason: found.reason };
}

/**
 * Starts the detached local stack unless one is already serving, writes `stack.env`, and says
 * which it was. A concurrent call waits for this one and then finds the same stack.
 *
 * @example
 * const { state, alreadyRunning } = await ensureLocalStack({ database: 'test' });
 */
export async function ensureLocalStack(options: EnsureStackOptions = {}): Promise<EnsureStackResult> {
  const paths = pathsOf(options);
  mkdirSync(paths.dir, { recursive: true });
  return withStackLock(paths.lockFile, async () => {
    const found = lookUpStack(paths);
    let staleReason: string | undefined;
    if (found.status === 'running') {
      if (await isServing(found.state)) return { state: found.state, alreadyRunning: true };
      await endStackProcess(found.state, 0);
    } else if (found.status === 'stale') {
      staleReason = found.reason;
    }
    removeStackState(paths);
    const state = await startDetached(paths, options);
    return { state, alreadyRunning: false, staleReason };
  }, { waitMs: options.lockWaitMs, onWait: options.onWait });
}

async function startDetached(paths: StackPaths, options: EnsureStackOptions): Promise<StackState> {
  const user = options.clickhouseUser || 'default';
  const password = options.clickhousePassword ?? '';
  const database = options.database || 'test';
  const token = randomUUID();
  const stack = await startLocalStack({
    dataDir: paths.dataDir,
    clickhousePort: options.clickhousePort ?? 0,
    clickhouseUser: user,
    clickhousePassword: password,
    database,
    detached: true,
    logFile: paths.logFile,
    token,
  });
  stack.release();
  const state: StackState = {
    pid: stack.pid,
    token,
    kafkaBrokers: stack.kafkaBrokers,
    kafkaMockBrokers: stack.kafkaMockBrokers,
    clickhouseUrl: stack.clickhouseUrl,
    startedAt: new Date().toISOString(),
  };
  writeStackState(paths, state);
  writeFileSync(
    paths.envFile,
    [
      '# Written by `npm run stack:up`; removed by `npm run stack:down`.',
      ...Object.entries(stackEnvironment(state, { database, user, password })).map(([name, value]) => `${name}=${value}`),
      '',
    ].join('\n'),
  );
  return state;
}

/** Stops the detached stack (waiting up to 15 s for a clean exit) and removes its files. */
export async function stopLocalStack(options: StackDirOptions = {}): Promise<StopStackResult> {
  const paths = pathsOf(options);
  if (!existsSync(paths.dir)) return {};
  return withStackLock(paths.lockFile, async () => {
    const found = lookUpStack(paths);
    if (found.status === 'running') await endStackProcess(found.state, 15_000);
    removeStackState(paths);
    if (found.status === 'running') return { stopped: found.state };
    return found.status === 'stale' ? { staleReason: found.reason } : {};
  }, { waitMs: options.lockWaitMs, onWait: options.onWait });
}
