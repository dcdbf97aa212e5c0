import { clipText, wellFormed, wellFormedRow } from '../../../lib/text';

describe('clipText', () => {
  it.each([
    ['short text unchanged', 'abc', 5, 'abc'],
    ['cut at the limit', 'abcdef', 3, 'abc…'],
    ['never ends inside an emoji', 'ab😀cd', 3, 'ab…'],
    ['keeps a whole emoji that fits', 'ab😀cd', 4, 'ab😀…'],
    ['nothing kept', '😀', 1, '…'],
  ])('%s', (_, text, max, expected) => {
    expect(clipText(text, max)).toBe(expected);
  });

  it('gives well-formed text for every cut of emoji-rich text', () => {
    const text = `${'\u0001'.repeat(7)}a${'😀🇩🇪'.repeat(20)}`;
    for (let max = 0; max <= text.length + 1; max++) expect(clipText(text, max).isWellFormed()).toBe(true);
  });
});

describe('wellFormed / wellFormedRow', () => {
  it('replaces lone surrogates only', () => {
    expect(wellFormed('a\ud800b\udc00c😀')).toBe('a\ufffdb\ufffdc😀');
    expect(wellFormed('plain')).toBe('plain');
  });

  it('returns the same row when every string is already well formed, a fixed copy otherwise', () => {
    const row = { a: 'x', n: 1, b: null };
    expect(wellFormedRow(row)).toBe(row);
    const bad = { a: 'x\ud83d', n: 1 };
    expect(wellFormedRow(bad)).toEqual({ a: 'x\ufffd', n: 1 });
    expect(bad.a).toBe('x\ud83d');
  });
});
