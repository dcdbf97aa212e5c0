import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commandLineOf } from '../../../../infra/local/process-identity';
import { StackErrorCode } from '../../../../infra/local/stack-errors';
import { stackLockHolder, withStackLock } from '../../../../infra/local/stack-lock';
import { startStranger, type Stranger } from '../../../support/stack-processes';

describe('stack.lock lets one process at a time act on the stack', () => {
  let dir: string;
  let lockFile: string;
  let stranger: Stranger | undefined;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'stack-lock-'));
    lockFile = join(dir, 'stack.lock');
  });

  afterEach(async () => {
    await stranger?.stop();
    stranger = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it('holds the lock with its own pid while fn runs and removes it after', async () => {
    // Act
    const holder = await withStackLock(lockFile, async () => stackLockHolder(lockFile));
    // Assess
    expect(holder).toBe(process.pid);
    expect(existsSync(lockFile)).toBe(false);
  });

  it('a second caller waits for a live holder, then runs', async () => {
    // Prepare
    let release!: () => void;
    const order: string[] = [];
    const first = withStackLock(lockFile, () => new Promise<void>((done) => (release = () => (order.push('first'), done()))));
    const waitedFor: number[] = [];
    // Act
    const second = withStackLock(lockFile, async () => void order.push('second'), { onWait: (pid) => (waitedFor.push(pid), release()) });
    await Promise.all([first, second]);
    // Assess
    expect({ order, waitedFor }).toEqual({ order: ['first', 'second'], waitedFor: [process.pid] });
    expect(existsSync(lockFile)).toBe(false);
  });

  it('gives up with STACK_BUSY and one line naming the holder when the wait runs out', async () => {
    // Prepare: a live process that really holds the lock (same pid, same command line).
    stranger = await startStranger();
    writeFileSync(lockFile, JSON.stringify({ pid: stranger.pid, command: commandLineOf(stranger.pid) }));
    // Act
    const attempt = withStackLock(lockFile, async () => 'ran', { waitMs: 300 });
    // Assess
    await expect(attempt).rejects.toMatchObject({
      name: 'StackControlError',
      code: StackErrorCode.Busy,
      message: `a stack is starting or stopping in another process (pid ${stranger.pid}); run \`npm run stack:status\``,
    });
    expect(readFileSync(lockFile, 'utf8')).toContain(`"pid":${stranger.pid}`);
  });

  it.each([
    ['a dead owner', () => ({ pid: 2 ** 22 + 1, command: 'node stack-cli.ts up' })],
    ['a pid reused by another program', (s: Stranger) => ({ pid: s.pid, command: 'node --import tsx infra/local/stack-cli.ts up' })],
    ['an unreadable lock', () => 'not json'],
  ])('takes over the lock of %s', async (_case, owner) => {
    // Prepare
    stranger = await startStranger();
    const content = owner(stranger);
    writeFileSync(lockFile, typeof content === 'string' ? content : JSON.stringify(content));
    // Act
    const result = await withStackLock(lockFile, async () => stackLockHolder(lockFile), { waitMs: 5_000 });
    // Assess
    expect(result).toBe(process.pid);
    expect(existsSync(lockFile)).toBe(false);
  });
});
