import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** Where `npm run stack:up` writes the local stack's connection settings. */
export const STACK_ENV_FILE = join('.local', 'stack.env');

/** The optional file of the user's own settings (`.env.example` lists them all). */
export const DOT_ENV_FILE = '.env';

export type Env = Readonly<Record<string, string | undefined>>;

/** Where a variable's effective value came from, highest precedence first. */
export type EnvSource = 'environment' | '.env' | '.local/stack.env';

export interface EnvOrigin {
  readonly source: EnvSource;
  /** The name the value was given under: `KAFKA_BROKER` when the alias supplied `KAFKA_BROKERS`. */
  readonly variable: string;
  /** The file it was read from, for `.env` and `.local/stack.env`. */
  readonly file?: string;
}

export interface ResolvedEnvironment {
  /** The merged variables, for `loadConfig`. */
  readonly env: Env;
  /** The origin of every variable some source set; a variable absent here takes its default. */
  readonly origins: Readonly<Record<string, EnvOrigin>>;
}

/**
 * Parses `KEY=value` lines (`.env`, `.local/stack.env`): `#` comments, blank lines and an
 * `export ` prefix are ignored; a value in single or double quotes is taken literally (no
 * escapes, one line); an unquoted value ends at ` #`.
 */
export function parseEnvFile(text: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!match) continue;
    const raw = match[2]!;
    const quoted = /^(['"])(.*?)\1/.exec(raw);
    vars[match[1]!] = quoted ? quoted[2]! : raw.replace(/(^|\s)#.*$/, '').trim();
  }
  return vars;
}

/** The nearest `name` in `dir` or its ancestors (tools such as `sls invoke local` run from build dirs). */
export function findUp(name: string, dir: string): string | undefined {
  for (let current = resolve(dir); ; current = dirname(current)) {
    const file = join(current, name);
    if (existsSync(file)) return file;
    if (dirname(current) === current) return undefined;
  }
}

interface Layer {
  readonly source: EnvSource;
  readonly vars: Env;
  readonly file?: string;
}

/**
 * One source's variables with empty values dropped (empty counts as unset) and the
 * `KAFKA_BROKER` alias resolved *within* the source, so an explicit `KAFKA_BROKER` beats a
 * `KAFKA_BROKERS` of a lower source.
 */
function layerOrigins(layer: Layer): Map<string, { value: string; origin: EnvOrigin }> {
  const entries = new Map<string, { value: string; origin: EnvOrigin }>();
  for (const [name, value] of Object.entries(layer.vars)) {
    if (value !== undefined && value !== '') entries.set(name, { value, origin: { source: layer.source, variable: name, file: layer.file } });
  }
  const alias = entries.get('KAFKA_BROKER');
  if (alias && !entries.has('KAFKA_BROKERS')) entries.set('KAFKA_BROKERS', alias);
  return entries;
}

/**
 * The effective environment and where each value came from. Precedence, highest first:
 * 1. the process environment (what the user exported or put before the command);
 * 2. `.env`, the nearest one in `cwd` or above;
 * 3. `.local/stack.env`, the nearest one in `cwd` or above (written by `npm run stack:up`);
 * 4. the defaults of `lib/config.ts`.
 */
export function resolveEnvironment(env: Env = process.env, cwd: string = process.cwd()): ResolvedEnvironment {
  const layers: Layer[] = [{ source: 'environment', vars: env }];
  for (const [source, name] of [['.env', DOT_ENV_FILE], ['.local/stack.env', STACK_ENV_FILE]] as const) {
    const file = findUp(name, cwd);
    if (file) layers.push({ source, vars: parseEnvFile(readFileSync(file, 'utf8')), file });
  }
  const merged: Record<string, string> = {};
  const origins: Record<string, EnvOrigin> = {};
  for (const layer of layers.reverse()) {
    for (const [name, { value, origin }] of layerOrigins(layer)) {
      merged[name] = value;
      origins[name] = origin;
    }
  }
  return { env: merged, origins };
}

/** The effective environment (see {@link resolveEnvironment} for the precedence). */
export function readEnvironment(env: Env = process.env, cwd: string = process.cwd()): Env {
  return resolveEnvironment(env, cwd).env;
}
