import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = resolve(__dirname, '..', '..');
const TSX = pathToFileURL(require.resolve('tsx')).href;
const LOUD = join(ROOT, 'test/support/fixtures/loud-cli.fixture.ts');
const SLOW_READER = join(ROOT, 'test/support/fixtures/slow-reader.fixture.js');
const BYTES = 3 * 1024 * 1024 + 17;

/** What the fixture command writes: numbered 1 KiB lines, cut at `bytes`. */
function expectedOutput(bytes: number): { bytes: number; sha256: string } {
  const hash = createHash('sha256');
  let written = 0;
  for (let i = 0; written < bytes; i++) {
    const line = `${String(i).padStart(9, '0')} ${'x'.repeat(1013)}\n`.slice(0, Math.min(1024, bytes - written));
    hash.update(line);
    written += line.length;
  }
  return { bytes: written, sha256: hash.digest('hex') };
}

/** Runs `command | reader` in a shell; the command's exit status is appended to stderr. */
function pipeline(reader: string, env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const script = `{ "${process.execPath}" --import "${TSX}" "${LOUD}"; echo "command exited $?" >&2; } | ${reader}`;
  return new Promise((done) => {
    execFile('/bin/sh', ['-c', script], { env: { ...process.env, LOUD_BYTES: String(BYTES), ...env }, timeout: 60_000, maxBuffer: 1024 * 1024 }, (error, stdout, stderr) =>
      done({ code: error ? ((error as { code?: number }).code ?? null) : 0, stdout, stderr }),
    );
  });
}

describe('a command piped into another program', () => {
  it('delivers every byte to a slow reader, then exits although a socket was left open', async () => {
    // Act
    const outcome = await pipeline(`"${process.execPath}" "${SLOW_READER}"`);
    // Assess
    const { bytes, sha256 } = expectedOutput(BYTES);
    expect(outcome).toEqual({ code: 0, stdout: `${bytes} ${sha256}\n`, stderr: 'command exited 0\n' });
  });

  it('delivers every byte before a failure ends the command with its one error line and status 1', async () => {
    // Act
    const outcome = await pipeline(`"${process.execPath}" "${SLOW_READER}"`, { LOUD_FAILS: '1' });
    // Assess
    const { bytes, sha256 } = expectedOutput(BYTES);
    expect(outcome).toEqual({ code: 0, stdout: `${bytes} ${sha256}\n`, stderr: 'error: the command failed after writing its output\ncommand exited 1\n' });
  });

  it('exits quietly, with its own status, when the reader closes early (| head)', async () => {
    // Act
    const outcome = await pipeline('head -c 100');
    // Assess
    expect(outcome.stdout).toHaveLength(100);
    expect(outcome.stderr).toBe('command exited 0\n');
  });

  it('says the output was cut short and fails when the reader stops reading longer than the stall bound', async () => {
    // Act: a reader that sleeps 2 s before reading, against a stall bound of 0.3 s.
    const outcome = await pipeline('{ sleep 2; wc -c; }', { KCL_FLUSH_STALL_MS: '300' });
    // Assess
    const match = /^error: output cut short: the reader of stdout stopped reading for 0\.3 s \((\d+) bytes not written\)\ncommand exited 1\n$/.exec(outcome.stderr);
    expect(match).not.toBeNull();
    const [received, unwritten] = [Number(outcome.stdout.trim()), Number(match![1])];
    expect(unwritten).toBeGreaterThan(0);
    expect(received).toBeLessThan(BYTES);
    expect(received + unwritten).toBeGreaterThanOrEqual(BYTES);
  });
});
