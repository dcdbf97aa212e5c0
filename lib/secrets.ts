import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ConfigError } from './errors';

let client: SecretsManagerClient | undefined;
const cache = new Map<string, Promise<Record<string, unknown>>>();

/**
 * Reads a JSON secret from Secrets Manager once per container and caches it. The value is
 * never logged; a secret that is not a JSON object fails with a message naming `variable`.
 */
export function getJsonSecret(arn: string, variable: string): Promise<Record<string, unknown>> {
  let pending = cache.get(arn);
  if (!pending) {
    client ??= new SecretsManagerClient({});
    pending = client.send(new GetSecretValueCommand({ SecretId: arn })).then((out) => {
      let value: unknown;
      try {
        value = JSON.parse(out.SecretString ?? '');
      } catch {
        throw new ConfigError(variable, 'must name a secret whose value is a JSON object');
      }
      if (!value || typeof value !== 'object' || Array.isArray(value)) {
        throw new ConfigError(variable, 'must name a secret whose value is a JSON object');
      }
      return value as Record<string, unknown>;
    });
    // A failed read (throttling, network) must not stay cached for the container's lifetime.
    pending.catch(() => cache.delete(arn));
    cache.set(arn, pending);
  }
  return pending;
}

/** For tests: forget cached secrets and the client (so a mocked SDK is picked up). */
export function resetSecretCache(): void {
  cache.clear();
  client = undefined;
}
