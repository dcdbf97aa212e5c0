import { loadConfig } from '../../../lib/config';
import { createTableHandler } from '../../../lib/handler';
import { fakePorts, transient } from '../../support/fakes';
import { loadFixture } from '../../support/events';

const config = loadConfig({ LOG_LEVEL: 'silent' });

describe('createTableHandler', () => {
  it('keeps valid records of a malformed batch and dead-letters the poison ones', async () => {
    // Prepare
    const ports = fakePorts();
    const handler = createTableHandler('users', { config, createPorts: async () => ports });
    // Act
    const summary = await handler(loadFixture('msk-users-mixed.json'), { awsRequestId: 'req-7' });
    // Assess
    expect(summary).toMatchObject({ received: 7, inserted: 2, sentToDlq: 5 });
    expect(ports.writer.rows.map((r) => r.source.offset)).toEqual(['40', '46']);
    expect(ports.audit.entries[0]).toMatchObject({ requestId: 'req-7', table: 'users' });
  });

  it('creates its connections once per container', async () => {
    const ports = fakePorts();
    const createPorts = jest.fn(async () => ports);
    const handler = createTableHandler('products', { config, createPorts });
    await handler(loadFixture('self-managed-products.json'), { awsRequestId: 'a' });
    await handler(loadFixture('self-managed-products.json'), { awsRequestId: 'b' });
    expect(createPorts).toHaveBeenCalledTimes(1);
    expect(ports.writer.rows).toHaveLength(2);
  });

  it('retries connecting on the next invocation after a failed connect', async () => {
    const ports = fakePorts();
    const createPorts = jest.fn().mockRejectedValueOnce(transient()).mockResolvedValue(ports);
    const handler = createTableHandler('orders', { config, createPorts });
    await expect(handler(loadFixture('msk-orders.json'), { awsRequestId: 'a' })).rejects.toThrow('ECONNREFUSED');
    await expect(handler(loadFixture('msk-orders.json'), { awsRequestId: 'b' })).resolves.toMatchObject({ inserted: 2 });
  });

  it('throws on a transient failure so the event source mapping redelivers the batch', async () => {
    const ports = fakePorts();
    ports.writer.failWith = transient();
    const handler = createTableHandler('orders', { config, createPorts: async () => ports });
    await expect(handler(loadFixture('msk-orders.json'), { awsRequestId: 'x' })).rejects.toThrow('ECONNREFUSED');
  });

  it('computes the order total when the record omits it', async () => {
    const ports = fakePorts();
    const handler = createTableHandler('orders', { config, createPorts: async () => ports });
    await handler(loadFixture('msk-orders.json'), { awsRequestId: 'x' });
    expect(ports.writer.rows.map((r) => r.row.total)).toEqual([259.98, 10.5]);
  });
});

describe('createTableHandler under sls invoke local', () => {
  it('releases its connections after each invocation so the process can exit', async () => {
    const ports = { ...fakePorts(), close: jest.fn(async () => undefined) };
    const handler = createTableHandler('orders', { config: loadConfig({ LOG_LEVEL: 'silent', IS_LOCAL: 'true' }), createPorts: async () => ports });
    await handler(loadFixture('msk-orders.json'), { awsRequestId: 'x' });
    expect(ports.close).toHaveBeenCalledTimes(1);
  });

  it('keeps them open in Lambda and under sls offline', async () => {
    for (const env of [{}, { IS_LOCAL: 'true', IS_OFFLINE: 'true' }]) {
      const ports = { ...fakePorts(), close: jest.fn(async () => undefined) };
      const handler = createTableHandler('orders', { config: loadConfig({ LOG_LEVEL: 'silent', ...env }), createPorts: async () => ports });
      await handler(loadFixture('msk-orders.json'), { awsRequestId: 'x' });
      expect(ports.close).not.toHaveBeenCalled();
    }
  });
});
