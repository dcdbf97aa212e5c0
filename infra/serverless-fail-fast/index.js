'use strict';
/**
 * `sls invoke local` and `sls offline start` end with one line and status 1 when they cannot
 * start: a handler that fails at cold start (a ConfigError), no Kafka broker answering, or any
 * other error of those two commands.
 *
 * Why they hung: a failed lifecycle step makes the framework skip the `after:` / `:end` hooks, and
 * those are where serverless-esbuild disposes its build context (an esbuild child process kept
 * referenced) and serverless-offline closes its servers and the file watcher. Nothing else ends
 * the process. So this plugin ends it the way serverless-offline itself ends `offline start`:
 * with `process.exit`, after the one line. List it after serverless-esbuild: it loads the built
 * handler once esbuild has written it.
 */
const { join } = require('node:path');

const COMMANDS = new Set(['invoke local', 'offline', 'offline start']);
const tsx = () => require('tsx/cjs/api');
const failures = () => tsx().require('../cli/serverless-failures.ts', __filename);

class ServerlessFailFast {
  constructor(serverless, options) {
    this.serverless = serverless;
    this.options = options;
    this.hooks = {
      'before:invoke:local:invoke': () => this.loadHandler(),
      'before:offline:start:init': () => this.checkKafka(),
      error: (error) => this.exitWithOneLine(error),
    };
  }

  command() {
    return (this.serverless.processedInput?.commands ?? []).join(' ');
  }

  /**
   * Loads the handler before the framework does, so that an error at cold start reaches the
   * `error` hook as itself: the framework would print its inspection (a 20-line stack) first.
   */
  loadHandler() {
    const fn = this.serverless.service.getFunction(this.options.function);
    const runtime = fn.runtime ?? this.serverless.service.provider.runtime ?? '';
    if (!runtime.startsWith('nodejs') || !fn.handler || this.options.docker) return;
    const file = join(this.serverless.serviceDir, this.options.extraServicePath ?? '', fn.handler.slice(0, fn.handler.lastIndexOf('.')));
    try {
      require(file);
    } catch (error) {
      // Not found or ESM: the framework's own loader knows those cases.
      if (error.code === 'MODULE_NOT_FOUND' || error.code === 'ERR_REQUIRE_ESM') return;
      throw error;
    }
  }

  /** No broker answering: one line within seconds, instead of the event-source pollers retrying. */
  async checkKafka() {
    const functions = Object.values(this.serverless.service.functions ?? {});
    if (functions.some((fn) => (fn.events ?? []).some((event) => event && (event.msk || event.kafka)))) {
      await failures().checkKafkaReachable();
    }
  }

  async exitWithOneLine(error) {
    if (!COMMANDS.has(this.command())) return;
    // What the skipped after-hook would have done: an esbuild service killed with a live build
    // context prints a Go deadlock trace on the way out.
    const esbuild = this.serverless.pluginManager.plugins.find((plugin) => typeof plugin.disposeContexts === 'function');
    await esbuild?.disposeContexts().catch(() => undefined);
    // Awaited: it exits once the line is out, and the framework must not print its own meanwhile.
    await failures().exitWithFailure(error);
  }
}

module.exports = ServerlessFailFast;
