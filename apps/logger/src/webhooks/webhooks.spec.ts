import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { authAs, waitFor } from '@nexus/service-kit/testing';
import { createTemporaryPostgres, type TemporaryPostgres } from '@nexus/stores/testing';
import { WebhookCreated, WebhookDelivery, WebhookDeliveryList, WebhookList } from '@nexus/types';
import { auth, createLoggerUnderTest, type LoggerHarnessOptions, type LoggerUnderTest } from '../testing/logger-harness';
import { emitEvent } from '../testing/emit-events';
import { WebhookReceiver } from '../testing/webhook-receiver';

describe.each(['sqlite', 'postgres'] as const)('signed webhooks on %s', (dialect) => {
  let postgres: TemporaryPostgres | undefined;
  let service: LoggerUnderTest;
  let receiver: WebhookReceiver;
  // a file, so a restarted logger finds its deliveries
  let sqlitePath: string;

  const start = async (options: LoggerHarnessOptions = {}) => {
    service = await createLoggerUnderTest({ ...options, ...(postgres ? { databaseUrl: postgres.url } : { sqlitePath }) });
  };
  const subscribe = async (body: object = { url: receiver.url, events: ['payment', 'refund'] }) => {
    const response = await request(service.app).post('/webhooks').set(auth).send(body);
    expect(response.status).toBe(201);
    return WebhookCreated.parse(response.body);
  };
  const deliveries = async (id: string) =>
    WebhookDeliveryList.parse((await request(service.app).get(`/webhooks/${id}/deliveries`).set(auth)).body).items;

  beforeEach(async () => {
    postgres = dialect === 'postgres' ? await createTemporaryPostgres('nexus_logger_webhooks') : undefined;
    sqlitePath = join(mkdtempSync(join(tmpdir(), 'nexus-webhooks-')), 'logger.sqlite');
    receiver = await new WebhookReceiver().start();
  });

  afterEach(async () => {
    await service.close();
    await receiver.stop();
    await postgres?.drop();
  });

  it('signs each delivery so that the standardwebhooks package verifies it with the secret shown once', async () => {
    await start();
    const webhook = await subscribe();
    expect(webhook.secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    const listed = WebhookList.parse((await request(service.app).get('/webhooks').set(auth)).body);
    expect(listed.items).toEqual([
      { id: webhook.id, url: receiver.url, events: ['payment', 'refund'], description: null, createdAt: webhook.createdAt },
    ]);
    expect(JSON.stringify(listed)).not.toContain(webhook.secret.slice('whsec_'.length));

    await emitEvent(service.app, 'payment', 'pay:1:SUCCESS');
    await waitFor('the delivery', async () => receiver.acceptedIds.length === 1);
    const [delivered] = receiver.received;
    const headers = Object.fromEntries(Object.entries(delivered?.headers ?? {}).map(([name, value]) => [name, String(value)]));
    const verified = new StandardWebhook(webhook.secret).verify(delivered?.body ?? '', headers);
    expect(verified).toMatchObject({
      type: 'payment',
      data: { type: 'payment', agentId: 'user-agent', serviceId: 'IMAGE_GEN', eventId: 'pay:1:SUCCESS', event: { id: 'pay:1:SUCCESS' } },
    });
    expect(headers['webhook-id']).toBe(`msg_${webhook.id.slice(3)}_1`);
    // a body changed on the way fails the check
    expect(() => new StandardWebhook(webhook.secret).verify(`${delivered?.body} `, headers)).toThrow();
    await waitFor('the delivery marked DELIVERED', async () => (await deliveries(webhook.id))[0]?.status === 'DELIVERED');
    expect((await deliveries(webhook.id))[0]).toMatchObject({ eventType: 'payment', eventSeq: '1', attempts: 1, lastStatus: 204 });
  });

  it('sends only the subscribed types, only what came after the webhook was made, once each', async () => {
    await start();
    await emitEvent(service.app, 'payment', 'before');
    const webhook = await subscribe();
    await emitEvent(service.app, 'decision', 'dec-1');
    await emitEvent(service.app, 'payment', 'pay-1');
    await emitEvent(service.app, 'refund', 'ref-1');
    await waitFor('two deliveries', async () => receiver.acceptedIds.length === 2);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(receiver.received.map((r) => JSON.parse(r.body).data.eventId)).toEqual(['pay-1', 'ref-1']);
    expect((await deliveries(webhook.id)).map((d) => d.status)).toEqual(['DELIVERED', 'DELIVERED']);
  });

  it('retries a failing receiver with backoff until it takes the message, and shows the attempts', async () => {
    await start();
    const webhook = await subscribe();
    receiver.answer = 503;
    await emitEvent(service.app, 'payment', 'pay-1');
    await waitFor('a second attempt', async () => ((await deliveries(webhook.id))[0]?.attempts ?? 0) >= 2);
    expect((await deliveries(webhook.id))[0]).toMatchObject({ status: 'FAILED', lastStatus: 503, lastError: 'answered 503' });
    receiver.answer = 200;
    await waitFor('the delivery marked DELIVERED', async () => (await deliveries(webhook.id))[0]?.status === 'DELIVERED');
    const [delivery] = await deliveries(webhook.id);
    expect(delivery?.lastStatus).toBe(200);
    expect(delivery?.latencyMs).toEqual(expect.any(Number));
    const metrics = (await request(service.app).get('/metrics')).text;
    expect(metrics).toMatch(/^logger_webhook_attempts_total\{outcome="delivered",service="logger"\} 1$/m);
    expect(metrics).toMatch(/^logger_webhook_attempts_total\{outcome="failed",service="logger"\} [2-9]\d*$/m);
    expect(new Set(receiver.received.map((r) => r.headers['webhook-id']))).toEqual(new Set([delivery?.id]));
  });

  it('gives a receiver that was down every event once it is back, once each, across a logger restart', async () => {
    await start();
    const webhook = await subscribe();
    await receiver.stop();
    const ids: string[] = [];
    for (let n = 0; n < 12; n += 1) ids.push(await emitEvent(service.app, n % 2 ? 'payment' : 'refund', `event-${n}`));
    await waitFor('every event tried once', async () => {
      const all = await deliveries(webhook.id);
      return all.length === 12 && all.every((d) => d.attempts >= 1);
    });
    await service.close();
    await start();
    await receiver.start();
    await waitFor('all twelve delivered', async () => receiver.acceptedIds.length === 12, { timeoutMs: 10_000 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(receiver.received.map((r) => JSON.parse(r.body).data.eventId).sort()).toEqual([...ids].sort());
    expect(new Set(receiver.acceptedIds).size).toBe(12);
  });

  it('gives up on a delivery after the retry window (DEAD)', async () => {
    await start({ webhooks: { giveUpAfterMs: 300 } });
    const webhook = await subscribe();
    receiver.answer = 500;
    await emitEvent(service.app, 'payment', 'pay-1');
    await waitFor('the delivery given up', async () => (await deliveries(webhook.id))[0]?.status === 'DEAD');
    expect((await deliveries(webhook.id))[0]?.lastError).toMatch(/^answered 500; given up after \d+ attempts$/);
  });

  it('sends a deleted webhook nothing more, and ends what it still had waiting', async () => {
    await start();
    const webhook = await subscribe();
    receiver.answer = 500;
    await emitEvent(service.app, 'payment', 'pay-1');
    await waitFor('a first attempt', async () => ((await deliveries(webhook.id))[0]?.attempts ?? 0) >= 1);
    expect((await request(service.app).delete(`/webhooks/${webhook.id}`).set(auth)).status).toBe(204);
    receiver.answer = 204;
    const seen = receiver.received.length;
    await emitEvent(service.app, 'payment', 'pay-2');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(receiver.received.length).toBe(seen);
    expect((await deliveries(webhook.id)).map((d) => d.status)).toEqual(['DEAD']);
    expect((await request(service.app).get('/webhooks').set(auth)).body).toEqual({ items: [] });
    expect((await request(service.app).delete(`/webhooks/${webhook.id}`).set(auth)).status).toBe(404);
    expect((await request(service.app).post(`/webhooks/${webhook.id}/test`).set(auth)).status).toBe(404);
  });

  it('sends a test message now, signed the same way, and answers its delivery', async () => {
    await start();
    const webhook = await subscribe();
    const response = await request(service.app).post(`/webhooks/${webhook.id}/test`).set(auth);
    expect(response.status).toBe(200);
    const delivery = WebhookDelivery.parse(response.body);
    expect(delivery).toMatchObject({ eventType: 'test', eventSeq: null, status: 'DELIVERED', attempts: 1, lastStatus: 204 });
    const [received] = receiver.received;
    const headers = Object.fromEntries(Object.entries(received?.headers ?? {}).map(([name, value]) => [name, String(value)]));
    expect(new StandardWebhook(webhook.secret).verify(received?.body ?? '', headers)).toMatchObject({
      type: 'test',
      data: { type: 'test' },
    });
  });
});

describe('webhook input and access', () => {
  let service: LoggerUnderTest;
  beforeEach(async () => {
    service = await createLoggerUnderTest({ webhooks: { allowPrivateTargets: false } });
  });
  afterEach(() => service.close());

  it.each([
    ['no url', { events: ['payment'] }, 'body.url'],
    ['a relative url', { url: '/hook', events: ['payment'] }, 'body.url'],
    ['an ftp url', { url: 'ftp://hooks.example.com/x', events: ['payment'] }, 'body.url'],
    ['no events', { url: 'https://93.184.215.14/hook', events: [] }, 'body.events'],
    ['an unknown event type', { url: 'https://93.184.215.14/hook', events: ['payments'] }, 'body.events.0'],
    ['a repeated event type', { url: 'https://93.184.215.14/hook', events: ['payment', 'payment'] }, 'body.events'],
    ['an unknown field', { url: 'https://93.184.215.14/hook', events: ['payment'], secret: 'mine' }, 'body'],
    ['a long description', { url: 'https://93.184.215.14/hook', events: ['payment'], description: 'x'.repeat(201) }, 'body.description'],
    ['loopback', { url: 'http://127.0.0.1:9000/hook', events: ['payment'] }, 'body.url'],
    ['a private network', { url: 'http://10.1.2.3/hook', events: ['payment'] }, 'body.url'],
    ['the metadata endpoint', { url: 'http://169.254.169.254/latest', events: ['payment'] }, 'body.url'],
    ['IPv6 loopback', { url: 'http://[::1]:9000/hook', events: ['payment'] }, 'body.url'],
    ['a name resolving to loopback', { url: 'http://localhost:9000/hook', events: ['payment'] }, 'body.url'],
  ])('refuses %s with 400 naming the field', async (_label, body, path) => {
    const response = await request(service.app).post('/webhooks').set(auth).send(body);
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('VALIDATION_ERROR');
    expect(response.body.error.details.map((d: { path: string }) => d.path)).toContain(path);
    expect((await request(service.app).get('/webhooks').set(auth)).body).toEqual({ items: [] });
  });

  it('accepts a public address', async () => {
    const response = await request(service.app)
      .post('/webhooks')
      .set(auth)
      .send({ url: 'https://93.184.215.14/hook', events: ['alert'] });
    expect(response.status).toBe(201);
  });

  it('answers 404 for an unknown webhook and 400 for a bad id or cursor', async () => {
    expect((await request(service.app).get('/webhooks/wh_0123456789abcdef/deliveries').set(auth)).status).toBe(404);
    expect((await request(service.app).get('/webhooks/nope/deliveries').set(auth)).status).toBe(400);
    const made = WebhookCreated.parse(
      (
        await request(service.app)
          .post('/webhooks')
          .set(auth)
          .send({ url: 'https://93.184.215.14/hook', events: ['alert'] })
      ).body,
    );
    expect((await request(service.app).get(`/webhooks/${made.id}/deliveries?cursor=bm9wZQ`).set(auth)).status).toBe(400);
  });

  it('takes webhook calls from the gateway only', async () => {
    for (const caller of ['payment', 'operator'] as const) {
      const response = await request(service.app).get('/webhooks').set(authAs(caller));
      expect({ caller, status: response.status, code: response.body.error?.code }).toEqual({
        caller,
        status: 403,
        code: 'FORBIDDEN_CALLER',
      });
    }
  });
});

describe('webhooks on two logger replicas over one PostgreSQL database', () => {
  let postgres: TemporaryPostgres;
  let replicas: LoggerUnderTest[];
  let receiver: WebhookReceiver;

  beforeEach(async () => {
    postgres = await createTemporaryPostgres('nexus_logger_replicas');
    receiver = await new WebhookReceiver().start();
    replicas = [];
    for (let n = 0; n < 2; n += 1) replicas.push(await createLoggerUnderTest({ databaseUrl: postgres.url }));
  });
  afterEach(async () => {
    await Promise.all(replicas.map((replica) => replica.close()));
    await receiver.stop();
    await postgres.drop();
  });

  it('enqueues and sends each event once, whichever replica stored it', async () => {
    const [first, second] = replicas;
    if (!first || !second) throw new Error('two replicas expected');
    const made = await request(first.app)
      .post('/webhooks')
      .set(auth)
      .send({ url: receiver.url, events: ['payment', 'decision'] });
    expect(made.status).toBe(201);
    const sent: string[] = [];
    for (let n = 0; n < 20; n += 1)
      sent.push(await emitEvent((n % 2 ? first : second).app, n % 3 ? 'payment' : 'decision', `replica-${n}`));
    await waitFor('every event delivered', async () => receiver.acceptedIds.length >= sent.length, { timeoutMs: 15_000 });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(receiver.received.map((r) => JSON.parse(r.body).data.eventId).sort()).toEqual([...sent].sort());
    expect(new Set(receiver.acceptedIds).size).toBe(sent.length);
  });
});
