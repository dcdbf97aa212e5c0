import { decimalOption, integerOption, SEED_RANGE } from '../../../infra/cli/number-options';

describe('numbers on a command line are read strictly', () => {
  const COUNT = { min: 0, max: 100 };

  it('takes plain decimal integers in range, and nothing when the flag is absent', () => {
    expect(integerOption('users', '42', COUNT)).toBe(42);
    expect(integerOption('users', '0', COUNT)).toBe(0);
    expect(integerOption('seed', '-7', { min: -10, max: 10 })).toBe(-7);
    expect(integerOption('users', undefined, COUNT)).toBeUndefined();
  });

  it.each(['10abc', '1e1', '0x10', ' 10', '10 ', '', '1.0', '1.5', '-1', '101', 'NaN', 'Infinity', '+5'])('refuses %j in one line naming the flag and its range', (text) => {
    expect(() => integerOption('users', text, COUNT)).toThrow(`--users must be an integer from 0 to 100 (got ${JSON.stringify(text)})`);
  });

  it('refuses zero where it means nothing', () => {
    expect(() => integerOption('batch-size', '0', { min: 1, max: 10 })).toThrow('--batch-size must be an integer from 1 to 10 (got "0")');
  });

  it('takes decimals in range and refuses the rest', () => {
    expect(decimalOption('invalid-rate', '0.25', { min: 0, max: 1 })).toBe(0.25);
    expect(decimalOption('invalid-rate', '.5', { min: 0, max: 1 })).toBe(0.5);
    expect(decimalOption('invalid-rate', '1', { min: 0, max: 1 })).toBe(1);
    for (const text of ['1.5', '-0.1', '0.1x', '1e-1', '', '.']) expect(() => decimalOption('invalid-rate', text, { min: 0, max: 1 })).toThrow(`--invalid-rate must be a number from 0 to 1 (got ${JSON.stringify(text)})`);
  });

  it('takes a seed as a 32-bit signed integer', () => {
    expect(integerOption('seed', '2147483647', SEED_RANGE)).toBe(2147483647);
    expect(integerOption('seed', '-2147483648', SEED_RANGE)).toBe(-2147483648);
    expect(() => integerOption('seed', '2147483648', SEED_RANGE)).toThrow('--seed must be an integer from -2147483648 to 2147483647 (got "2147483648")');
  });
});
