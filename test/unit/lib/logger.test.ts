import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../../lib/config';
import { createLogger } from '../../../lib/logger';
import { captureErrorOutput } from '../../support/error-output';

const lines = (file: string) => readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l));

describe('createLogger', () => {
  beforeEach(() => {
    // Lines also go to the console: stdout is muted here; error lines are captured by each test.
    jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  });
  afterEach(() => jest.restoreAllMocks());

  it('mirrors lines to combined, error and per-table files when LOG_DIR is set', () => {
    // Prepare
    const dir = join(mkdtempSync(join(tmpdir(), 'logs-')), 'logs');
    const logger = createLogger(loadConfig({ LOG_DIR: dir, LOG_LEVEL: 'info' }), { table: 'orders' });
    const stderr = captureErrorOutput();
    // Act
    logger.info('batch processed', { inserted: 3 });
    logger.error('batch failed');
    logger.debug('not at this level');
    // Assess
    expect(lines(join(dir, 'combined.log')).map((l) => [l.level, l.message, l.table])).toEqual([
      ['INFO', 'batch processed', 'orders'],
      ['ERROR', 'batch failed', 'orders'],
    ]);
    expect(lines(join(dir, 'error.log')).map((l) => l.message)).toEqual(['batch failed']);
    expect(lines(join(dir, 'orders.log'))).toHaveLength(2);
    expect(lines(join(dir, 'combined.log'))[0]).toMatchObject({ inserted: 3, service: 'kafka-clickhouse-lambda' });
    expect(JSON.parse(stderr.text())).toMatchObject({ level: 'ERROR', message: 'batch failed', table: 'orders' });
  });

  it('keeps info lines in the files when LOG_LEVEL quiets the console', () => {
    // Prepare
    const dir = join(mkdtempSync(join(tmpdir(), 'logs-')), 'logs');
    const logger = createLogger(loadConfig({ LOG_DIR: dir, LOG_LEVEL: 'warn' }), { table: 'users' });
    const stderr = captureErrorOutput();
    // Act
    logger.info('batch processed', { inserted: 3 });
    logger.warn('slow insert');
    logger.debug('below info');
    // Assess
    expect(lines(join(dir, 'users.log')).map((l) => l.message)).toEqual(['batch processed', 'slow insert']);
    const printed = [
      ...(process.stdout.write as jest.Mock).mock.calls.map(([chunk]) => String(chunk)),
      ...stderr.text().split('\n').filter(Boolean),
    ].map((line) => JSON.parse(line).message);
    expect(printed).toEqual(['slow insert']);
  });

  it('writes one JSON line with its keys to stdout', () => {
    createLogger(loadConfig({ LOG_LEVEL: 'info' }), { table: 'users' }).info('hello', { received: 2 });
    const written = (process.stdout.write as jest.Mock).mock.calls.map(([chunk]) => String(chunk)).join('');
    expect(JSON.parse(written.trim())).toMatchObject({ level: 'INFO', message: 'hello', table: 'users', received: 2 });
  });
});
