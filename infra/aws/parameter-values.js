'use strict';
/**
 * How one stage parameter is read: serverless hands over strings (or numbers from serverless.yml),
 * and each reader either returns the typed value or throws a {@link StageParameterError} whose
 * message names the parameter, the value it got and what is allowed.
 */

const list = (value) => String(value ?? '').split(',').map((s) => s.trim()).filter(Boolean);
const text = (value) => String(value ?? '').trim();

class StageParameterError extends Error {
  constructor(param, message, options) {
    super(`stage parameter ${param} ${message}`, options);
    this.name = 'StageParameterError';
    this.param = param;
    // serverless prints an error's stack: the message is all an operator needs here.
    this.stack = `${this.name}: ${this.message}`;
  }
}

const got = (raw) => `(got ${JSON.stringify(raw ?? '')})`;

function integer(raw, param, { min, max, optional = false }) {
  const value = text(raw);
  if (value === '' && optional) return undefined;
  const n = Number(value);
  if (value === '' || !Number.isInteger(n) || n < min || n > max) {
    throw new StageParameterError(param, `must be an integer from ${min} to ${max}${optional ? ' (or empty)' : ''} ${got(raw)}`);
  }
  return n;
}

function number(raw, param, { min, max }) {
  const n = Number(text(raw));
  if (text(raw) === '' || !Number.isFinite(n) || n < min || n > max) throw new StageParameterError(param, `must be a number from ${min} to ${max} ${got(raw)}`);
  return n;
}

function oneOf(raw, param, allowed) {
  const value = text(raw);
  if (!allowed.includes(value)) throw new StageParameterError(param, `must be one of ${allowed.join(', ')} ${got(raw)}`);
  return value;
}

/**
 * `true` or `false`, exactly as the docs write them (docs/operations.md); empty is `fallback`
 * (undefined: the parameter is optional and stays unset). No yes/no/1/0: one spelling per value.
 */
const TRUE = new Set(['true', '1', 'yes']);
const FALSE = new Set(['false', '0', 'no']);

function boolean(raw, param, fallback) {
  const value = text(raw);
  if (value === '') return fallback;
  // The spellings lib/config.ts accepts for the same settings (KAFKA_SSL, KAFKA_IDEMPOTENT), which
  // serverless.yml passes through from the shell: one vocabulary for a flag everywhere.
  if (TRUE.has(value)) return true;
  if (FALSE.has(value)) return false;
  throw new StageParameterError(param, `must be true or false (also 1/0, yes/no)${fallback === undefined ? ' (or empty)' : ''} ${got(raw)}`);
}

/** An optional value that must match `pattern` when set; `what` names the allowed form. */
function matching(raw, param, pattern, what) {
  const value = text(raw);
  if (value && !pattern.test(value)) throw new StageParameterError(param, `must be ${what} ${got(raw)}`);
  return value;
}

/** A comma-separated list whose every item matches `pattern`. */
function listOf(raw, param, pattern, what) {
  const items = list(raw);
  const bad = items.find((item) => !pattern.test(item));
  if (bad !== undefined) throw new StageParameterError(param, `must be a comma-separated list of ${what} (got ${JSON.stringify(bad)} in ${JSON.stringify(text(raw))})`);
  return items;
}

function url(raw, param) {
  const value = text(raw);
  if (!value) return value;
  let parsed;
  try {
    parsed = new URL(value);
  } catch {
    parsed = undefined;
  }
  if (!parsed || !['http:', 'https:'].includes(parsed.protocol)) throw new StageParameterError(param, `must be an http(s) URL such as https://host:8443 (or empty) ${got(raw)}`);
  return value;
}

module.exports = { StageParameterError, text, got, integer, number, oneOf, boolean, matching, listOf, url };
