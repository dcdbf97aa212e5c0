'use strict';
/**
 * esbuild plugins for the Lambda bundles (serverless.yml `custom.esbuild.plugins`).
 *
 * deferModules: kafkajs and the MSK IAM signer are needed only when a batch has poison (the DLQ
 * producer connects then). Bundled the usual way, V8 would still parse their ~270 kB of code at
 * every cold start even though it never runs. Instead each is bundled on its own into a string
 * and compiled on its first `require`, so a cold start only scans a string literal.
 */
const esbuild = require('esbuild');

const DEFERRED = ['kafkajs', 'aws-msk-iam-sasl-signer-js'];

const escape = (text) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

function deferModules(names = DEFERRED) {
  return {
    name: 'defer-modules',
    setup(build) {
      const options = build.initialOptions;
      build.onResolve({ filter: new RegExp(`^(${names.map(escape).join('|')})$`) }, (args) => ({ path: args.path, namespace: 'deferred', pluginData: { resolveDir: args.resolveDir } }));
      build.onLoad({ filter: /.*/, namespace: 'deferred' }, async (args) => {
        const inner = await esbuild.build({
          stdin: { contents: `module.exports = require(${JSON.stringify(args.path)});`, resolveDir: args.pluginData.resolveDir, loader: 'js' },
          bundle: true,
          write: false,
          format: 'cjs',
          platform: options.platform ?? 'node',
          target: options.target,
          minify: options.minify,
          keepNames: options.keepNames,
          external: options.external,
          logLevel: 'error',
        });
        const source = inner.outputFiles[0].text;
        return {
          loader: 'js',
          resolveDir: args.pluginData.resolveDir,
          contents: [
            `// ${args.path}, compiled on first use (infra/aws/esbuild-plugins.js)`,
            `const source = ${JSON.stringify(source)};`,
            'const deferred = { exports: {} };',
            'new Function("module", "exports", "require", "__filename", "__dirname", source)(deferred, deferred.exports, require, __filename, __dirname);',
            'module.exports = deferred.exports;',
          ].join('\n'),
        };
      });
    },
  };
}

module.exports = [deferModules()];
module.exports.deferModules = deferModules;
