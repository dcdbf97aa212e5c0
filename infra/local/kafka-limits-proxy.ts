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
  readonly addresses: ReadonlyMap<string, { host: string; port: number }>;
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
    this.pending.set(correlationId, { kind: 'produce', version, request, refused: verdict.refused });
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

/**
 * One listener per upstream broker.
 *
 * @example
 * const proxy = await KafkaLimitsProxy.start({ upstreams: mock.bootstrapServers.split(','), limits: KAFKA_DEFAULT_LIMITS });
 * new Kafka({ brokers: proxy.bootstrapServers.split(',') });
 */
export class KafkaLimitsProxy {
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly servers: readonly Server[],
    /** The proxy's `host:port` list, in upstream order: what clients bootstrap to. */
    readonly bootstrapServers: string,
  ) {}

  static async start(options: KafkaLimitsProxyOptions): Promise<KafkaLimitsProxy> {
    const host = options.host ?? '127.0.0.1';
    const addresses = new Map<string, { host: string; port: number }>();
    const context: ProxyContext = {
      options,
      budget: options.logCaps && new PartitionLogBudget(options.logCaps),
      addresses,
      warn: options.warn ?? ((message) => process.stderr.write(`kafka proxy: ${message}\n`)),
    };
    const servers: Server[] = [];
    let proxy: KafkaLimitsProxy | undefined;
    for (const upstream of options.upstreams) {
      const target = splitAddress(upstream);
      const server = createServer((client) => {
        proxy!.sockets.add(client);
        const upstreamSocket = connect(target.port, target.host);
        proxy!.sockets.add(upstreamSocket);
        client.once('close', () => proxy!.sockets.delete(client));
        upstreamSocket.once('close', () => proxy!.sockets.delete(upstreamSocket));
        new ProxiedConnection(client, upstreamSocket, context);
      });
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, host, () => resolve());
      });
      servers.push(server);
      addresses.set(upstream, { host, port: (server.address() as AddressInfo).port });
    }
    proxy = new KafkaLimitsProxy(servers, options.upstreams.map((u) => `${host}:${addresses.get(u)!.port}`).join(','));
    return proxy;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await Promise.all(this.servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  }
}
