import { inspect, parseArgs, type ParseArgsConfig } from 'node:util';
import { resolveEnvironment } from '../../lib/environment';
import { describeFailure, failureContext, UsageError, type FailureContext } from './describe-failure';
import { exitAfterFlush, stallBoundFrom, tolerateClosedReaders } from './exit-after-flush';

export { UsageError } from './describe-failure';

export interface CliOptions {
  /** The npm command that runs this CLI, e.g. `npm run producer`: the error line points at its `--help`. */
  readonly command: string;
  /** Printed by `--help` / `-h`, which never runs the command (so `migrate --help` migrates nothing). */
  readonly usage: string;
}

/** `DEBUG=1` (any non-empty value) adds stack traces and the Kafka client's own log lines. */
export const isDebug = (): boolean => Boolean(process.env.DEBUG);

let stallMs: number | undefined;
/** How long a stalled reader of the output is waited for; `KCL_FLUSH_STALL_MS` (read once) is for the tests. */
const flushStallMs = (): number => (stallMs ??= stallBoundFrom(process.env.KCL_FLUSH_STALL_MS));

export const wantsHelp = (argv: readonly string[]): boolean => argv.includes('--help') || argv.includes('-h');

/**
 * The wording every command uses for a mistake `parseArgs` finds (Node's own advises `--`, which
 * never helps here, and calls `--seed -1` "ambiguous" without saying how to write it).
 */
function usageMistake(error: Error & { code?: string }, args: readonly string[]): string {
  const quoted = /'([^']+)'/.exec(error.message)?.[1];
  if (error.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && quoted) return `unknown option ${quoted}`;
  if (error.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL' && quoted) return `unexpected argument "${quoted}"`;
  if (error.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && quoted?.startsWith('--')) {
    const option = quoted.split(' ')[0]!;
    // parseArgs takes no value that starts with "-" after a space: it could be the next option.
    const next = args[args.indexOf(option) + 1];
    if (/ambiguous/.test(error.message) && next?.startsWith('--')) return `${option} needs a value before ${next}`;
    if (/ambiguous/.test(error.message) && next !== undefined) return `${option} needs its value attached when it starts with "-": ${option}=${next}`;
    if (/missing/.test(error.message)) return `${option} needs a value`;
  }
  return error.message.split(/\.\s/)[0]!;
}

/** `node:util` parseArgs whose mistakes (unknown option, missing value) are {@link UsageError}s. */
export function parseCliArgs<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (error) {
    throw new UsageError(usageMistake(error as Error, config.args ?? process.argv.slice(2)), { cause: error });
  }
}

/** The command word of a CLI with subcommands, or a {@link UsageError} naming the ones there are. */
export function commandOf<T extends string>(word: string | undefined, commands: readonly T[]): T {
  if (word !== undefined && (commands as readonly string[]).includes(word)) return word as T;
  throw new UsageError(`${word === undefined ? 'no command' : `unknown command "${word}"`}: use ${commands.join(', ')}`);
}

function currentContext(): FailureContext {
  try {
    return failureContext(resolveEnvironment());
  } catch {
    return failureContext({ env: process.env, origins: {} });
  }
}

/**
 * Prints the one line for `error` (the stack too under DEBUG) and exits with status 1 once the
 * output is out. The promise never settles: a caller that must stop its host from going on (a
 * serverless hook) awaits it.
 */
export function exitWithFailure(error: unknown, helpCommand?: string): Promise<never> {
  process.stderr.write(`error: ${describeFailure(error, currentContext(), { helpCommand })}\n`);
  if (isDebug()) process.stderr.write(`${inspect(error, { depth: 6 })}\n`);
  return exitAfterFlush(1, flushStallMs());
}

/**
 * Runs a command-line entry point. `--help` prints the usage and exits 0 without running it; a
 * failure prints one line saying what is wrong and how to fix it (no stack unless DEBUG is set)
 * and exits 1; success exits with `process.exitCode` even if a client left a socket open. Every
 * exit waits until stdout and stderr reached their reader (`| jq` gets all of it), a reader that
 * closes early (`| head -1`) ends the output quietly, not the command, and a reader that stops
 * reading for 10 s fails the command with a line saying the output was cut short.
 *
 * @example
 * runCli(async (argv) => { ... }, { command: 'npm run producer', usage: 'usage: npm run producer -- [--users N]' });
 */
export function runCli(main: (argv: string[]) => Promise<void>, options?: CliOptions): void {
  const argv = process.argv.slice(2);
  const helpCommand = options && `${options.command} -- --help`;
  // Only the first ending counts: while the output drains, a client's late background error must
  // neither print a second line nor (with no handler left) crash with a stack.
  let ending = false;
  const fail = (error: unknown) => {
    if (ending) return;
    ending = true;
    void exitWithFailure(error, helpCommand);
  };
  const succeed = (code: number) => {
    if (ending) return;
    ending = true;
    void exitAfterFlush(code, flushStallMs());
  };
  tolerateClosedReaders(fail);
  if (options && wantsHelp(argv)) {
    process.stdout.write(`${options.usage.trimEnd()}\n`);
    return succeed(0);
  }
  // A client's background failure while `main` runs must end the command the same way.
  process.on('uncaughtException', fail);
  process.on('unhandledRejection', fail);
  main(argv).then(() => succeed(Number(process.exitCode ?? 0)), fail);
}
