/**
 * Turns the failure of a command into the one line a user reads: what went wrong, which variable
 * and address it concerns, and what to do. Errors are recognised by `name` and fields, never by
 * `instanceof`: under `sls invoke local` they come from a separately bundled copy of the library.
 */
import type { EnvOrigin, ResolvedEnvironment } from '../../lib/environment';

/** A server a command talks to, and the setting that points at it. */
export interface Endpoint {
  readonly address: string;
  /** The name the user gave the setting (`KAFKA_BROKER` when the alias was used). */
  readonly variable: string;
  /** Where the setting came from; undefined means the built-in default. */
  readonly origin?: EnvOrigin;
}

export interface FailureContext {
  readonly clickhouse: Endpoint;
  readonly kafka: Endpoint;
  /** The ClickHouse user the command logs in as (`CLICKHOUSE_USER`). */
  readonly clickhouseUser: string;
  readonly origins: Readonly<Record<string, EnvOrigin>>;
}

/** A mistake in a command's arguments: reported with a pointer to `--help`. */
export class UsageError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'UsageError';
  }
}

const DEFAULT_CLICKHOUSE_URL = 'http://localhost:8123';
const DEFAULT_KAFKA_BROKERS = 'localhost:9094';
const STACK_UP = 'Start the local stack with `npm run stack:up`';

/** The endpoints of the effective environment, for {@link describeFailure}. */
export function failureContext({ env, origins }: ResolvedEnvironment): FailureContext {
  const endpoint = (name: string, fallback: string): Endpoint => ({
    address: env[name] ?? fallback,
    variable: origins[name]?.variable ?? name,
    origin: origins[name],
  });
  return {
    clickhouse: endpoint('CLICKHOUSE_URL', DEFAULT_CLICKHOUSE_URL),
    kafka: endpoint('KAFKA_BROKERS', DEFAULT_KAFKA_BROKERS),
    clickhouseUser: env.CLICKHOUSE_USER ?? 'default',
    origins,
  };
}

interface ErrorLike {
  readonly name?: string;
  readonly message?: string;
  readonly code?: unknown;
  readonly type?: unknown;
  readonly cause?: unknown;
  readonly broker?: string;
  readonly address?: string;
  readonly hostname?: string;
  readonly port?: number;
  readonly variable?: string;
  readonly $metadata?: unknown;
}

/** The error and its causes, outermost first. */
function chain(error: unknown): ErrorLike[] {
  const links: ErrorLike[] = [];
  for (let e = error; e && typeof e === 'object' && links.length < 10; e = (e as ErrorLike).cause) links.push(e as ErrorLike);
  return links;
}

const firstLine = (text: string | undefined): string => (text ?? '').split('\n').map((l) => l.trim()).find(Boolean) ?? '';
const withoutPeriod = (text: string): string => text.replace(/[.\s]+$/, '');
const className = (e: ErrorLike): string => (e.name && e.name !== 'Error' ? e.name : (e as object).constructor?.name ?? 'Error');

interface NetworkReason {
  readonly text: string;
  /** The host name itself is wrong (not a server that is down). */
  readonly badHost?: boolean;
}

/** Why a socket-level failure happened, in words; undefined when it is not one. */
function networkReason(e: ErrorLike): NetworkReason | undefined {
  const code = typeof e.code === 'string' ? e.code : '';
  const message = e.message ?? '';
  if (code === 'ECONNREFUSED' || /ECONNREFUSED/.test(message)) return { text: 'connection refused' };
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || /ENOTFOUND|EAI_AGAIN/.test(message)) return { text: `host ${e.hostname ? `"${e.hostname}" ` : ''}not found`, badHost: true };
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return { text: 'host unreachable' };
  // @clickhouse/client says "Timeout error."; kafkajs "Connection timeout".
  if (code === 'ETIMEDOUT' || e.name === 'TimeoutError' || /^(Timeout error|Connection timeout)/.test(message)) return { text: 'no answer (timed out)' };
  if (['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET'].includes(code) || /socket hang up|Connection closed/i.test(message)) return { text: 'the connection was closed by the other side' };
  if (/^ERR_TLS|CERT|SELF_SIGNED|^UNABLE_TO_/.test(code)) return { text: `TLS failed (${withoutPeriod(message)})` };
  return undefined;
}

