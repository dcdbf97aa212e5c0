import { execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { commandLineOf, isAlive } from '../../infra/local/process-identity';
import { isOurStackProcess, type StackState } from '../../infra/local/stack-state';

const ROOT = resolve(__dirname, '..', '..');
const TSX = pathToFileURL(require.resolve('tsx')).href;

/** Polls `condition` every 50 ms until it holds; fails naming `what` after `timeoutMs`. */
export async function waitFor(what: string, condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A live process that has nothing to do with the stack: what a reused pid points at. */
export interface Stranger {
  readonly pid: number;
  stop(): Promise<void>;
}

export async function startStranger(args: readonly string[] = []): Promise<Stranger> {
  // `args` only show on its command line (to look like another program, or like a stack process).
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1e9)', ...args], { stdio: 'ignore' });
  const pid = child.pid!;
  // Until exec has happened, /proc shows the forking parent's command line.
  await waitFor('the stranger process to run', () => commandLineOf(pid)?.includes('setInterval') ?? false);
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  return {
    pid,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

export interface CliOutcome {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `npm run stack:<command>` as a user would, with its files in `dir` (LOCAL_STACK_DIR). */
export function runStackCli(dir: string, args: readonly string[]): Promise<CliOutcome> {
  const env: NodeJS.ProcessEnv = { ...process.env, LOCAL_STACK_DIR: dir };
  for (const name of ['DEBUG', 'LOCAL_CLICKHOUSE_PORT', 'CLICKHOUSE_USER', 'CLICKHOUSE_PASSWORD', 'CLICKHOUSE_DB']) delete env[name];
  return new Promise((done) => {
    execFile(process.execPath, ['--import', TSX, join(ROOT, 'infra/local/stack-cli.ts'), ...args], { cwd: ROOT, env, timeout: 100_000 }, (error, stdout, stderr) =>
      done({ code: error ? ((error as { code?: number }).code ?? null) : 0, stdout, stderr }),
    );
  });
}

/** The state `stack:up` wrote in `dir`, if any. */
export function readState(dir: string): StackState | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, 'stack.json'), 'utf8')) as StackState;
  } catch {
    return undefined;
  }
}

/** Kills the stack a test started in `dir` (only if that pid is still our stack) and waits for it to go. */
export async function killStack(state: StackState | undefined): Promise<void> {
  if (!state || !isOurStackProcess(state)) return;
  process.kill(state.pid, 'SIGKILL');
  await waitFor(`stack process ${state.pid} to exit`, () => !isAlive(state.pid) || !isOurStackProcess(state));
}
