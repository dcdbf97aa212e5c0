/**
 * A Kafka-protocol TCP proxy in front of each mock broker that makes the mock refuse what a real
 * broker refuses: record batches over `message.max.bytes` (MESSAGE_TOO_LARGE per partition),
 * requests over `socket.request.max.bytes` (connection closed), and appends past the mock's
 * in-memory log cap (KAFKA_STORAGE_ERROR instead of the mock deleting acknowledged records).
 *
 * Clients bootstrap to the proxy; Metadata and FindCoordinator responses are rewritten to name the
 * proxy's addresses, so clients never reach a mock broker directly. Every other byte passes
 * through unchanged, so the mock's own behaviour (and its fault injection) is what clients see.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { FrameReader } from './kafka-frame-reader';
import {
  decodeFindCoordinatorResponse,
  decodeMetadataResponse,
  decodeProduceRequest,
  decodeProduceResponse,
  encodeFindCoordinatorResponse,
  encodeMetadataResponse,
  encodeProduceRequest,
  encodeProduceResponse,
  MAX_FIND_COORDINATOR_VERSION,
  MAX_METADATA_VERSION,
  MAX_PRODUCE_VERSION,
  type BrokerAddress,
  type ProduceRequest,
} from './kafka-messages';
import { judgeProduce, mergeProduceResponse, PartitionLogBudget, type KafkaBrokerLimits } from './kafka-produce-limits';
import type { KafkaLogCaps } from './kafka-mock-log-caps';
import { peekRequestHeader, REQUEST_PEEK_BYTES, requestBodyOffset, requestFrame, responseFrame } from './kafka-wire';

const ApiKey = { Produce: 0, Metadata: 3, FindCoordinator: 10 } as const;

export interface KafkaLimitsProxyOptions {
  /** `host:port` of every upstream (mock) broker. */
  readonly upstreams: readonly string[];
  readonly limits: KafkaBrokerLimits;
  /** The mock's per-partition log caps: appends that would pass them are refused, never trimmed. */
  readonly logCaps?: KafkaLogCaps;
  /** Interface to listen on (default 127.0.0.1). */
  readonly host?: string;
  /** Called before each Metadata response goes to the client (topics may have been auto-created). */
  readonly onMetadataResponse?: () => void;
  /** Where protocol problems are reported (default: stderr, the stack's log). */
  readonly warn?: (message: string) => void;
}

type PendingRewrite =
  | { readonly kind: 'metadata' | 'find-coordinator'; readonly version: number }
  | { readonly kind: 'produce'; readonly version: number; readonly request: ProduceRequest; readonly refused: ReadonlyMap<string, number> };

interface ProxyContext {
  readonly options: KafkaLimitsProxyOptions;
  readonly budget: PartitionLogBudget | undefined;
  /** Upstream `host:port` → the proxy's address for it. */
  readonly addresses: Map<string, { host: string; port: number }>;
  warn(message: string): void;
}

/** Writes to `to`; pauses `from` until `to` drains, so a slow side never buffers without bound. */
function forward(from: Socket, to: Socket, chunk: Buffer): void {
  if (!to.write(chunk) && !from.isPaused()) {
    from.pause();
    to.once('drain', () => from.resume());
  }
}

/** One client connection and its upstream connection to the mock broker behind its listener. */
class ProxiedConnection {
  private readonly pending = new Map<number, PendingRewrite>();

