'use strict';
/**
 * esbuild plugins for the Lambda bundles (serverless.yml `custom.esbuild.plugins`).
 *
 * deferModules: kafkajs and the MSK IAM signer are needed only when a batch has poison (the DLQ
 * producer connects then). Bundled the usual way, V8 would still compile their ~320 kB at every
 * cold start although the code never runs. Instead each is bundled on its own into a file beside
 * the handler (`functions/deferred/<name>.js`, in every zip) and required from there on first use.
 */
const { mkdirSync, writeFileSync } = require('node:fs');
const { dirname, join } = require('node:path');
const esbuild = require('esbuild');

const DEFERRED = ['kafkajs', 'aws-msk-iam-sasl-signer-js'];

const escape = (text) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const fileName = (name) => `${name.replace(/[^A-Za-z0-9.-]/g, '_')}.js`;

function deferModules(names = DEFERRED) {
  return {
    name: 'defer-modules',
    setup(build) {
      const options = build.initialOptions;
      const outdir = options.outdir ?? dirname(options.outfile);
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
        mkdirSync(join(outdir, 'deferred'), { recursive: true });
        writeFileSync(join(outdir, 'deferred', fileName(args.path)), inner.outputFiles[0].text);
        return {
          loader: 'js',
          contents: `// ${args.path}, loaded on first use (infra/aws/esbuild-plugins.js)\nmodule.exports = require(__dirname + ${JSON.stringify(`/deferred/${fileName(args.path)}`)});\n`,
        };
      });
    },
  };
}

module.exports = [deferModules()];
module.exports.deferModules = deferModules;
