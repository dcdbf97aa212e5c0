'use strict';
/**
 * serverless-offline has no Kafka events: this plugin polls the local Kafka for every function's
 * `msk` / `kafka` event and invokes its handler like Lambda's event source mapping would.
 * Runs during `npx sls offline start`; the logic lives in TypeScript beside this file.
 */
class ServerlessOfflineKafka {
  constructor(serverless, _options, { log } = {}) {
    this.serverless = serverless;
    this.log = log;
    this.hooks = {
      'offline:start:init': () => this.start(),
      'offline:start:end': () => this.stop(),
    };
  }

  async start() {
    require('tsx/cjs/api').register();
    const { startEmulatorForService } = require('./plugin-core.ts');
    const serviceDir = this.serverless.serviceDir || process.cwd();
    this.emulator = await startEmulatorForService(this.serverless.service, {
      serviceDir,
      environment: this.serverless.service.provider.environment,
    });
    if (this.log) this.log.notice('Kafka event sources: polling for msk/kafka events (serverless-offline-kafka)');
  }

  async stop() {
    if (this.emulator) await this.emulator.stop();
  }
}

module.exports = ServerlessOfflineKafka;
