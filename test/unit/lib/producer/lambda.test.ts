import { loadConfig } from '../../../../lib/config';
import { InvalidEventError } from '../../../../lib/errors';
import { createSampleDataProducer } from '../../../../lib/producer/lambda';

describe('the producer Lambda rejects events that are not counts, saying what to send', () => {
  const produce = createSampleDataProducer(loadConfig({ LOG_LEVEL: 'silent' }));

  it('points at --data when the event arrived as text (sls invoke local passes malformed JSON on as a string)', async () => {
    await expect(produce('{users: 100}')).rejects.toThrow(new InvalidEventError('the producer event must be a JSON object like {"users": 100} (got a string: is --data valid JSON?)'));
  });

  it('names the type of other non-objects', async () => {
    await expect(produce([1])).rejects.toThrow('the producer event must be a JSON object like {"users": 100} (got an array)');
    await expect(produce(42)).rejects.toThrow('(got a number)');
  });

  it('names the field of a bad count', async () => {
    await expect(produce({ users: -1 })).rejects.toThrow(/^invalid producer event: users: /);
  });

  it('names an unknown key instead of dropping it and producing the defaults', async () => {
    await expect(produce({ user: 5 })).rejects.toThrow(new InvalidEventError('the producer event has unknown key "user": use users, products, orders, invalidRate, seed'));
    await expect(produce({ users: 1, invalid_rate: 0.1, x: 1 })).rejects.toThrow('the producer event has unknown keys "invalid_rate", "x": use users, products, orders, invalidRate, seed');
  });
});
