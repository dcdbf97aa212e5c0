/** Why a stack command could not do its job (`StackControlError.code`). */
export const StackErrorCode = {
  /** Another process holds `.local/stack.lock` (it is starting or stopping the stack) past our wait. */
  Busy: 'STACK_BUSY',
  /** Our own stack process ignored SIGKILL (it cannot be replaced while it holds the data dir). */
  WontStop: 'STACK_WONT_STOP',
} as const;
export type StackErrorCode = (typeof StackErrorCode)[keyof typeof StackErrorCode];

/** Why `.local/stack.json` was judged stale and ignored (never an error: the commands go on). */
export const StaleStateCode = {
  /** The pid is dead, or alive but not our stack process (reused after a reboot or `kill -9`). */
  NotOurProcess: 'STALE_PID',
  /** The file is empty, not JSON, or does not describe a stack. */
  Unreadable: 'UNREADABLE_STATE',
} as const;
export type StaleStateCode = (typeof StaleStateCode)[keyof typeof StaleStateCode];

/** A stack command failed; the message is the one line a user reads. */
export class StackControlError extends Error {
  constructor(
    readonly code: StackErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'StackControlError';
  }
}
