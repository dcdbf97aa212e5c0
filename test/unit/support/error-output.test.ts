import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';

const ROOT = resolve(__dirname, '..', '..', '..');

describe('the error-output guard of the test suite', () => {
  it('fails a test that writes error output it did not capture, and only that test', async () => {
    // Act: jest on a fixture file, in a child process (its failures must not fail this run).
    const result = await promisify(execFile)(process.execPath, [require.resolve('jest/bin/jest'), '--ci', '--testMatch', '**/test/support/fixtures/noisy.fixture.ts', '--reporters', 'default'], {
      cwd: ROOT,
      env: { ...process.env, FORCE_COLOR: '0' },
    }).catch((error: { code: number; stdout: string; stderr: string }) => error);
    // Assess
    const output = `${result.stdout}${result.stderr}`;
    expect(output).toMatch(/✕ writes console.error without capturing it/);
    expect(output).toMatch(/This test wrote error output it did not capture[^]*unexpected noise/);
    expect(output).toMatch(/✕ emits a process warning/);
    expect(output).toMatch(/an unexpected warning/);
    expect(output).toMatch(/✓ captures and asserts its expected error output/);
    expect(output).toMatch(/✓ stays quiet/);
    expect(output).toMatch(/Tests:\s+2 failed, 2 passed, 4 total/);
  });
});