  constructor(
    private readonly client: Socket,
    private readonly upstream: Socket,
    private readonly context: ProxyContext,
  ) {
    const { limits } = context.options;
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    // Nothing is read from the client before the upstream connection stands; a refused connect
    // (broker down) closes the client, as the broker's own refusal would end its connection.
    client.pause();
    upstream.once('connect', () => client.resume());
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    // The broker went away (set down, or stopped): the client sees its connection end, as it would.
    upstream.on('close', () => client.end(() => client.destroy()));

    const requests = new FrameReader({
      peekBytes: REQUEST_PEEK_BYTES - 4,
      maxSize: limits.socketRequestMaxBytes,
      decide: (head) => this.onRequestHead(head),
      pass: (chunk) => forward(client, upstream, chunk),
      frame: (frame) => this.onProduceRequest(frame),
      // Kafka's SocketServer: an oversize (or negative) size closes the connection unread.
      oversize: () => {
        client.destroy();
        upstream.destroy();
      },
    });
    const responses = new FrameReader({
      peekBytes: 4,
      maxSize: Number.POSITIVE_INFINITY,
      decide: (head) => (head.length >= 8 && this.pending.has(head.readInt32BE(4)) ? 'buffer' : 'pass'),
      pass: (chunk) => forward(upstream, client, chunk),
      frame: (frame) => forward(upstream, client, this.rewriteResponse(frame)),
      oversize: () => client.destroy(),
    });
    client.on('data', (chunk: Buffer) => requests.push(chunk));
    upstream.on('data', (chunk: Buffer) => responses.push(chunk));
  }

  private onRequestHead(head: Buffer): 'pass' | 'buffer' {
    if (head.length < REQUEST_PEEK_BYTES) return 'pass';
    const { apiKey, apiVersion: version, correlationId } = peekRequestHeader(head);
    if (apiKey === ApiKey.Produce && version <= MAX_PRODUCE_VERSION) return 'buffer';
    if (apiKey === ApiKey.Metadata && version <= MAX_METADATA_VERSION) this.pending.set(correlationId, { kind: 'metadata', version });
    if (apiKey === ApiKey.FindCoordinator && version <= MAX_FIND_COORDINATOR_VERSION) this.pending.set(correlationId, { kind: 'find-coordinator', version });
    return 'pass';
  }

  private onProduceRequest(frame: Buffer): void {
    const { apiVersion: version, correlationId } = peekRequestHeader(frame);
    const bodyOffset = requestBodyOffset(frame);
    let request: ProduceRequest;
    try {
      request = decodeProduceRequest(frame.subarray(bodyOffset), version);
    } catch (error) {
      this.context.warn(`Produce v${version} request not understood, forwarded unchecked: ${(error as Error).message}`);
      forward(this.client, this.upstream, frame);
      return;
    }
    const verdict = judgeProduce(request, this.context.options.limits, this.context.budget);
    if (verdict.refused.size === 0) {
      forward(this.client, this.upstream, frame);
      return;
    }
    forward(this.client, this.upstream, requestFrame(frame.subarray(4, bodyOffset), encodeProduceRequest(verdict.forward, version)));
    if (request.acks === 0) {
      // acks=0 has no response to carry an error: Kafka closes the connection instead.
      this.upstream.end();
      this.client.destroy();
      return;
    }
    // The merge needs names and indexes only: holding no record bytes frees the frame now.
    const shape = { ...request, topics: request.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ index: p.index, records: null })) })) };
    this.pending.set(correlationId, { kind: 'produce', version, request: shape, refused: verdict.refused });
  }

  private rewriteResponse(frame: Buffer): Buffer {
    const correlationId = frame.readInt32BE(4);
    const rewrite = this.pending.get(correlationId)!;
    this.pending.delete(correlationId);
    const body = frame.subarray(8);
    try {
      switch (rewrite.kind) {
        case 'metadata': {
          const metadata = decodeMetadataResponse(body, rewrite.version);
          this.context.options.onMetadataResponse?.();
          return responseFrame(correlationId, encodeMetadataResponse({ ...metadata, brokers: metadata.brokers.map((b) => ({ ...b, ...this.proxyAddress(b) })) }, rewrite.version));
        }
        case 'find-coordinator': {
          const coordinator = decodeFindCoordinatorResponse(body, rewrite.version);
          return responseFrame(correlationId, encodeFindCoordinatorResponse({ ...coordinator, ...this.proxyAddress(coordinator) }, rewrite.version));
        }
        case 'produce': {
          const merged = mergeProduceResponse(rewrite.request, rewrite.refused, decodeProduceResponse(body, rewrite.version));
          return responseFrame(correlationId, encodeProduceResponse(merged, rewrite.version));
        }
      }
    } catch (error) {
      this.context.warn(`${rewrite.kind} v${rewrite.version} response not understood, passed through unchanged: ${(error as Error).message}`);
      return frame;
    }
  }

  private proxyAddress(broker: BrokerAddress): { host: string; port: number } {
    // A coordinator error carries no broker (node -1, port -1): nothing to map.
    if (broker.nodeId < 0) return { host: broker.host, port: broker.port };
    const address = this.context.addresses.get(`${broker.host}:${broker.port}`);
    if (!address) this.context.warn(`broker ${broker.nodeId} at ${broker.host}:${broker.port} has no proxy; clients would bypass the limits`);
    return address ?? { host: broker.host, port: broker.port };
  }
}

