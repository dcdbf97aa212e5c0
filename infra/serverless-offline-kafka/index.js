'use strict';
/**
 * serverless-offline has no Kafka events: this plugin polls the local Kafka for every function's
 * `msk` / `kafka` event and invokes its handler like Lambda's event source mapping would.
 * Runs during `npx sls offline start`; the logic lives in TypeScript beside this file.
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
    this.hooks = {
      'offline:start:init': () => this.start(),
      // serverless-offline's own `offline:start:end` hook exits the process, so the groups are
      // left here, right after it has seen SIGINT/SIGTERM: a restart then rejoins in seconds.
      'offline:start:ready': () => this.stop(),
      'offline:start:end': () => this.stop(),
    };
  }

  async start() {
    require('tsx/cjs/api').register();
    const { startEmulatorForService } = require('./plugin-core.ts');
    const serviceDir = this.serverless.serviceDir || process.cwd();
    const settings = (this.serverless.service.custom || {})['serverless-offline-kafka'] || {};
    this.emulator = await startEmulatorForService(this.serverless.service, {
      serviceDir,
      environment: this.serverless.service.provider.environment,
      redelivery: settings.redelivery,
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