/** "(CLICKHOUSE_URL)", "(KAFKA_BROKERS in .env)", or the default's explanation. */
function provenance(endpoint: Endpoint): string {
  const origin = endpoint.origin;
  if (!origin) return `(the default: ${endpoint.variable} is not set and no local stack is running)`;
  return origin.source === 'environment' ? `(${endpoint.variable})` : `(${endpoint.variable} in ${origin.source})`;
}

function unreachable(service: 'ClickHouse' | 'Kafka', endpoint: Endpoint, reason: NetworkReason): string {
  const what = service === 'Kafka' ? 'broker' : 'server';
  const origin = endpoint.origin?.source;
  const fix =
    origin === undefined
      ? `${STACK_UP} (or \`docker compose up -d\`), or set ${endpoint.variable}.`
      : reason.badHost
        ? `Check the host name in ${endpoint.variable}.`
        : origin === '.local/stack.env'
          ? 'The local stack is not answering: `npm run stack:status` shows it, `npm run stack:up` restarts it.'
          : `Is the ${what} running? ${STACK_UP}.`;
  return `cannot reach ${service} at ${endpoint.address} ${provenance(endpoint)}: ${reason.text}. ${fix}`;
}

const isKafka = (e: ErrorLike): boolean => typeof e.name === 'string' && e.name.startsWith('KafkaJS');

/** Does a socket error's host or port belong to the endpoint's address(es)? */
function pointsAt(e: ErrorLike, addresses: string): boolean {
  return addresses.split(',').some((address) => {
    const match = /^(?:\w+:\/\/)?\[?([^\]/:]+)\]?(?::(\d+))?/.exec(address.trim());
    const [host, port] = [match?.[1], Number(match?.[2] ?? (address.startsWith('https') ? 443 : address.startsWith('http') ? 80 : NaN))];
    return (e.hostname !== undefined && e.hostname === host) || (e.port !== undefined && e.port === port);
  });
}

function describeKafka(links: ErrorLike[], context: FailureContext): string | undefined {
  const kafkaLinks = links.filter(isKafka);
  if (kafkaLinks.length === 0) return undefined;
  const names = kafkaLinks.map((e) => e.name);
  if (names.includes('KafkaJSSASLAuthenticationError')) {
    return `Kafka at ${context.kafka.address} refused the SASL authentication: ${withoutPeriod(firstLine(kafkaLinks.find((e) => e.name === 'KafkaJSSASLAuthenticationError')!.message))}. Check KAFKA_AUTH and the username and password of KAFKA_SECRET_ARN.`;
  }
  for (const e of kafkaLinks) {
    const reason = networkReason(e);
    if (reason) return unreachable('Kafka', context.kafka, reason);
  }
  if (names.some((n) => /Connection|BrokerNotFound/.test(n!))) return unreachable('Kafka', context.kafka, { text: withoutPeriod(firstLine(kafkaLinks.at(-1)!.message)) });
  const protocol = kafkaLinks.find((e) => e.name === 'KafkaJSProtocolError');
  if (protocol?.type === 'UNKNOWN_TOPIC_OR_PARTITION') {
    return `Kafka at ${context.kafka.address} ${provenance(context.kafka)} lacks a topic this command uses (UNKNOWN_TOPIC_OR_PARTITION): create users-topic, products-topic, orders-topic and dlq-topic (the local stack and docker compose create them).`;
  }
  return `Kafka at ${context.kafka.address} ${provenance(context.kafka)}: ${withoutPeriod(firstLine(kafkaLinks.at(-1)!.message))}.`;
}

/** A ClickHouse server error (`ClickHouseError`, or its "Code: N." text) and its numeric code. */
function clickHouseCode(e: ErrorLike): number | undefined {
  if (typeof e.code === 'string' && /^\d+$/.test(e.code) && (typeof e.type === 'string' || className(e) === 'ClickHouseError')) return Number(e.code);
  const match = /^Code: (\d+)\./.exec(e.message ?? '');
  return match ? Number(match[1]) : undefined;
}

