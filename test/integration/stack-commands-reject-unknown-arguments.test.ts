import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runStackCli } from '../support/stack-processes';

describe('stack:up, stack:down and stack:status take only their own options', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'stack-args-'));
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    ['up', ['--bogus'], 'unknown option --bogus'],
    ['up', ['extra'], 'unexpected argument "extra"'],
    ['up', ['--clickhouse-port'], '--clickhouse-port needs a value'],
    ['down', ['--force'], 'unknown option --force'],
    ['status', ['--clickhouse-port', '1'], 'unknown option --clickhouse-port'],
  ])('stack:%s %j fails with one line pointing at --help and starts nothing', async (command, args, problem) => {
    // Act
    const outcome = await runStackCli(dir, [command, ...args]);
    // Assess
    expect(outcome).toEqual({
      code: 1,
      stdout: '',
      stderr: `error: ${problem}. See \`npm run stack:${command} -- --help\`.\n`,
    });
    expect(readdirSync(dir)).toEqual([]);
  });

  it.each(['up', 'down', 'status'])('stack:%s --help prints the usage, exits 0 and runs nothing', async (command) => {
    const outcome = await runStackCli(dir, [command, '--help']);
    expect({ code: outcome.code, stderr: outcome.stderr }).toEqual({ code: 0, stderr: '' });
    expect(outcome.stdout).toMatch(/^usage: npm run stack:up \[-- --clickhouse-port N\] \| npm run stack:down \| npm run stack:status\n/);
    expect(readdirSync(dir)).toEqual([]);
  });
});
