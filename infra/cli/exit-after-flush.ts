/**
 * Ending a command without losing its output. `process.exit` drops whatever stdout and stderr
 * still hold for a slow reader (`npm run dlq -- inspect | jq` lost all but the first 64 KiB), so
 * a command waits until its output has reached the pipe, then exits: a client that left a socket
 * open cannot keep it alive, and a reader that went away (`| head -1`) ends nothing but the output.
 */

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

/** Resolves once everything written to `stream` so far was handed to the OS, or the reader is gone. */
function drained(stream: NodeJS.WriteStream, stallMs: number): Promise<void> {
  if (stream.destroyed || !stream.writable) return Promise.resolve();
  return new Promise((resolve) => {
    let done = false;
    const finish = () => {
      done = true;
      clearInterval(watch);
      resolve();
    };
    // Write callbacks run in order: this one runs once the earlier writes are out (or failed).
    stream.write('', () => finish());
    // Bounded by progress, not by total time: a slow reader that keeps reading is waited for.
    let pending = stream.writableLength;
    let lastProgress = Date.now();
    const watch = setInterval(() => {
      if (done) return;
      if (stream.destroyed || stream.writableLength === 0) return finish();
      if (stream.writableLength !== pending) {
        pending = stream.writableLength;
        lastProgress = Date.now();
      } else if (Date.now() - lastProgress >= stallMs) {
        finish();
      }
    }, 50);
  });
}

/** Waits until stdout and stderr have passed on what they hold (see {@link FLUSH_STALL_MS}). */
export async function flushOutput(stallMs = FLUSH_STALL_MS): Promise<void> {
  await Promise.all([drained(process.stdout, stallMs), drained(process.stderr, stallMs)]);
}

/**
 * Sets `process.exitCode`, waits for stdout and stderr to drain, then exits with `code` even if a
 * client left a socket or a timer behind.
 */
export async function exitAfterFlush(code: number): Promise<never> {
  process.exitCode = code;
  await flushOutput();
  process.exit(code);
}
