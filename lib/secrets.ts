import { ConfigError } from './errors';

/**
 * Secrets are re-read after this long even without a failure, so a rotated secret reaches warm
 * containers; an authentication failure re-reads at once (see `forgetSecret`).
 */
export const SECRET_TTL_MS = 15 * 60_000;

interface CachedSecret {
  readonly value: Promise<Record<string, unknown>>;
  readonly readAt: number;
}

type SecretsClient = { send(command: unknown): Promise<{ SecretString?: string }> };

let client: SecretsClient | undefined;
const cache = new Map<string, CachedSecret>();

// The AWS SDK is loaded on first use: most invocations never read a secret (it is cached), and a
// local run without secrets never loads it at all.
function secretsClient(): { client: SecretsClient; command: (arn: string) => unknown } {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const sdk = require('@aws-sdk/client-secrets-manager') as typeof import('@aws-sdk/client-secrets-manager');
  client ??= new sdk.SecretsManagerClient({}) as unknown as SecretsClient;
  return { client, command: (arn) => new sdk.GetSecretValueCommand({ SecretId: arn }) };
}

/**
 * Reads a JSON secret from Secrets Manager and caches it for {@link SECRET_TTL_MS}. The value is
 * never logged; a secret that is not a JSON object fails with a message naming `variable`.
 */
export function getJsonSecret(arn: string, variable: string, now: () => number = Date.now): Promise<Record<string, unknown>> {
  const cached = cache.get(arn);
  if (cached && now() - cached.readAt < SECRET_TTL_MS) return cached.value;
  const { client: sm, command } = secretsClient();
  const value = sm.send(command(arn)).then((out) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(out.SecretString ?? '');
    } catch {
      throw new ConfigError(variable, 'must name a secret whose value is a JSON object');
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new ConfigError(variable, 'must name a secret whose value is a JSON object');
    }
    return parsed as Record<string, unknown>;
  });
  // A failed read (throttling, network) must not stay cached.
  value.catch(() => {
    if (cache.get(arn)?.value === value) cache.delete(arn);
  });
  cache.set(arn, { value, readAt: now() });
  return value;
}

/** Drops one cached secret: the next read goes to Secrets Manager (after a rotation). */
export function forgetSecret(arn: string): void {
  cache.delete(arn);
}

/** For tests: forget cached secrets and the client (so a mocked SDK is picked up). */
export function resetSecretCache(): void {
  cache.clear();
  client = undefined;
}
