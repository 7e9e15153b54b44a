import { createHash } from 'node:crypto';
import request from 'supertest';
import { useProviderUnderTest, type ProviderUnderTest } from '@nexus/provider-kit/testing';
import { ErrorBody, InvokeResponse, LogArchive, LogArchiveReceipt, canonicalJson } from '@nexus/types';
import { buildLogArchive } from './build-log-archive';

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

const LINES = [
  { timestamp: '2026-03-10T12:00:00.000Z', level: 'INFO', message: 'service started', host: 'a-1', pid: 41 },
  { timestamp: '2026-03-10T12:00:01.500Z', level: 'warn', message: 'slow query', durationMs: 1_250.5, table: 'orders' },
  { timestamp: '2026-03-10T13:59:59+02:00', level: 'Error', message: 'payment failed: caf\u00e9 \ud83d\udcb8', retry: true, cause: null },
  { timestamp: '2026-03-10T12:00:03Z', level: 'info', message: 'service started' },
  { timestamp: '2026-03-10T12:00:02Z', level: 'debug', message: 'cache miss', key: 'user:7' },
];
/** The lines as stored: levels in lower case, everything else as sent. */
const STORED = LINES.map((line) => ({ ...line, level: line.level.toLowerCase() }));

const receiptOf = (body: unknown) => {
  const answer = InvokeResponse.parse(body);
  return { answer, receipt: LogArchiveReceipt.parse(answer.result) };
};

async function readBack(provider: ProviderUnderTest, url: string): Promise<LogArchive> {
  return LogArchive.parse((await request(provider.app).get(url).expect(200)).body);
}

