import { deduplicationToken, keyText } from '../../../lib/idempotency-key';

const A = '00000000-0000-4000-8000-00000000000a';
const B = '00000000-0000-4000-8000-00000000000b';

describe('keyText', () => {
  it('is one string per key whatever characters the messageId holds', () => {
    const keys = [
      { messageId: 'a\u0000b', recordId: 'c' },
      { messageId: 'a', recordId: 'b\u0000c' },
      { messageId: 'a\u0000', recordId: 'bc' },
      { messageId: '1:a', recordId: 'b' },
      { messageId: '', recordId: '1:ab' },
    ];
    expect(new Set(keys.map(keyText)).size).toBe(keys.length);
  });
});

describe('deduplicationToken', () => {
  it('is the same for the same keys in any order', () => {
    expect(deduplicationToken('users', [{ messageId: 'm1', recordId: A }, { messageId: 'm2', recordId: B }])).toBe(
      deduplicationToken('users', [{ messageId: 'm2', recordId: B }, { messageId: 'm1', recordId: A }]),
    );
  });

  it('differs for different key sets, even when a messageId spells out the separators', () => {
    // Two keys, and one key whose messageId is the old encoding of those two joined.
    const m = 'msg';
    const two = [{ messageId: m, recordId: A }, { messageId: `${m}z`, recordId: B }];
    const one = [{ messageId: `${m}\u0000${A}\n${m}z`, recordId: B }];
    const lengthSpelled = [{ messageId: `3:${m}${A}`, recordId: B }];
    const tokens = [two, one, lengthSpelled].map((keys) => deduplicationToken('users', keys));
    expect(new Set(tokens).size).toBe(3);
  });

  it('differs per table', () => {
    const keys = [{ messageId: 'm', recordId: A }];
    expect(deduplicationToken('users', keys)).not.toBe(deduplicationToken('orders', keys));
  });
});
