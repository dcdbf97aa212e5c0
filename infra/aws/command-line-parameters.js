'use strict';
/**
 * The `--param` options of an `sls` command line, checked before serverless resolves any of them:
 * serverless itself ignores a name nothing reads (a misspelt `functionTimout=10` would deploy the
 * default timeout) and answers an empty value (`kafkaBrokers=`) with one multi-line error per
 * serverless.yml reference.
 */
const { StageParameterError } = require('./parameter-values');

const WHERE_DOCUMENTED = 'docs/operations.md, "Stage parameters", lists them';

/** `name=value` of every `--param=name=value` and `--param name=value` in `argv`, as serverless reads them. */
function commandLineParams(argv) {
  const items = argv.flatMap((arg, i) => {
    if (arg.startsWith('--param=')) return [arg.slice('--param='.length)];
    return arg === '--param' && i + 1 < argv.length ? [argv[i + 1]] : [];
  });
  return items.map((item) => {
    const at = item.indexOf('=');
    return at === -1 ? { name: item, value: undefined } : { name: item.slice(0, at), value: item.slice(at + 1) };
  });
}

/** Levenshtein distance, case-insensitive: `functiontimeout` is one known name away, not fifteen. */
function editDistance(a, b) {
  const [x, y] = [a.toLowerCase(), b.toLowerCase()];
  let row = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const next = [i];
    for (let j = 1; j <= y.length; j++) next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (x[i - 1] === y[j - 1] ? 0 : 1));
    row = next;
  }
  return row[y.length];
}

/** The known name nearest to `name`, if it is near enough to be a typo (a third of the name, at most 3 edits). */
function closest(name, known) {
  const limit = Math.min(3, Math.floor(name.length / 3));
  let best;
  for (const candidate of known) {
    const d = editDistance(name, candidate);
    if (d <= limit && (best === undefined || d < best.d)) best = { candidate, d };
  }
  return best?.candidate;
}

/**
 * Throws a {@link StageParameterError} for the first `--param` in `argv` whose name is not in
 * `known`, or whose value serverless cannot read (`name=` or no `=`); the fix is in the message.
 */
function checkCommandLineParams(argv, known) {
  const params = commandLineParams(argv);
  // serverless refuses an empty name itself, with a sentence of its own.
  for (const { name } of params) {
    if (!name || known.includes(name)) continue;
    const suggestion = closest(name, known);
    throw new StageParameterError(name, `is not known (${suggestion ? `did you mean ${suggestion}?` : WHERE_DOCUMENTED})`);
  }
  const empty = params.find(({ name, value }) => name && !value);
  if (empty) {
    throw new StageParameterError(empty.name, `has no value in --param="${empty.name}${empty.value === undefined ? '' : '='}" (serverless cannot read an empty --param): leave the parameter out for serverless.yml's value, or set it empty in a params.<stage> block`);
  }
}

module.exports = { commandLineParams, checkCommandLineParams };
