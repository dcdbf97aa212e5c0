import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isAlive } from '../../infra/local/process-identity';
import { isOurStackProcess } from '../../infra/local/stack-state';
import { killStack, readState, runStackCli, startStranger, waitFor, type Stranger } from '../support/stack-processes';

const NOT_RUNNING = 3;

describe('stack:down and stack:status treat a stale .local/stack.json as stale, and signal nobody', () => {
  let dir: string;
  let stranger: Stranger | undefined;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'stack-stale-'));
  });

  afterEach(async () => {
    await stranger?.stop();
    stranger = undefined;
    await killStack(readState(dir));
    rmSync(dir, { recursive: true, force: true });
  });

  /** stack.json and stack.env as a stack whose pid is now `pid` left them. */
  const writeStaleState = (pid: number): void => {
    writeFileSync(join(dir, 'stack.json'), JSON.stringify({ pid, token: 'gone', kafkaBrokers: '127.0.0.1:1', clickhouseUrl: 'http://127.0.0.1:1', startedAt: '2025-01-01T00:00:00.000Z' }));
    writeFileSync(join(dir, 'stack.env'), 'CLICKHOUSE_URL=http://127.0.0.1:1\n');
  };

  it.each([
    ['down', 0, 'removed the stale files and signalled no process.'],
    ['status', NOT_RUNNING, 'removed the stale files. Start one with `npm run stack:up`.'],
  ])('stack:%s leaves the unrelated process that reused the pid alone', async (command, code, ending) => {
    // Prepare: the pid in stack.json now belongs to a process that is not the stack.
    stranger = await startStranger();
    writeStaleState(stranger.pid);
    // Act
    const outcome = await runStackCli(dir, [command]);
    // Assess
    expect({ code: outcome.code, stderr: outcome.stderr }).toEqual({ code, stderr: '' });
    expect(outcome.stdout).toBe(`No local stack is running: ${join(dir, 'stack.json')} names pid ${stranger.pid}, which is no longer the local stack's process (it was killed, or the machine restarted); ${ending}\n`);
    expect(isAlive(stranger.pid)).toBe(true);
    expect([existsSync(join(dir, 'stack.json')), existsSync(join(dir, 'stack.env'))]).toEqual([false, false]);
  });

  it.each([
    ['empty', '', 'it is empty'],
    ['corrupt', '{"pid": 4', 'not JSON'],
  ])('an %s stack.json is named, ignored and removed instead of blocking the commands', async (_case, text, why) => {
    // Prepare
    writeFileSync(join(dir, 'stack.json'), text);
    // Act
    const status = await runStackCli(dir, ['status']);
    writeFileSync(join(dir, 'stack.json'), text);
    const down = await runStackCli(dir, ['down']);
    // Assess
    expect({ code: status.code, stderr: status.stderr }).toEqual({ code: NOT_RUNNING, stderr: '' });
    expect(status.stdout).toMatch(new RegExp(`^No local stack is running: ${join(dir, 'stack.json')} is unreadable \\(${why}[^\\n]*\\); removed the stale files\\. Start one with \`npm run stack:up\`\\.\\n$`));
    expect({ code: down.code, stderr: down.stderr }).toEqual({ code: 0, stderr: '' });
    expect(down.stdout).toMatch(/^No local stack is running: .* is unreadable .*; removed the stale files and signalled no process\.\n$/);
    expect(existsSync(join(dir, 'stack.json'))).toBe(false);
  });

  it('stack:up over a corrupt stack.json starts a stack; after kill -9 stack:status says it is not running', async () => {
    // Prepare
    writeFileSync(join(dir, 'stack.json'), '');
    // Act: up
    const up = await runStackCli(dir, ['up']);
    // Assess: the stale file is reported on one line, and a stack started.
    expect({ code: up.code, stderr: up.stderr }).toEqual({ code: 0, stderr: '' });
    const state = readState(dir)!;
    expect(up.stdout.split('\n').slice(0, 2)).toEqual([
      `Ignored stale state: ${join(dir, 'stack.json')} is unreadable (it is empty); removed it.`,
      `Local stack started (pid ${state.pid}).`,
    ]);
    expect(isOurStackProcess(state)).toBe(true);

    // Act: the stack process dies without a word.
    process.kill(state.pid, 'SIGKILL');
    await waitFor('the killed stack process to be gone', () => !isOurStackProcess(state));
    const status = await runStackCli(dir, ['status']);
    // Assess
    expect({ code: status.code, stderr: status.stderr }).toEqual({ code: NOT_RUNNING, stderr: '' });
    expect(status.stdout).toMatch(new RegExp(`^No local stack is running: .*stack\\.json names pid ${state.pid}, which is no longer the local stack's process`));
    expect(existsSync(join(dir, 'stack.env'))).toBe(false);
  });
});
