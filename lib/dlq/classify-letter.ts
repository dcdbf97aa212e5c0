import { TOPIC_OF_TABLE } from '../schemas';
import { parseLambdaLetter } from './lambda-letter';
import type { DlqPosition, Letter, UnknownLetter } from './letter';
import { parseOurLetter, sourceOf } from './our-letter';

/** A message as read from the DLQ topic. */
export interface DlqMessage {
  readonly partition: number;
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  /** Kafka timestamp, epoch milliseconds as text (kafkajs' form). */
  readonly timestamp?: string;
}

const TABLE_OF_TOPIC: ReadonlyMap<string, string> = new Map(Object.entries(TOPIC_OF_TABLE).map(([table, topic]) => [topic, table]));

const PREVIEW_CHARS = 60;
const utf8 = new TextDecoder('utf-8', { fatal: true });

const validDate = (text: string | number | undefined): Date | undefined => {
  if (text === undefined) return undefined;
  const date = new Date(typeof text === 'string' && /^\d+$/.test(text) ? Number(text) : text);
  return Number.isNaN(date.getTime()) ? undefined : date;
};

const preview = (text: string): string => {
  const shown = JSON.stringify(text.length > PREVIEW_CHARS ? text.slice(0, PREVIEW_CHARS) : text);
  return text.length > PREVIEW_CHARS ? `${shown}…` : shown;
};

/**
 * Says what a DLQ message is: one of our letters, one of Lambda's on-failure records, or
 * unknown. Never throws: whatever else lands on the topic is listed, not a crash.
 */
export function classifyLetter(message: DlqMessage): Letter {
  const position: DlqPosition = { partition: message.partition, offset: message.offset };
  const unknown = (why: string, text: string | null, encoding: 'utf8' | 'base64' = 'utf8'): UnknownLetter => ({
    kind: 'unknown',
    position,
    key: message.key,
    reason: 'UNKNOWN',
    failedAt: validDate(message.timestamp),
    sources: [],
    why,
    preview: text === null ? 'null' : preview(text),
    text,
    encoding,
  });

  if (message.value === null) return unknown('no value (null)', null);
  let text: string;
  try {
    text = utf8.decode(message.value);
  } catch {
    return unknown('not UTF-8 text', message.value.toString('base64'), 'base64');
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return unknown('not JSON', text);
  }

  const ours = parseOurLetter(json);
  if (ours) {
    return {
      kind: 'ours',
      position,
      key: message.key,
      reason: ours.error.code,
      table: ours.handler,
      failedAt: validDate(ours.failedAt) ?? validDate(message.timestamp),
      sources: [sourceOf(ours)],
      value: ours,
      raw: json,
    };
  }
  const lambda = parseLambdaLetter(json);
  if (lambda) {
    const topic = lambda.sources[0]?.topic;
    return {
      kind: 'lambda',
      position,
      key: message.key,
      reason: lambda.failure.condition,
      table: topic === undefined ? undefined : TABLE_OF_TOPIC.get(topic),
      failedAt: lambda.failedAt ?? validDate(message.timestamp),
      sources: lambda.sources,
      failure: lambda.failure,
      raw: json,
    };
  }
  return unknown('JSON of another shape', text);
}
