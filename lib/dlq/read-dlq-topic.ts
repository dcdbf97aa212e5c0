import type { Kafka } from 'kafkajs';
import { readTopicToEnd } from '../kafka/read-topic';
import { classifyLetter } from './classify-letter';
import type { Letter } from './letter';
import { matchesFilter, type LetterFilter } from './letter-filter';

/**
 * Reads the DLQ topic up to its current end, committing nothing, and returns every message that
 * matches `filter` as a letter: ours, Lambda's, or unknown.
 */
export async function readLettersFromTopic(kafka: Kafka, topic: string, filter: LetterFilter = {}, timeoutMs = 60_000): Promise<Letter[]> {
  return (await readTopicToEnd(kafka, topic, timeoutMs))
    .map(({ partition, message }) => classifyLetter({ partition, offset: message.offset, key: message.key, value: message.value, timestamp: message.timestamp }))
    .filter((letter) => matchesFilter(letter, filter));
}
