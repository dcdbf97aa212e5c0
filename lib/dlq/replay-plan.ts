import { TOPIC_OF_TABLE } from '../schemas';
import { describeRange, formatPosition, type Letter, type SourceRange } from './letter';
import { hasInvalidBase64, needsReread, originalBytesOf } from './our-letter';
import type { ReplayRecord } from './replay';

/** The topics the pipeline consumes (`lib/schemas/topics.json`): the only ones replay writes to by default. */
export const SOURCE_TOPICS: readonly string[] = Object.values(TOPIC_OF_TABLE);

export interface ReplayPolicy {
  /** Topics a replay may write to (and re-read from); {@link SOURCE_TOPICS} unless the user allows more. */
  readonly allowedTopics: readonly string[];
}

/** What replaying one letter takes. */
export type ReplayPlan =
  /** The letter carries the exact records. */
  | { readonly kind: 'send'; readonly letter: Letter; readonly records: readonly ReplayRecord[] }
  /** The records must be re-read from their source topic first (and match `sha256` when given). */
  | { readonly kind: 'reread'; readonly letter: Letter; readonly ranges: readonly SourceRange[]; readonly sha256?: string }
  /** Nothing can be sent; `why` tells the user. */
  | { readonly kind: 'cannot'; readonly letter: Letter; readonly why: string };

const replayedFrom = (letter: Letter) => (letter.position ? formatPosition(letter.position) : undefined);

/**
 * Decides how a letter is replayed: from its own bytes when it has them all, else by re-reading
 * the records it points to. Pure; {@link rereadOriginals} does the reading. A letter that would
 * send to a topic outside `policy.allowedTopics` (a hand-edited `source.topic`, a foreign letter)
 * is refused rather than sent somewhere the pipeline never reads.
 */
export function planReplay(letter: Letter, policy: ReplayPolicy = { allowedTopics: SOURCE_TOPICS }): ReplayPlan {
  const plan = planFromLetter(letter);
  const topics = plan.kind === 'send' ? plan.records.map((r) => r.topic) : plan.kind === 'reread' ? plan.ranges.map((r) => r.topic) : [];
  const foreign = topics.find((topic) => !policy.allowedTopics.includes(topic));
  if (foreign === undefined) return plan;
  return {
    kind: 'cannot',
    letter,
    why: `its records belong on ${JSON.stringify(foreign)}, which is not a source topic of the pipeline (allowed: ${policy.allowedTopics.join(', ')}; --allow-topic ${foreign} sends there anyway)`,
  };
}

function planFromLetter(letter: Letter): ReplayPlan {
  switch (letter.kind) {
    case 'unknown':
      return { kind: 'cannot', letter, why: `not a dead letter this tool knows (${letter.why}), so it names no record to put back` };
    case 'lambda': {
      const { embedded, unlocated } = letter.failure;
      if (embedded) {
        return {
          kind: 'send',
          letter,
          records: embedded.map((r) => ({ topic: r.topic, key: r.key, value: r.value, headers: r.headers, replayedFrom: replayedFrom(letter) })),
        };
      }
      // Lambda's metadata names first and last offsets; reversed, they would select nothing, silently.
      const reversed = letter.sources.find((r) => r.first > r.last);
      if (reversed) return { kind: 'cannot', letter, why: `its offset range ${describeRange(reversed)} is reversed (first after last), so it names no record; replay the records with --record TOPIC:PARTITION:OFFSET` };
      if (letter.sources.length > 0) return { kind: 'reread', letter, ranges: letter.sources };
      return { kind: 'cannot', letter, why: unlocated ?? "Lambda's record names no source records" };
    }
    case 'ours': {
      const { value } = letter;
      if (letter.edited) {
        if (value.originalTruncated) {
          return { kind: 'cannot', letter, why: 'originalMessage is still a prefix (originalTruncated: true): paste the whole fixed message and set originalTruncated to false' };
        }
      } else if (needsReread(value)) {
        // Only a prefix is in the letter: the full record comes from its source, checked by hash.
        return { kind: 'reread', letter, ranges: letter.sources, sha256: value.originalSha256 || undefined };
      }
      if (hasInvalidBase64(value)) {
        return { kind: 'cannot', letter, why: 'originalMessage is not valid base64 although originalEncoding is base64; fix it (or set originalEncoding to utf8) and replay with --file' };
      }
      return {
        kind: 'send',
        letter,
        records: [{ topic: value.source.topic, key: letter.key, value: originalBytesOf(value), replayedFrom: replayedFrom(letter) }],
      };
    }
  }
}
