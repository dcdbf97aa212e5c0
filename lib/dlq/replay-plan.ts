import { formatPosition, type Letter, type SourceRange } from './letter';
import { needsReread, originalBytesOf } from './our-letter';
import type { ReplayRecord } from './replay';

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
 * the records it points to. Pure; {@link rereadOriginals} does the reading.
 */
export function planReplay(letter: Letter): ReplayPlan {
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
      return {
        kind: 'send',
        letter,
        records: [{ topic: value.source.topic, key: letter.key, value: originalBytesOf(value), replayedFrom: replayedFrom(letter) }],
      };
    }
  }
}
