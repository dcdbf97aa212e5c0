import { z } from 'zod';
import { decodeKafkaEvent } from '../kafka/event';
import type { LambdaFailure, OriginalRecord, SourceRange } from './letter';

/*
 * Lambda's on-failure record for Kafka event sources, in the shapes AWS documents:
 *
 * - Kafka destination (`kafka://dlq-topic`), "Record format for a Kafka destination" in
 *   https://docs.aws.amazon.com/lambda/latest/dg/kafka-on-failure-destination.html :
 *   one message per failed record, keyed with the original key, holding `requestContext`,
 *   `responseContext`, `version`, `timestamp`, `KafkaBatchInfo` with `recordInfo: {offset, timestamp}`
 *   (no topic or partition) and `payload`: the Kafka event object (`records: {"topic-partition": [...]}`,
 *   key and value base64) with the record itself.
 * - SNS/SQS destinations, https://docs.aws.amazon.com/lambda/latest/dg/kafka-on-failure.html :
 *   metadata only, `KafkaBatchInfo.recordsInfo: {"<topic>-<partition>": {firstRecordOffset,
 *   lastRecordOffset, ...}}`; `responseContext` is null when the condition is MaximumPayloadSizeExceeded.
 * - S3 destinations (same page): the same metadata plus `payload`, the whole event as an escaped JSON string.
 *
 * All three are accepted, whatever topic they were forwarded to. The records come from the
 * payload when it decodes; otherwise from the offsets, to be re-read from the source topic.
 */

const offset = z.union([z.string().regex(/^\d+$/), z.number().int().nonnegative()]).transform((v) => BigInt(v));
const partition = z.union([z.string().regex(/^\d+$/), z.number().int().nonnegative()]).transform(Number);

const LambdaFailureSchema = z.object({
  requestContext: z.object({
    condition: z.string().min(1),
    requestId: z.string().optional(),
    functionArn: z.string().optional(),
    approximateInvokeCount: z.number().optional(),
  }),
  timestamp: z.string().optional(),
  KafkaBatchInfo: z.object({
    batchSize: z.number().optional(),
    // Kafka destination: the one record of this message (topic and partition are only in the payload;
    // `topic`/`partition` here are not documented, but used when present).
    recordInfo: z.object({ offset, timestamp: z.string().optional(), topic: z.string().min(1).optional(), partition: partition.optional() }).optional(),
    // SNS/SQS/S3 destinations: offset ranges per "topic-partition".
    recordsInfo: z.record(z.string(), z.object({ firstRecordOffset: offset, lastRecordOffset: offset })).optional(),
  }),
  payload: z.unknown().optional(),
});

const TOPIC_PARTITION = /^(.+)-(\d+)$/;

/** The Kafka event in `payload` (an object, or an escaped JSON string from S3), decoded; undefined when absent or unreadable. */
function embeddedRecords(payload: unknown): OriginalRecord[] | undefined {
  if (payload === undefined || payload === null) return undefined;
  try {
    const event = typeof payload === 'string' ? JSON.parse(payload) : payload;
    const { records } = decodeKafkaEvent(event);
    // Bytes that are not valid base64 cannot be sent as they were: re-read those records instead.
    if (records.length === 0 || records.some((r) => r.decodeError)) return undefined;
    return records.map((r) => ({
      topic: r.topic,
      partition: r.partition,
      offset: r.offset,
      key: r.key,
      value: r.value,
      headers: Object.fromEntries(r.headers.map((h) => [h.name, h.value])),
    }));
  } catch {
    return undefined;
  }
}

/** One range per topic-partition spanned by the records. */
function rangesOf(records: readonly OriginalRecord[]): SourceRange[] {
  const ranges = new Map<string, SourceRange>();
  for (const r of records) {
    const at = BigInt(r.offset);
    const id = `${r.topic}\u0000${r.partition}`;
    const known = ranges.get(id);
    ranges.set(id, known
      ? { ...known, first: at < known.first ? at : known.first, last: at > known.last ? at : known.last }
      : { topic: r.topic, partition: r.partition, first: at, last: at });
  }
  return [...ranges.values()];
}

export interface ParsedLambdaLetter {
  readonly failure: LambdaFailure;
  readonly sources: readonly SourceRange[];
  readonly failedAt?: Date;
}

/** Lambda's on-failure record, or undefined when `json` has another shape. */
export function parseLambdaLetter(json: unknown): ParsedLambdaLetter | undefined {
  const parsed = LambdaFailureSchema.safeParse(json);
  if (!parsed.success) return undefined;
  const { requestContext: rc, KafkaBatchInfo: info, payload, timestamp } = parsed.data;
  const embedded = embeddedRecords(payload);
  const fromPayload = embedded === undefined ? embeddedRangesOnly(payload) : rangesOf(embedded);

  let sources: SourceRange[] = fromPayload;
  let unlocated: string | undefined;
  if (sources.length === 0 && info.recordsInfo) {
    sources = Object.entries(info.recordsInfo).flatMap(([id, r]) => {
      const match = TOPIC_PARTITION.exec(id);
      return match ? [{ topic: match[1]!, partition: Number(match[2]), first: r.firstRecordOffset, last: r.lastRecordOffset }] : [];
    });
  }
  if (sources.length === 0 && info.recordInfo) {
    const { topic, partition: p, offset: at } = info.recordInfo;
    if (topic !== undefined && p !== undefined) sources = [{ topic, partition: p, first: at, last: at }];
    else unlocated = `Lambda's record names offset ${at} but neither its topic nor its partition, and carries no payload`;
  }
  if (sources.length === 0) unlocated ??= "Lambda's record names no source records (no payload, recordInfo or recordsInfo)";

  const failedAt = timestamp === undefined ? undefined : new Date(timestamp);
  return {
    failure: {
      condition: rc.condition,
      functionArn: rc.functionArn,
      requestId: rc.requestId,
      approximateInvokeCount: rc.approximateInvokeCount,
      batchSize: info.batchSize,
      embedded,
      unlocated,
    },
    sources,
    failedAt: failedAt && !Number.isNaN(failedAt.getTime()) ? failedAt : undefined,
  };
}

// A payload whose bytes do not decode still says where its records are.
const PayloadCoordinates = z.object({
  records: z.record(z.string(), z.array(z.object({ topic: z.string().min(1), partition, offset }))),
});

function embeddedRangesOnly(payload: unknown): SourceRange[] {
  let event = payload;
  if (typeof payload === 'string') {
    try {
      event = JSON.parse(payload);
    } catch {
      return [];
    }
  }
  const parsed = PayloadCoordinates.safeParse(event);
  if (!parsed.success) return [];
  return rangesOf(
    Object.values(parsed.data.records)
      .flat()
      .map((r) => ({ topic: r.topic, partition: r.partition, offset: r.offset.toString(), key: null, value: null, headers: {} })),
  );
}
