/**
 * Before a tool sends migrations, it makes sure the address answers as ClickHouse, within the
 * request timeout: a server that accepts connections but never answers would otherwise hold
 * `npm run migrate` for the migrations' long timeout, and a web server answering 200 to anything
 * would make every statement look applied.
 */

/** The address answered, but not as ClickHouse's HTTP interface (`GET /ping` → `Ok.`). */
export class NotClickHouseError extends Error {
  constructor(readonly url: string, readonly answer: string, options?: ErrorOptions) {
    super(`${url} does not answer as ClickHouse: ${answer}`, options);
    this.name = 'NotClickHouseError';
  }
}

const describeAnswer = (status: number, body: string): string => {
  const text = body.replace(/\s+/g, ' ').trim().slice(0, 80);
  return `GET /ping gave HTTP ${status}${text ? ` "${text}"` : ' with an empty body'}, not "Ok."`;
};

/**
 * Resolves when `GET <url>/ping` answers `Ok.` (what every ClickHouse server and ClickHouse Cloud
 * answer, without credentials). Rejects with the socket error (its code and address), a
 * `TimeoutError` after `timeoutMs`, or a {@link NotClickHouseError}. Plain `node:http(s)`, not
 * `fetch`, which refuses some ports outright.
 */
export function probeClickHouse(url: string, timeoutMs: number): Promise<void> {
  const ping = new URL('ping', url.endsWith('/') ? url : `${url}/`);
  ping.username = '';
  ping.password = '';
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { get } = (ping.protocol === 'https:' ? require('node:https') : require('node:http')) as typeof import('node:http');
  return new Promise((resolve, reject) => {
    const request = get(ping, { signal: AbortSignal.timeout(timeoutMs) }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        if (body.length < 1024) body += chunk;
      });
      response.on('error', reject);
      response.on('end', () => {
        const status = response.statusCode ?? 0;
        if (status === 200 && body.trim() === 'Ok.') resolve();
        else reject(new NotClickHouseError(url, describeAnswer(status, body)));
      });
    });
    request.on('error', (error) => reject(error.name === 'AbortError' && error.cause ? error.cause : error));
  });
}