describe('LOG_ARCHIVE paid in mock mode', () => {
  const provider = useProviderUnderTest(buildLogArchive, { serviceId: 'LOG_ARCHIVE' });

  it('archives every line in full and reads back exactly what was stored, under a hash anyone can recompute', async () => {
    const { payment, headers } = await provider.pay({ variant: 'full' });
    const response = await provider.invoke({ variant: 'full', input: { lines: LINES } }, headers).expect(200);
    const { answer, receipt } = receiptOf(response.body);

    expect(answer).toMatchObject({ serviceId: 'LOG_ARCHIVE', variant: 'full', payment: { paymentId: payment.id, amount: '0.30' } });
    expect(receipt).toMatchObject({ variant: 'full', lineCount: 5, url: `/archives/${receipt.archiveId}` });

    const archive = await readBack(provider, receipt.url);
    if (archive.variant !== 'full') throw new Error('a full archive was expected');
    expect(archive.lines).toEqual(STORED);
    expect(archive).toMatchObject({
      archiveId: receipt.archiveId,
      paymentId: payment.id,
      contentHash: receipt.contentHash,
      createdAt: receipt.createdAt,
    });
    const serialised = canonicalJson(archive.lines);
    expect(sha256(serialised)).toBe(receipt.contentHash);
    expect(Buffer.byteLength(serialised, 'utf8')).toBe(receipt.storedBytes);
  });

  it('keeps only a summary for the summary variant and reads it back with its hash', async () => {
    const { payment, headers } = await provider.pay({ variant: 'summary' });
    const response = await provider.invoke({ variant: 'summary', input: { lines: LINES } }, headers).expect(200);
    const { answer, receipt } = receiptOf(response.body);
    expect(answer).toMatchObject({ variant: 'summary', payment: { paymentId: payment.id, amount: '0.05' } });

    const archive = await readBack(provider, receipt.url);

    expect(archive).toEqual({
      archiveId: receipt.archiveId,
      paymentId: payment.id,
      variant: 'summary',
      contentHash: receipt.contentHash,
      lineCount: 5,
      storedBytes: receipt.storedBytes,
      createdAt: receipt.createdAt,
      summary: {
        lineCount: 5,
        levels: { trace: 0, debug: 1, info: 2, warn: 1, error: 1, fatal: 0 },
        // 13:59:59+02:00 is 11:59:59 UTC
        firstTimestamp: '2026-03-10T13:59:59+02:00',
        lastTimestamp: '2026-03-10T12:00:03Z',
        distinctMessages: 4,
        topMessages: [
          { message: 'service started', count: 2 },
          { message: 'cache miss', count: 1 },
          { message: 'payment failed: caf\u00e9 \ud83d\udcb8', count: 1 },
          { message: 'slow query', count: 1 },
        ],
      },
    });
    if (archive.variant !== 'summary') throw new Error('a summary was expected');
    expect(sha256(canonicalJson(archive.summary))).toBe(receipt.contentHash);
    expect(JSON.stringify(archive)).not.toContain('user:7');
  });

  it('archives the default (full) variant when the call names none', async () => {
    const { headers } = await provider.pay();
    const response = await provider.invoke({ input: { lines: LINES.slice(0, 1) } }, headers).expect(200);
    expect(receiptOf(response.body).receipt).toMatchObject({ variant: 'full', lineCount: 1 });
  });

  it('refuses more lines than the full variant keeps before taking the payment, which then pays for a batch that fits', async () => {
    const { payment, headers } = await provider.pay({ variant: 'full' });
    const many = Array.from({ length: 5_001 }, (_, i) => ({ timestamp: '2026-03-10T12:00:00Z', level: 'info', message: `m${i % 3}` }));

    const refused = await provider.invoke({ variant: 'full', input: { lines: many } }, headers).expect(400);
    expect(ErrorBody.parse(refused.body).error).toMatchObject({
      code: 'VALIDATION_ERROR',
      details: [{ path: 'body.input.lines', message: expect.stringContaining('at most 5000 lines for the full variant') }],
    });
    expect(await provider.redemptions.get(payment.id)).toBeUndefined();

    const served = await provider.invoke({ variant: 'full', input: { lines: many.slice(0, 5_000) } }, headers).expect(200);
    expect(receiptOf(served.body).receipt).toMatchObject({ variant: 'full', lineCount: 5_000 });
  });

  it('summarises 20,000 lines, more than a full archive takes', async () => {
    const { headers } = await provider.pay({ variant: 'summary' });
    const lines = Array.from({ length: 20_000 }, (_, i) => ({
      timestamp: new Date(Date.UTC(2026, 2, 10, 0, 0, i)).toISOString(),
      level: i % 100 === 0 ? 'error' : 'info',
      message: `request ${i % 12}`,
    }));
    const response = await provider.invoke({ variant: 'summary', input: { lines } }, headers).expect(200);
    const archive = await readBack(provider, receiptOf(response.body).receipt.url);

    expect(archive).toMatchObject({
      lineCount: 20_000,
      summary: { levels: { error: 200, info: 19_800 }, distinctMessages: 12, lastTimestamp: '2026-03-10T05:33:19.000Z' },
    });
    expect(archive.variant === 'summary' && archive.summary.topMessages).toHaveLength(10);
  });

  it('answers bad input with 400 and every problem, without asking for payment', async () => {
    const response = await provider
      .invoke({
        variant: 'summary',
        input: {
          lines: [
            { timestamp: 'yesterday', level: 'info', message: 'a' },
            { timestamp: '2026-03-10T12:00:00Z', level: 'verbose', message: 'b' },
            { timestamp: '2026-03-10T12:00:00Z', level: 'info', message: 'x'.repeat(4_097), nested: { no: 1 } },
          ],
        },
      })
      .expect(400);
    const body = ErrorBody.parse(response.body);

    expect(body.error.code).toBe('VALIDATION_ERROR');
    expect(body.error.details?.map((d) => d.path).sort()).toEqual([
      'body.input.lines.0.timestamp',
      'body.input.lines.1.level',
      'body.input.lines.2.message',
      'body.input.lines.2.nested',
    ]);
    await provider.invoke({ input: { lines: [] } }).expect(400);
    await provider.invoke({ input: {} }).expect(400);
    await provider.invoke({ variant: 'compressed', input: { lines: LINES } }).expect(400);
  });

  it('refuses a body over its 2 MB limit with 413', async () => {
    const lines = Array.from({ length: 600 }, () => ({ timestamp: '2026-03-10T12:00:00Z', level: 'info', message: 'x'.repeat(4_000) }));
    const response = await provider.invoke({ variant: 'summary', input: { lines } }).expect(413);
    expect(ErrorBody.parse(response.body).error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('answers 404 ARCHIVE_NOT_FOUND for an unknown archive and 400 for what is no archive id', async () => {
    const missing = await request(provider.app)
      .get(`/archives/arc_${'0'.repeat(32)}`)
      .expect(404);
    const malformed = await request(provider.app).get('/archives/latest').expect(400);

    expect(ErrorBody.parse(missing.body).error.code).toBe('ARCHIVE_NOT_FOUND');
    expect(ErrorBody.parse(malformed.body).error).toMatchObject({ code: 'VALIDATION_ERROR', details: [{ path: 'params.id' }] });
  });

  it('counts archives and reads in its metrics and reports healthy', async () => {
    await request(provider.app).get('/health').expect(200);
    const metrics = await request(provider.app).get('/metrics').expect(200);

    expect(metrics.text).toMatch(/log_archive_archives_total\{variant="full",service="log-archive"\} [1-9]/);
    expect(metrics.text).toMatch(/log_archive_archives_total\{variant="summary",service="log-archive"\} [1-9]/);
    expect(metrics.text).toMatch(/log_archive_reads_total\{found="false",service="log-archive"\} [1-9]/);
  });

  it('still serves its archives after a restart on the same data directory', async () => {
    const { headers } = await provider.pay({ variant: 'full' });
    const { receipt } = receiptOf((await provider.invoke({ variant: 'full', input: { lines: LINES } }, headers).expect(200)).body);

    await provider.restart();

    const archive = await readBack(provider, receipt.url);
    expect(archive.variant === 'full' && archive.lines).toEqual(STORED);
    expect(archive.contentHash).toBe(receipt.contentHash);
  });
});

describe('LOG_ARCHIVE on PostgreSQL', () => {
  const provider = useProviderUnderTest(buildLogArchive, { serviceId: 'LOG_ARCHIVE', postgres: 'nexus_log_archive' });

  it('stores and reads back an archive, non-ASCII and all, with its store on PostgreSQL', async () => {
    const { headers } = await provider.pay({ variant: 'full' });
    const { receipt } = receiptOf(
      (
        await request(provider.app)
          .post('/invoke')
          .set(headers)
          .send({ input: { lines: LINES } })
          .expect(200)
      ).body,
    );

    const archive = await readBack(provider, receipt.url);
    expect(archive.variant === 'full' && archive.lines).toEqual(STORED);
    expect(sha256(canonicalJson(archive.variant === 'full' ? archive.lines : null))).toBe(receipt.contentHash);
  });
});

describe('LOG_ARCHIVE paid on a local chain', () => {
  const provider = useProviderUnderTest(buildLogArchive, { serviceId: 'LOG_ARCHIVE', mode: 'chain', timeoutMs: 120_000 });

  it('archives a summary paid through the router, proven by its transaction', async () => {
    const { payment, headers } = await provider.pay({ variant: 'summary' });
    const response = await request(provider.app)
      .post('/invoke')
      .set(headers)
      .send({ variant: 'summary', input: { lines: LINES } })
      .expect(200);
    const { answer, receipt } = receiptOf(response.body);

    expect(payment.txHash).toMatch(/^0x[0-9a-f]{64}$/);
    expect(answer).toMatchObject({ variant: 'summary', payment: { paymentId: payment.id, txHash: payment.txHash, amount: '0.05' } });
    const archive = await readBack(provider, receipt.url);
    expect(archive).toMatchObject({ variant: 'summary', lineCount: 5, contentHash: receipt.contentHash });
  });
});