function splitAddress(address: string): { host: string; port: number } {
  const at = address.lastIndexOf(':');
  return { host: address.slice(0, at), port: Number(address.slice(at + 1)) };
}

/** A listener for one upstream broker; closed while that broker is down. */
interface Listener {
  readonly upstream: { host: string; port: number };
  readonly port: number;
  server: Server | undefined;
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/**
 * One listener per upstream broker.
 *
 * @example
 * const proxy = await KafkaLimitsProxy.start({ upstreams: mock.bootstrapServers.split(','), limits: KAFKA_DEFAULT_LIMITS });
 * new Kafka({ brokers: proxy.bootstrapServers.split(',') });
 */
export class KafkaLimitsProxy {
  private readonly sockets = new Set<Socket>();
  private readonly listeners = new Map<string, Listener>();
  private readonly context: ProxyContext;
  private readonly host: string;

  private constructor(options: KafkaLimitsProxyOptions) {
    this.host = options.host ?? '127.0.0.1';
    this.context = {
      options,
      budget: options.logCaps && new PartitionLogBudget(options.logCaps),
      addresses: new Map(),
      warn: options.warn ?? ((message) => process.stderr.write(`kafka proxy: ${message}\n`)),
    };
  }

  static async start(options: KafkaLimitsProxyOptions): Promise<KafkaLimitsProxy> {
    const proxy = new KafkaLimitsProxy(options);
    for (const upstream of options.upstreams) {
      const server = proxy.createListenerServer(splitAddress(upstream));
      const port = await listen(server, 0, proxy.host);
      proxy.listeners.set(upstream, { upstream: splitAddress(upstream), port, server });
      proxy.context.addresses.set(upstream, { host: proxy.host, port });
    }
    return proxy;
  }

  /** The proxy's `host:port` list, in upstream order: what clients bootstrap to. */
  get bootstrapServers(): string {
    return [...this.listeners.values()].map((l) => `${this.host}:${l.port}`).join(',');
  }

  /**
   * Stops or resumes accepting connections for one upstream broker, on the same port, so that a
   * broker set down refuses connections through the proxy as it does on its own (ECONNREFUSED).
   */
  async setUpstreamListening(upstream: string, listening: boolean): Promise<void> {
    const listener = this.listeners.get(upstream);
    if (!listener) throw new Error(`no proxy listener for ${upstream}`);
    if (!listening && listener.server) {
      listener.server.close();
      listener.server = undefined;
    } else if (listening && !listener.server) {
      const server = this.createListenerServer(listener.upstream);
      await listen(server, listener.port, this.host);
      listener.server = server;
    }
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    const servers = [...this.listeners.values()].flatMap((l) => (l.server ? [l.server] : []));
    await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  }

  private createListenerServer(target: { host: string; port: number }): Server {
    return createServer((client) => {
      const upstream = connect(target.port, target.host);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.once('close', () => this.sockets.delete(socket));
      }
      new ProxiedConnection(client, upstream, this.context);
    });
  }
}
