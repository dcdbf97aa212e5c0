import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isOurStackProcess } from '../../infra/local/stack-state';
import { killStack, readState, runStackCli, waitFor } from '../support/stack-processes';

describe('two stack:up at once start one stack', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'stack-race-'));
  });

  afterEach(async () => {
    await killStack(readState(dir));
    rmSync(dir, { recursive: true, force: true });
  });

  it('the second waits for the first and reports the same running stack; stack:down stops it', async () => {
    // Act
    const outcomes = await Promise.all([runStackCli(dir, ['up']), runStackCli(dir, ['up'])]);
    // Assess
    const state = readState(dir)!;
    expect(outcomes.map((o) => ({ code: o.code, stderr: o.stderr }))).toEqual([{ code: 0, stderr: '' }, { code: 0, stderr: '' }]);
    const firstLines = outcomes.map((o) => o.stdout.split('\n').find((line) => line.startsWith('Local stack ')));
    expect(firstLines.sort()).toEqual([`Local stack already running (pid ${state.pid}, since ${state.startedAt}).`, `Local stack started (pid ${state.pid}).`]);
    expect(isOurStackProcess(state)).toBe(true);
    expect(existsSync(join(dir, 'stack.lock'))).toBe(false);

    // Act
    const down = await runStackCli(dir, ['down']);
    // Assess
    expect({ code: down.code, stderr: down.stderr }).toEqual({ code: 0, stderr: '' });
    expect(down.stdout).toMatch(new RegExp(`^Local stack stopped \\(pid ${state.pid}\\)\\.`));
    await waitFor('the stopped stack process to be gone', () => !isOurStackProcess(state));
  });
});
