import type { Hash } from 'node:crypto';

/**
 * A SHA-256 hash. node:crypto is loaded on first use rather than at import, which keeps it out of
 * the handler's cold start (it is first needed by the first batch).
 */
export function sha256(): Hash {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('node:crypto') as typeof import('node:crypto')).createHash('sha256');
}
