import { loadConfig } from '../../../lib/config';
import { TransientError } from '../../../lib/errors';
import { createTableHandler } from '../../../lib/handler';
import { fakePorts, transient } from '../../support/fakes';
import { loadFixture } from '../../support/events';

const config = loadConfig({ LOG_LEVEL: 'silent' });

describe('createTableHandler', () => {
  it('keeps valid records of a malformed batch and dead-letters the poison ones', async () => {
    // Prepare
    const ports = fakePorts();
    const handler = createTableHandler('users', { config, createPorts: () => ports });
    // Act
    const summary = await handler(loadFixture('msk-users-mixed.json'), { awsRequestId: 'req-7' });
    // Assess
    expect(summary).toMatchObject({ received: 7, inserted: 2, sentToDlq: 5 });
    expect(ports.writer.rows.map((r) => r.source.offset)).toEqual(['40', '46']);
    expect(ports.audit.entries[0]).toMatchObject({ requestId: 'req-7', table: 'users' });
    expect(ports.deadLetters.letters.every((l) => l.requestId === 'req-7')).toBe(true);
  });

  it('builds its adapters once per container', async () => {
    const ports = fakePorts();
    const createPorts = jest.fn(() => ports);
    const handler = createTableHandler('products', { config, createPorts });
    await handler(loadFixture('self-managed-products.json'), { awsRequestId: 'a' });
    await handler(loadFixture('self-managed-products.json'), { awsRequestId: 'b' });
    expect(createPorts).toHaveBeenCalledTimes(1);
    expect(ports.writer.rows).toHaveLength(2);
  });

  it('takes the deadline from the Lambda context', async () => {
    const ports = fakePorts();
    const handler = createTableHandler('orders', { config, createPorts: () => ports });
    await handler(loadFixture('msk-orders.json'), { awsRequestId: 'x', getRemainingTimeInMillis: () => 10_000 });
    const remaining = ports.writer.deadlines[0]!.remainingMs();
    // 10 s minus the reserve for the failure path (1 s), minus the time the test took.
    expect(remaining).toBeGreaterThan(8_000);
    expect(remaining).toBeLessThanOrEqual(9_000);
  });

  it('throws on a transient failure so the event source mapping redelivers the batch, then recovers', async () => {
    const ports = fakePorts();
    ports.writer.failWith = transient();
    const handler = createTableHandler('orders', { config, createPorts: () => ports });
    await expect(handler(loadFixture('msk-orders.json'), { awsRequestId: 'x' })).rejects.toBeInstanceOf(TransientError);
    ports.writer.failWith = undefined;
    await expect(handler(loadFixture('msk-orders.json'), { awsRequestId: 'y' })).resolves.toMatchObject({ inserted: 2 });
  });

  it('computes the order total when the record omits it', async () => {
    const ports = fakePorts();
    const handler = createTableHandler('orders', { config, createPorts: () => ports });
    await handler(loadFixture('msk-orders.json'), { awsRequestId: 'x' });
    expect(ports.writer.rows.map((r) => r.row.total)).toEqual([259.98, 10.5]);
  });
});

describe('createTableHandler under sls invoke local', () => {
  it('releases its connections after each invocation so the process can exit', async () => {
    const ports = fakePorts();
    const handler = createTableHandler('orders', { config: loadConfig({ LOG_LEVEL: 'silent', IS_LOCAL: 'true' }), createPorts: () => ports });
    await handler(loadFixture('msk-orders.json'), { awsRequestId: 'x' });
    expect(ports.closeCalls).toBe(1);
  });

  it('keeps them open in Lambda and under sls offline', async () => {
    for (const env of [{}, { IS_LOCAL: 'true', IS_OFFLINE: 'true' }]) {
      const ports = fakePorts();
      const handler = createTableHandler('orders', { config: loadConfig({ LOG_LEVEL: 'silent', ...env }), createPorts: () => ports });
      await handler(loadFixture('msk-orders.json'), { awsRequestId: 'x' });
      expect(ports.closeCalls).toBe(0);
    }
  });
});
