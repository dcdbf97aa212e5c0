import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StaleStateCode } from '../../../../infra/local/stack-errors';
import { lookUpStack, STACK_PROCESS_SCRIPT, stackPaths, stackTokenArgument, type StackPaths, type StackState } from '../../../../infra/local/stack-state';
import { startStranger, type Stranger } from '../../../support/stack-processes';

const stateOf = (pid: number, token?: string): StackState => ({
  pid,
  token,
  kafkaBrokers: '127.0.0.1:1',
  clickhouseUrl: 'http://127.0.0.1:1',
  startedAt: '2025-01-01T00:00:00.000Z',
});

describe('stack.json counts only while its pid is our stack process', () => {
  let paths: StackPaths;
  let process_: Stranger | undefined;

  beforeEach(() => {
    paths = stackPaths(mkdtempSync(join(tmpdir(), 'stack-state-')));
  });

  afterEach(async () => {
    await process_?.stop();
    process_ = undefined;
    rmSync(paths.dir, { recursive: true, force: true });
  });

  it('a live pid running the stack script with the recorded token is the running stack', async () => {
    // Prepare
    process_ = await startStranger([STACK_PROCESS_SCRIPT, stackTokenArgument('t-1')]);
    writeFileSync(paths.stateFile, JSON.stringify(stateOf(process_.pid, 't-1')));
    // Act / Assess
    expect(lookUpStack(paths)).toEqual({ status: 'running', state: stateOf(process_.pid, 't-1') });
  });

  it.each([
    ['another program', [] as string[], 't-1'],
    ['a stack process of another start (other token)', [STACK_PROCESS_SCRIPT, stackTokenArgument('t-2')], 't-1'],
  ])('a pid reused by %s is stale', async (_case, args, token) => {
    // Prepare
    process_ = await startStranger(args);
    writeFileSync(paths.stateFile, JSON.stringify(stateOf(process_.pid, token)));
    // Act
    const found = lookUpStack(paths);
    // Assess
    expect(found).toMatchObject({ status: 'stale', code: StaleStateCode.NotOurProcess });
    expect(found.status === 'stale' && found.reason).toMatch(new RegExp(`stack\\.json names pid ${process_.pid}, which is no longer the local stack's process`));
  });

  it('a dead pid is stale', () => {
    writeFileSync(paths.stateFile, JSON.stringify(stateOf(2 ** 22 + 1)));
    expect(lookUpStack(paths)).toMatchObject({ status: 'stale', code: StaleStateCode.NotOurProcess });
  });

  it.each([
    ['empty', '', 'it is empty'],
    ['not JSON', '{"pid": 12', 'not JSON: '],
    ['JSON of something else', '{"pid": "12"}', 'it does not describe a stack'],
    ['null', 'null', 'it does not describe a stack'],
  ])('a file that is %s is stale, and the reason names the file', (_case, text, why) => {
    writeFileSync(paths.stateFile, text);
    const found = lookUpStack(paths);
    expect(found).toMatchObject({ status: 'stale', code: StaleStateCode.Unreadable });
    expect(found.status === 'stale' && found.reason).toContain(`stack.json is unreadable (${why}`);
  });

  it('no file: no stack', () => {
    expect(lookUpStack(paths)).toEqual({ status: 'none' });
  });
});
