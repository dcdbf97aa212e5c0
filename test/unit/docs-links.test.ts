import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');
const DOCS = readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => join('docs', f));

describe('documentation links stay inside the repository', () => {
  it.each(DOCS)('%s links only to files of the repository that exist', (doc) => {
    const text = readFileSync(join(ROOT, doc), 'utf8');
    const targets = [...text.matchAll(/\]\(([^)\s]+)\)|<(https?:[^>]+)>/g)].map((m) => m[1] ?? m[2]!);
    for (const target of targets) {
      const file = resolve(ROOT, dirname(doc), target.split('#')[0]!);
      expect({ target, outside: /^[a-z]+:/i.test(target) || !file.startsWith(`${ROOT}/`), exists: existsSync(file) }).toEqual({ target, outside: false, exists: true });
    }
  });
});
