import { setTimeout as sleep } from 'node:timers/promises';
import { linkSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { commandLineOf, isAlive } from './process-identity';
import { StackControlError, StackErrorCode } from './stack-errors';

/** Who holds `stack.lock`: a pid and that process's command line, so a reused pid does not count. */
interface LockOwner {
  readonly pid: number;
  readonly command: string;
}

export interface StackLockOptions {
  /** How long to wait for another holder before giving up with `STACK_BUSY`. */
  readonly waitMs?: number;
  /** Called once when another live process holds the lock and we start waiting for it. */
  readonly onWait?: (ownerPid: number) => void;
}

const POLL_MS = 100;

function readOwner(lockFile: string): { text: string; owner?: LockOwner } | undefined {
  let text: string;
  try {
    text = readFileSync(lockFile, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const owner = JSON.parse(text) as LockOwner;
    return Number.isInteger(owner.pid) && typeof owner.command === 'string' ? { text, owner } : { text };
  } catch {
    return { text };
  }
}

const isLiveOwner = (owner: LockOwner | undefined): owner is LockOwner =>
  owner !== undefined && isAlive(owner.pid) && commandLineOf(owner.pid) === owner.command;

/** The live process holding the lock, if any (a dead or reused owner pid holds nothing). */
export function stackLockHolder(lockFile: string): number | undefined {
  const owner = readOwner(lockFile)?.owner;
  return isLiveOwner(owner) ? owner.pid : undefined;
}

/**
 * Removes a stale lock, unless someone replaced it since we read `staleText`: the lock is moved
 * aside (atomic, one mover wins) and, if what was moved is not what we judged stale, put back.
 */
function takeOver(lockFile: string, staleText: string): void {
  const aside = `${lockFile}.${process.pid}.stale`;
  try {
    renameSync(lockFile, aside);
  } catch {
    return; // Someone else moved it first.
  }
  if (readFileSync(aside, 'utf8') !== staleText) {
    try {
      linkSync(aside, lockFile);
    } catch {
      // A third process locked meanwhile; the one we moved lost its file, as a crash would.
    }
  }
  rmSync(aside, { force: true });
}

/**
 * Runs `fn` holding `stack.lock`, so that two `stack:up` (or an up and a down) never act on the
 * same stack at once. The lock is created complete and atomically (a hard link fails when it
 * exists); one whose owner is dead or is another process under a reused pid is taken over.
 */
export async function withStackLock<T>(lockFile: string, fn: () => Promise<T>, options: StackLockOptions = {}): Promise<T> {
  const deadline = Date.now() + (options.waitMs ?? 90_000);
  const mine = JSON.stringify({ pid: process.pid, command: commandLineOf(process.pid) ?? '' } satisfies LockOwner);
  const draft = `${lockFile}.${process.pid}.tmp`;
  writeFileSync(draft, mine);
  let waited = false;
  try {
    for (;;) {
      try {
        linkSync(draft, lockFile);
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const held = readOwner(lockFile);
      if (held === undefined) continue; // Released between our attempt and the read.
      if (!isLiveOwner(held.owner)) {
        takeOver(lockFile, held.text);
        continue;
      }
      if (Date.now() >= deadline) {
        throw new StackControlError(
          StackErrorCode.Busy,
          `a stack is starting or stopping in another process (pid ${held.owner.pid}); run \`npm run stack:status\``,
        );
      }
      if (!waited) options.onWait?.(held.owner.pid);
      waited = true;
      await sleep(POLL_MS);
    }
  } finally {
    rmSync(draft, { force: true });
  }
  try {
    return await fn();
  } finally {
    if (readOwner(lockFile)?.text === mine) rmSync(lockFile, { force: true });
  }
}
