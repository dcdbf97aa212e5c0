import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalStack, type LocalStack } from '../../infra/local/local-stack';

describe('the local stack creates its database at start, as the ClickHouse Docker image does', () => {
  let dataDir: string;
  let stack: LocalStack;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'kcl-db-'));
    stack = await startLocalStack({ dataDir, database: 'analytics', clickhousePassword: 's3cret' });
  });

  afterAll(async () => {
    await stack.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers a query in that database before any migration ran', () => {
    // Act
    const answer = execFileSync('curl', ['-sS', '--fail-with-body', '-u', 'default:s3cret', `${stack.clickhouseUrl}/?database=analytics`, '--data-binary', 'SELECT 1'], { encoding: 'utf8' });
    // Assess
    expect(answer).toBe('1\n');
  });
});
