'use strict';
const path = require('node:path');

/**
 * serverless-offline has no Kafka events: this plugin polls the local Kafka for every function's
 * `msk` / `kafka` event and invokes its handler like Lambda's event source mapping would.
 * Runs during `npx sls offline start`; the logic lives in TypeScript beside this file.
 * It also gives `npx sls invoke local` the local log files (logs/ next to serverless.yml; the
 * handler runs from a build folder, so a relative LOG_DIR would land there). `LOG_DIR=` turns
 * them off. Deployed functions never see this: Lambda logs to stdout only.
 *
 * Optional settings in serverless.yml:
 *   custom:
 *     serverless-offline-kafka:
 *       redelivery: resplit   # identical (default) | resplit: retries may hold other records
 */
class ServerlessOfflineKafka {
  constructor(serverless, _options, { log } = {}) {
    this.serverless = serverless;
    this.log = log;
    // Taken now: serverless-esbuild later points serviceDir at its build folder.
    this.serviceDir = serverless.serviceDir || process.cwd();
    this.hooks = {
      'offline:start:init': () => this.start(),
      // serverless-offline's own `offline:start:end` hook exits the process, so the groups are
      // left here, right after it has seen SIGINT/SIGTERM: a restart then rejoins in seconds.
      'offline:start:ready': () => this.stop(),
      'offline:start:end': () => this.stop(),
      'before:invoke:local:invoke': () => this.useLocalLogDir(),
    };
  }

  useLocalLogDir() {
    if (process.env.LOG_DIR === undefined) process.env.LOG_DIR = path.join(this.serviceDir, 'logs');
  }

  async start() {
    require('tsx/cjs/api').register();
    const { startEmulatorForService } = require('./plugin-core.ts');
    const serviceDir = this.serverless.serviceDir || this.serviceDir;
    const settings = (this.serverless.service.custom || {})['serverless-offline-kafka'] || {};
    this.emulator = await startEmulatorForService(this.serverless.service, {
      serviceDir,
      environment: this.serverless.service.provider.environment,
      redelivery: settings.redelivery,
      notify: (level, line) => (this.log ? this.log[level](line) : console.warn(line)),
    });
    if (this.log) this.log.notice('Kafka event sources: polling for msk/kafka events (serverless-offline-kafka)');
  }

  async stop() {
    const emulator = this.emulator;
    this.emulator = undefined;
    if (emulator) await emulator.stop();
  }
}

module.exports = ServerlessOfflineKafka;
