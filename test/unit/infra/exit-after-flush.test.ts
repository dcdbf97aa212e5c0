import { cutShortLine, FLUSH_STALL_MS, stallBoundFrom } from '../../../infra/cli/exit-after-flush';

describe('the stall bound of a command output', () => {
  it('takes a positive whole number of milliseconds from KCL_FLUSH_STALL_MS, else 10 s', () => {
    expect(stallBoundFrom('300')).toBe(300);
    for (const text of [undefined, '', '0', '-5', '1.5', '1e3', 'soon', '9999999999']) expect(stallBoundFrom(text)).toBe(FLUSH_STALL_MS);
  });

  it('names the stream, the bound and the bytes lost in one line', () => {
    expect(cutShortLine('stdout', FLUSH_STALL_MS, 4096)).toBe('error: output cut short: the reader of stdout stopped reading for 10 s (4096 bytes not written)');
  });
});
