import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

const compose = parse(readFileSync(join(__dirname, '..', '..', '..', 'docker-compose.yml'), 'utf8'));

describe('docker-compose.yml', () => {
  it('runs Kafka in KRaft mode with the external listener on 9094', () => {
    const kafka = compose.services.kafka;
    expect(kafka.ports).toContain('9094:9094');
    expect(kafka.environment.KAFKA_PROCESS_ROLES).toBe('broker,controller');
    expect(kafka.environment.KAFKA_ADVERTISED_LISTENERS).toContain('EXTERNAL://localhost:9094');
  });

  it('serves Kafka UI on 8080 and ClickHouse on 8123/9000 with the env of design.md', () => {
    expect(compose.services['kafka-ui'].ports).toContain('8080:8080');
    const clickhouse = compose.services.clickhouse;
    expect(clickhouse.ports).toEqual(expect.arrayContaining(['8123:8123', '9000:9000']));
    expect(clickhouse.environment).toMatchObject({ CLICKHOUSE_DB: 'test', CLICKHOUSE_USER: 'default' });
  });

  it('creates the four topics in a one-shot service once Kafka is healthy', () => {
    const init = compose.services['kafka-init'];
    expect(init.restart).toBe('no');
    expect(init.depends_on.kafka.condition).toBe('service_healthy');
    const script = init.command.join('\n');
    for (const topic of ['users-topic', 'products-topic', 'orders-topic', 'dlq-topic']) expect(script).toContain(topic);
  });
});
