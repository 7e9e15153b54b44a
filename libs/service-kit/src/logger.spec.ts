import { Writable } from 'node:stream';
import winston from 'winston';
import { createLogger, type Logger } from './logger';
import { currentRequestId, requestContext } from './request-context';

type LogLine = Record<string, unknown>;

function captureLogs(level?: string): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      for (const line of String(chunk).split('\n')) if (line.trim()) lines.push(JSON.parse(line) as LogLine);
      callback();
    },
  });
  const logger = createLogger('ledger', { ...(level ? { level } : {}), transports: [new winston.transports.Stream({ stream })] });
  return { logger, lines };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('createLogger', () => {
  it('writes JSON lines naming the service, level and time', async () => {
    const { logger, lines } = captureLogs('info');

    logger.info('balance read', { agentId: 'user-agent' });
    await flush();

    expect(lines).toEqual([
      { level: 'info', message: 'balance read', agentId: 'user-agent', service: 'ledger', timestamp: expect.any(String) },
    ]);
    expect(Number.isNaN(Date.parse(String(lines[0]?.['timestamp'])))).toBe(false);
  });

  it('adds the current request id inside a request context, and none outside it', async () => {
    const { logger, lines } = captureLogs('info');

    await requestContext.run({ requestId: 'req-in-context' }, async () => {
      logger.info('sync');
      await new Promise((resolve) => setTimeout(resolve, 5));
      expect(currentRequestId()).toBe('req-in-context');
      logger.info('after a timer');
    });
    logger.info('outside');
    await flush();

    expect(lines.map((l) => [l['message'], l['requestId']])).toEqual([
      ['sync', 'req-in-context'],
      ['after a timer', 'req-in-context'],
      ['outside', undefined],
    ]);
    expect(currentRequestId()).toBeUndefined();
  });

  it('keeps a request id given explicitly on the line', async () => {
    const { logger, lines } = captureLogs('info');

    requestContext.run({ requestId: 'req-ambient' }, () => logger.info('job done', { requestId: 'req-original' }));
    await flush();

    expect(lines[0]?.['requestId']).toBe('req-original');
  });

  it('drops lines below its level', async () => {
    const { logger, lines } = captureLogs('warn');

    logger.info('quiet');
    logger.http('request');
    logger.warn('loud');
    await flush();

    expect(lines.map((l) => l['message'])).toEqual(['loud']);
  });

  it('logs the stack of an Error logged as the message', async () => {
    const { logger, lines } = captureLogs('info');

    logger.error(new Error('disk full'));
    await flush();

    expect(lines[0]).toMatchObject({ level: 'error', message: 'disk full', stack: expect.stringContaining('Error: disk full') });
  });
});
