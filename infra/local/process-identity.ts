import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/**
 * Whether a pid names a live process. A pid alone proves nothing about *which* process: after a
 * reboot or a `kill -9` the number is handed out again, so callers also check
 * {@link commandLineOf} before they trust or signal it.
 */
export function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: alive, but another user's (so certainly not ours).
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The command line of a live process (arguments joined by spaces), or undefined when there is no
 * such process or it cannot be read. A zombie has an empty command line, so it reads as gone.
 */
export function commandLineOf(pid: number): string | undefined {
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    const text = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
    return text || undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || process.platform === 'linux') return undefined;
  }
  // No /proc (macOS): ps prints nothing and exits 1 for a pid that does not exist.
  try {
    const text = execFileSync('ps', ['-ww', '-o', 'command=', '-p', String(pid)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return text || undefined;
  } catch {
    return undefined;
  }
}