function describeClickHouse(links: ErrorLike[], context: FailureContext): string | undefined {
  const { clickhouse, origins } = context;
  const impostor = links.find((e) => e.name === 'NotClickHouseError');
  if (impostor) {
    const answer = (impostor as ErrorLike & { answer?: string }).answer ?? '';
    return `${clickhouse.address} ${provenance(clickhouse)} does not answer as ClickHouse (${answer}). Set ${clickhouse.variable} to the server's HTTP interface (port 8123, or 8443 with TLS).`;
  }
  for (const e of links) {
    const code = clickHouseCode(e);
    if (code === 516 || code === 192 || code === 193 || code === 194) {
      const source = origins.CLICKHOUSE_USER;
      const user = `user "${context.clickhouseUser}" (${source ? (source.source === 'environment' ? 'CLICKHOUSE_USER' : `CLICKHOUSE_USER in ${source.source}`) : 'the default'})`;
      return `ClickHouse at ${clickhouse.address} refused the credentials of ${user}, code ${code}: set CLICKHOUSE_USER and CLICKHOUSE_PASSWORD (or CLICKHOUSE_SECRET_ARN) to an account of that server.`;
    }
    if (code === 81) return `ClickHouse at ${clickhouse.address} has no database of that name (CLICKHOUSE_DB, code 81): run \`npm run migrate\` to create it.`;
    if (code === 60) return `ClickHouse at ${clickhouse.address} lacks a table (code 60, ${withoutPeriod(firstLine(e.message))}): run \`npm run migrate\`.`;
  }
  for (const e of links) {
    const reason = networkReason(e);
    // @clickhouse/client's own timeout names no host; other socket errors must point at ClickHouse.
    const located = e.hostname !== undefined || e.port !== undefined;
    if (reason && (!located || pointsAt(e, clickhouse.address))) return unreachable('ClickHouse', clickhouse, reason);
  }
  return undefined;
}

function describeConfig(links: ErrorLike[], context: FailureContext): string | undefined {
  const e = links.find((l) => l.name === 'ConfigError' && typeof l.variable === 'string');
  if (!e) return undefined;
  const origin = context.origins[e.variable!];
  const where = origin ? (origin.source === 'environment' ? ', set in the environment' : `, set in ${origin.file ?? origin.source}`) : '';
  return `${withoutPeriod(firstLine(e.message))}${where}. Fix it${origin ? ' or unset it' : ''}; docs/configuration.md lists every variable.`;
}

function describeAws(links: ErrorLike[]): string | undefined {
  const e = links.find((l) => l.$metadata !== undefined || l.name === 'CredentialsProviderError');
  if (!e) return undefined;
  return `AWS Secrets Manager failed (${className(e)}: ${withoutPeriod(firstLine(e.message))}). Check your AWS credentials and the *_SECRET_ARN variables, or unset those variables to use plain settings.`;
}

/**
 * One line, without the `error: ` prefix, for any failure of a command: configuration, an
 * unreachable ClickHouse or Kafka (naming the variable, the address and the fix), a ClickHouse
 * or Kafka refusal, bad command-line input; anything else is the first line of its message.
 */
export function describeFailure(error: unknown, context: FailureContext, options: { helpCommand?: string } = {}): string {
  const links = chain(error);
  if (links.length === 0) return String(error);
  const top = links[0]!;
  // DlqUsageError comes from lib/, which cannot import this module's UsageError.
  if (top.name === 'UsageError' || top.name === 'DlqUsageError') return options.helpCommand ? `${withoutPeriod(firstLine(top.message))}. See \`${options.helpCommand}\`.` : firstLine(top.message);
  return (
    describeConfig(links, context) ??
    describeKafka(links, context) ??
    describeClickHouse(links, context) ??
    describeAws(links) ??
    (firstLine(top.message) || className(top))
  );
}
