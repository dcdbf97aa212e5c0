/**
 * Ending a command without losing its output. `process.exit` drops whatever stdout and stderr
 * still hold for a slow reader (`npm run dlq -- inspect | jq` lost all but the first 64 KiB), so
 * a command waits until its output has reached the pipe, then exits: a client that left a socket
 * open cannot keep it alive, and a reader that went away (`| head -1`) ends nothing but the output.
 * A reader that stalls is given up on, and the command says so and fails: output that was cut
 * short must not pass for a complete answer.
 */
import { fstatSync } from 'node:fs';

/** A reader that stops reading for this long gets no more waiting (a pager left open, a stuck pipe). */
export const FLUSH_STALL_MS = 10_000;

const CLOSED_READER = new Set(['EPIPE', 'ERR_STREAM_DESTROYED', 'ECONNRESET']);

let installed = false;

/**
 * From now on a reader that closes early (`| head -1`) silences stdout and stderr instead of
 * failing the command: the command still finishes (a replay is not cut off half-way) and exits
 * with its own status. Other stdout errors go to `onError`.
 */
export function tolerateClosedReaders(onError: (error: Error) => void): void {
  if (installed) return;
  installed = true;
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (!CLOSED_READER.has(error.code ?? '')) onError(error);
  });
  // Nothing useful can be done with a failing stderr: a reader that left takes the errors with it.
  process.stderr.on('error', () => undefined);
}

/** How draining one stream ended: `unwritten` bytes were still held when its reader stalled. */
export type Drain = { readonly stalled: false } | { readonly stalled: true; readonly unwritten: number };

const DRAINED: Drain = { stalled: false };

/** Resolves once everything written to `stream` so far was handed to the OS, the reader is gone, or it stalled. */
function drained(stream: NodeJS.WriteStream, stallMs: number): Promise<Drain> {
  if (stream.destroyed || !stream.writable) return Promise.resolve(DRAINED);
  return new Promise((resolve) => {
    let done = false;
    const finish = (drain: Drain) => {
      if (done) return;
      done = true;
      clearInterval(watch);
      resolve(drain);
    };
    // Write callbacks run in order: this one runs once the earlier writes are out (or failed).
    stream.write('', () => finish(DRAINED));
    // Bounded by progress, not by total time: a slow reader that keeps reading is waited for.
    let pending = stream.writableLength;
    let lastProgress = Date.now();
    const watch = setInterval(() => {
      if (done) return;
      if (stream.destroyed || stream.writableLength === 0) return finish(DRAINED);
      if (stream.writableLength !== pending) {
        pending = stream.writableLength;
        lastProgress = Date.now();
      } else if (Date.now() - lastProgress >= stallMs) {
        finish({ stalled: true, unwritten: stream.writableLength });
      }
    }, Math.min(50, stallMs));
  });
}

/** Waits until stdout and stderr have passed on what they hold, or their reader stalled for `stallMs`. */
export async function flushOutput(stallMs = FLUSH_STALL_MS): Promise<{ stdout: Drain; stderr: Drain }> {
  const [stdout, stderr] = await Promise.all([drained(process.stdout, stallMs), drained(process.stderr, stallMs)]);
  return { stdout, stderr };
}

/**
 * The stall bound from `KCL_FLUSH_STALL_MS` (milliseconds; absent or not a positive integer: the
 * default). Only the tests set it, so that a stalled reader costs them less than 10 s.
 */
export function stallBoundFrom(text: string | undefined): number {
  return text !== undefined && /^[1-9]\d{0,8}$/.test(text) ? Number(text) : FLUSH_STALL_MS;
}

/** The line for output dropped because its reader stopped reading. */
export const cutShortLine = (stream: string, stallMs: number, unwritten: number): string =>
  `error: output cut short: the reader of ${stream} stopped reading for ${stallMs / 1000} s (${unwritten} bytes not written)`;

/** Whether stderr leads somewhere else than stdout: a line written into the stalled pipe would be lost too. */
function stderrIsSeparate(): boolean {
  try {
    const [out, err] = [fstatSync(1), fstatSync(2)];
    return out.dev !== err.dev || out.ino !== err.ino;
  } catch {
    return false;
  }
}

/**
 * Sets `process.exitCode`, waits for stdout and stderr to drain, then exits with `code` even if a
 * client left a socket or a timer behind. A reader that stalled for `stallMs` loses the rest of the
 * output: the command then says so on stderr (when stderr still reaches someone) and exits 1,
 * whatever `code` was; a reader that closed (`| head -1`) keeps `code`.
 */
export async function exitAfterFlush(code: number, stallMs = FLUSH_STALL_MS): Promise<never> {
  process.exitCode = code;
  const { stdout, stderr } = await flushOutput(stallMs);
  if (!stdout.stalled && !stderr.stalled) process.exit(code);
  if (stdout.stalled && !stderr.stalled && process.stderr.writable && !process.stderr.destroyed && stderrIsSeparate()) {
    process.stderr.write(`${cutShortLine('stdout', stallMs, stdout.unwritten)}\n`);
    await drained(process.stderr, stallMs);
  }
  process.exit(code === 0 ? 1 : code);
}
