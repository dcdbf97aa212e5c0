import type { ClickHouseClient } from '@clickhouse/client';

/** Thrown where the injected crash stops an invocation: nothing after this point happens. */
export class SimulatedCrash extends Error {
  constructor(readonly request: number, readonly moment: 'before' | 'after') {
    super(`simulated crash ${moment} ClickHouse request #${request}`);
    this.name = 'SimulatedCrash';
  }
}

export interface CrashPlan {
  /** 1-based number of the ClickHouse request of the invocation at which it crashes. */
  readonly atRequest: number;
  /** `before`: the request is never sent; `after`: the server did it, the answer is lost. */
  readonly moment: 'before' | 'after';
}

/**
 * Wraps the handler's ClickHouse client to stop an invocation at one of its effects: before a
 * request is sent, or after the server has executed it but before the handler learns so (the two
 * crash points that matter for exactly-once). Counts requests per invocation.
 */
export class CrashInjector {
  private plan: CrashPlan | undefined;
  requests = 0;

  arm(plan: CrashPlan | undefined): void {
    this.plan = plan;
    this.requests = 0;
  }

  wrap(client: ClickHouseClient): ClickHouseClient {
    return new Proxy(client, {
      get: (target, property, receiver) => {
        const value = Reflect.get(target, property, receiver);
        if (typeof value !== 'function' || !['query', 'insert', 'command', 'exec'].includes(String(property))) return value;
        return async (...args: unknown[]) => {
          const n = ++this.requests;
          const plan = this.plan;
          if (plan && plan.atRequest === n && plan.moment === 'before') throw new SimulatedCrash(n, 'before');
          const result = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          if (plan && plan.atRequest === n && plan.moment === 'after') {
            // Read the answer off the socket first; the handler never sees it.
            if (result && typeof (result as { text?: unknown }).text === 'function') await (result as { text(): Promise<string> }).text();
            throw new SimulatedCrash(n, 'after');
          }
          return result;
        };
      },
    });
  }
}
