/**
 * The Kafka messages the local stack's proxy reads or rewrites, in the versions the mock broker
 * speaks (all non-flexible): Produce v0–7 (request and response), the broker list of Metadata
 * v0–8 responses and FindCoordinator v0–3 responses. Field names follow the protocol's own.
 */
import { WireReader, WireWriter } from './kafka-wire';

export const MAX_PRODUCE_VERSION = 7;
export const MAX_METADATA_VERSION = 8;
export const MAX_FIND_COORDINATOR_VERSION = 3;

export interface ProducePartitionData {
  readonly index: number;
  readonly records: Buffer | null;
}

export interface ProduceTopicData {
  readonly name: string;
  readonly partitions: readonly ProducePartitionData[];
}

export interface ProduceRequest {
  /** v3+ (null before). */
  readonly transactionalId: string | null;
  readonly acks: number;
  readonly timeoutMs: number;
  readonly topics: readonly ProduceTopicData[];
}

export function decodeProduceRequest(body: Buffer, version: number): ProduceRequest {
  const r = new WireReader(body);
  const transactionalId = version >= 3 ? r.nullableString() : null;
  const acks = r.int16();
  const timeoutMs = r.int32();
  const topics = r.array((t) => ({ name: t.string(), partitions: t.array((p) => ({ index: p.int32(), records: p.nullableBytes() })) }));
  r.end();
  return { transactionalId, acks, timeoutMs, topics };
}

export function encodeProduceRequest(request: ProduceRequest, version: number): Buffer {
  const w = new WireWriter();
  if (version >= 3) w.nullableString(request.transactionalId);
  w.int16(request.acks).int32(request.timeoutMs);
  w.array(request.topics, (tw, topic) => {
    tw.string(topic.name).array(topic.partitions, (pw, p) => pw.int32(p.index).nullableBytes(p.records));
  });
  return w.toBuffer();
}

export interface ProducePartitionResponse {
  readonly index: number;
  readonly errorCode: number;
  readonly baseOffset: bigint;
  /** v2+ (-1 = not log-append time). */
  readonly logAppendTimeMs: bigint;
  /** v5+. */
  readonly logStartOffset: bigint;
}

export interface ProduceTopicResponse {
  readonly name: string;
  readonly partitions: readonly ProducePartitionResponse[];
}

export interface ProduceResponse {
  readonly topics: readonly ProduceTopicResponse[];
  /** v1+. */
  readonly throttleTimeMs: number;
}

export function decodeProduceResponse(body: Buffer, version: number): ProduceResponse {
  const r = new WireReader(body);
  const topics = r.array((t) => ({
    name: t.string(),
    partitions: t.array((p) => ({
      index: p.int32(),
      errorCode: p.int16(),
      baseOffset: p.int64(),
      logAppendTimeMs: version >= 2 ? p.int64() : -1n,
      logStartOffset: version >= 5 ? p.int64() : -1n,
    })),
  }));
  const throttleTimeMs = version >= 1 ? r.int32() : 0;
  r.end();
  return { topics, throttleTimeMs };
}

export function encodeProduceResponse(response: ProduceResponse, version: number): Buffer {
  const w = new WireWriter();
  w.array(response.topics, (tw, topic) => {
    tw.string(topic.name).array(topic.partitions, (pw, p) => {
      pw.int32(p.index).int16(p.errorCode).int64(p.baseOffset);
      if (version >= 2) pw.int64(p.logAppendTimeMs);
      if (version >= 5) pw.int64(p.logStartOffset);
    });
  });
  if (version >= 1) w.int32(response.throttleTimeMs);
  return w.toBuffer();
}

/** A partition result for a partition the broker did not append (offsets -1, as Kafka answers). */
export function producePartitionError(index: number, errorCode: number): ProducePartitionResponse {
  return { index, errorCode, baseOffset: -1n, logAppendTimeMs: -1n, logStartOffset: -1n };
}

/**
 * Sizes of the record batches (or legacy messages) in a partition's `records`, each counted as
 * Kafka counts it against `message.max.bytes`: the 12-byte offset+length prefix plus the length.
 */
export function recordBatchSizes(records: Buffer): number[] {
  const sizes: number[] = [];
  for (let offset = 0; offset + 12 <= records.length; ) {
    const size = 12 + records.readInt32BE(offset + 8);
    sizes.push(size);
    offset += Math.max(size, 12);
  }
  return sizes;
}

export interface BrokerAddress {
  readonly nodeId: number;
  readonly host: string;
  readonly port: number;
}

export interface MetadataBroker extends BrokerAddress {
  /** v1+. */
  readonly rack: string | null;
}

/** A Metadata response split at the end of its broker list; the rest (topics…) stays bytes. */
export interface MetadataResponseHead {
  /** v3+. */
  readonly throttleTimeMs: number;
  readonly brokers: readonly MetadataBroker[];
  readonly rest: Buffer;
}

export function decodeMetadataResponse(body: Buffer, version: number): MetadataResponseHead {
  const r = new WireReader(body);
  const throttleTimeMs = version >= 3 ? r.int32() : 0;
  const brokers = r.array((b) => ({ nodeId: b.int32(), host: b.string(), port: b.int32(), rack: version >= 1 ? b.nullableString() : null }));
  return { throttleTimeMs, brokers, rest: r.rest() };
}

export function encodeMetadataResponse(response: MetadataResponseHead, version: number): Buffer {
  const w = new WireWriter();
  if (version >= 3) w.int32(response.throttleTimeMs);
  w.array(response.brokers, (bw, b) => {
    bw.int32(b.nodeId).string(b.host).int32(b.port);
    if (version >= 1) bw.nullableString(b.rack);
  });
  return w.raw(response.rest).toBuffer();
}

export interface FindCoordinatorResponse extends BrokerAddress {
  /** v1+. */
  readonly throttleTimeMs: number;
  readonly errorCode: number;
  /** v1+. */
  readonly errorMessage: string | null;
}

export function decodeFindCoordinatorResponse(body: Buffer, version: number): FindCoordinatorResponse {
  const r = new WireReader(body);
  const throttleTimeMs = version >= 1 ? r.int32() : 0;
  const errorCode = r.int16();
  const errorMessage = version >= 1 ? r.nullableString() : null;
  const response = { throttleTimeMs, errorCode, errorMessage, nodeId: r.int32(), host: r.string(), port: r.int32() };
  r.end();
  return response;
}

export function encodeFindCoordinatorResponse(response: FindCoordinatorResponse, version: number): Buffer {
  const w = new WireWriter();
  if (version >= 1) w.int32(response.throttleTimeMs);
  w.int16(response.errorCode);
  if (version >= 1) w.nullableString(response.errorMessage);
  return w.int32(response.nodeId).string(response.host).int32(response.port).toBuffer();
}
