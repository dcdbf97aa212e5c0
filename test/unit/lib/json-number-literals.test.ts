import fc from 'fast-check';
import { numberLiteralReader } from '../../../lib/json-number-literals';

const PRICE = ['data', 'price'];
const readPrice = (json: string) => numberLiteralReader([PRICE])(json)[0];

describe('numberLiteralReader', () => {
  it('returns each literal exactly as written, in the order of the paths', () => {
    // Prepare
    const read = numberLiteralReader([['data', 'unit_price'], ['data', 'total'], ['fee']]);
    // Act
    const literals = read('{"fee":1E-2,"data":{"total":19.9900000000000001,"unit_price":-0.0}}');
    // Assess
    expect(literals).toEqual(['-0.0', '19.9900000000000001', '1E-2']);
  });

  it.each([
    ['compact', '{"data":{"price":1.234}}'],
    ['spaces, tabs and newlines around every token', '{ \n\t"data" :\r\n {\t"price"\n:\t1.234 \n} }'],
    ['a key escaped as JSON.parse decodes it', '{"data":{"pr\\u0069ce":1.234}}'],
    ['the last of duplicate keys (the first short)', '{"data":{"price":1.23,"price":1.234}}'],
    ['the last of duplicate parents', '{"data":{"price":1.23},"data":{"price":1.234}}'],
    ['after strings holding quotes, backslashes and look-alike members', '{"name":"x\\"y\\\\","data":{"name":"\\"price\\": 1.5, \\\\","note":"\\\\\\"","price":1.234}}'],
    ['after unknown members holding long decimals and nested structures', '{"data":{"meta":{"price":9.999,"a":[1.0001,{"price":2.2222}]},"rate":1e-9,"price":1.234,"x":[]}}'],
  ])('finds the literal: %s', (_case, json) => {
    expect(readPrice(json)).toBe('1.234');
  });

  it.each([
    ['absent', '{"data":{"name":"price"}}'],
    ['null', '{"data":{"price":null}}'],
    ['a string', '{"data":{"price":"1.234"}}'],
    ['an object', '{"data":{"price":{"amount":1.234}}}'],
    ['an array', '{"data":{"price":[1.234]}}'],
    ['true', '{"data":{"price":true}}'],
    ['only in a string that looks like a member', '{"data":{"name":"\\"price\\": 1.234"}}'],
    ['only in a nested unknown object', '{"data":{"extra":{"price":1.234}}}'],
    ['replaced by a later duplicate that is not a number', '{"data":{"price":1.234,"price":null}}'],
    ['gone with a later duplicate parent that lacks it', '{"data":{"price":1.234},"data":{"name":"x"}}'],
    ['under a parent that is not an object', '{"data":[{"price":1.234}]}'],
    ['an empty object', '{}'],
  ])('finds nothing when the field is %s', (_case, json) => {
    expect(readPrice(json)).toBeUndefined();
  });

  it('refuses paths it cannot follow when it is built', () => {
    expect(() => numberLiteralReader([['data', 'price'], ['data', 'price']])).toThrow('listed twice');
    expect(() => numberLiteralReader([['data'], ['data', 'price']])).toThrow('goes through another one');
    expect(() => numberLiteralReader([[]])).toThrow('at least one key');
  });

  it('agrees with JSON.parse on any JSON, however it is laid out', () => {
    // Objects are member lists, so that duplicate keys occur as they can on the wire.
    type Value = { members: Array<[string, string, Value]> } | { items: Value[] } | { leaf: unknown };
    // A key as the program sees it and as the text spells it ("p" also as "\u0070").
    const key = fc.constantFrom<[string, string]>(['a', '"a"'], ['p', '"p"'], ['p', '"\\u0070"'], ['"', '"\\""'], ['\\', '"\\\\"'], ['__proto__', '"__proto__"'], ['ü', '"ü"']);
    const leaf = fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer(), fc.string(), fc.constant(null), fc.boolean()).map((v) => ({ leaf: v }));
    const { object } = fc.letrec<{ value: Value; object: Value }>((tie) => ({
      value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, tie('object'), fc.array(tie('value'), { maxLength: 3 }).map((items) => ({ items }))),
      object: fc.array(fc.tuple(key, tie('value')), { maxLength: 5 }).map((ms) => ({ members: ms.map(([[k, text], v]) => [k, text, v] as [string, string, Value]) })),
    }));
    const render = (v: Value, ws: string): string =>
      'members' in v
        ? `{${ws}${v.members.map(([, text, m]) => `${text}${ws}:${ws}${render(m, ws)}`).join(`${ws},${ws}`)}${ws}}`
        : 'items' in v
          ? `[${ws}${v.items.map((i) => render(i, ws)).join(`${ws},${ws}`)}${ws}]`
          : JSON.stringify(v.leaf);
    const paths = fc.array(fc.constantFrom('a', 'p', '"', '\\', '__proto__', 'ü'), { minLength: 1, maxLength: 3 });
    fc.assert(
      fc.property(object, fc.constantFrom('', ' ', '\n\t', ' \r\n '), paths, (root, ws, path) => {
        // Prepare
        const json = render(root, ws);
        let expected: unknown = JSON.parse(json);
        for (const k of path) expected = expected !== null && typeof expected === 'object' && !Array.isArray(expected) && Object.hasOwn(expected, k) ? (expected as Record<string, unknown>)[k] : undefined;
        // Act
        const literal = numberLiteralReader([path])(json)[0];
        // Assess
        if (typeof expected === 'number') expect(literal !== undefined && Number(literal)).toBe(expected);
        else expect(literal).toBeUndefined();
      }),
      { numRuns: 2_000 },
    );
  });
});
