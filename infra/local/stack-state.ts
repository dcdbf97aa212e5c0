import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { StaleStateCode } from './stack-errors';
import { commandLineOf } from './process-identity';

/** The script the detached stack process runs: its command line must name it. */
export const STACK_PROCESS_SCRIPT = join(__dirname, 'stack-process.ts');

/** The argument that marks one start of the stack process, recorded in `stack.json` as `token`. */
export const stackTokenArgument = (token: string): string => `--stack-token=${token}`;

/** The files of one detached stack (`.local/` unless `LOCAL_STACK_DIR` says otherwise). */
export interface StackPaths {
  readonly dir: string;
  readonly stateFile: string;
  readonly envFile: string;
  readonly lockFile: string;
  readonly logFile: string;
  readonly dataDir: string;
}

export function stackPaths(dir: string): StackPaths {
  return {
    dir,
    stateFile: join(dir, 'stack.json'),
    envFile: join(dir, 'stack.env'),
    lockFile: join(dir, 'stack.lock'),
    logFile: join(dir, 'stack.log'),
    dataDir: join(dir, 'clickhouse'),
  };
}

/** What `stack.json` records about the detached stack. */
export interface StackState {
  readonly pid: number;
  /** Random per start and on the stack process's command line: a reused pid cannot carry it. */
  readonly token?: string;
  /** The limits proxy's brokers (what clients use). */
  readonly kafkaBrokers: string;
  /** The mock brokers behind the proxy (absent in files of older stacks). */
  readonly kafkaMockBrokers?: string;
  readonly clickhouseUrl: string;
  readonly startedAt: string;
}

export type StackLookup =
  | { readonly status: 'none' }
  | { readonly status: 'running'; readonly state: StackState }
  | { readonly status: 'stale'; readonly code: StaleStateCode; readonly reason: string };

/** A file's name as a user would type it: relative to the working directory when inside it. */
export function displayPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}

/** Is `pid` the stack process that `state` describes (not just any process with that number)? */
export function isOurStackProcess(state: StackState): boolean {
  const command = commandLineOf(state.pid);
  if (!command?.includes(STACK_PROCESS_SCRIPT)) return false;
  return state.token === undefined || command.includes(stackTokenArgument(state.token));
}

function parseState(text: string): StackState | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return text.trim() === '' ? 'it is empty' : `not JSON: ${(error as Error).message}`;
  }
  const s = value as Partial<StackState> | null;
  const valid =
    typeof s === 'object' && s !== null && Number.isInteger(s.pid) && s.pid! > 0 && typeof s.kafkaBrokers === 'string' &&
    typeof s.clickhouseUrl === 'string' && typeof s.startedAt === 'string' && (s.token === undefined || typeof s.token === 'string');
  return valid ? (s as StackState) : 'it does not describe a stack';
}

/** Reads `stack.json` and says whether its process is really our running stack. */
export function lookUpStack(paths: StackPaths): StackLookup {
  if (!existsSync(paths.stateFile)) return { status: 'none' };
  let text: string;
  try {
    text = readFileSync(paths.stateFile, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { status: 'none' };
    return { status: 'stale', code: StaleStateCode.Unreadable, reason: `${displayPath(paths.stateFile)} is unreadable (${(error as Error).message})` };
  }
  const state = parseState(text);
  if (typeof state === 'string') return { status: 'stale', code: StaleStateCode.Unreadable, reason: `${displayPath(paths.stateFile)} is unreadable (${state})` };
  if (isOurStackProcess(state)) return { status: 'running', state };
  return {
    status: 'stale',
    code: StaleStateCode.NotOurProcess,
    reason: `${displayPath(paths.stateFile)} names pid ${state.pid}, which is no longer the local stack's process (it was killed, or the machine restarted)`,
  };
}

/** Writes `stack.json` whole or not at all: a reader never sees half a file and takes it for corrupt. */
export function writeStackState(paths: StackPaths, state: StackState): void {
  const temporary = `${paths.stateFile}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(temporary, paths.stateFile);
}

/** Removes `stack.json` and `stack.env` (their stack is gone; commands must not point at it). */
export function removeStackState(paths: StackPaths): void {
  rmSync(paths.stateFile, { force: true });
  rmSync(paths.envFile, { force: true });
}
