import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { waitFor } from '@nexus/service-kit/testing';
import { WebhookCreated, WebhookDelivery, WebhookDeliveryList, WebhookList } from '@nexus/types';
import { errorOf, validationErrorOf } from '../testing/api-checks';
import { startBackingStack, type BackingStack } from '../testing/backing-stack';
import { createGatewayUnderTest, type GatewayUnderTest } from '../testing/gateway-under-test';

/**
 * The webhook routes of the gateway (admin key only) over the real logger,
 * which keeps and sends the webhooks, to a real receiver on 127.0.0.1 (so the
 * stack runs with WEBHOOK_ALLOW_PRIVATE_TARGETS=true).
 */

jest.setTimeout(120_000);

let stack: BackingStack;
let gateway: GatewayUnderTest;
let receiver: Server;
let receiverUrl: string;
const received: { headers: IncomingHttpHeaders; body: string }[] = [];

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.statusCode = 204;
      res.end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', () => resolve()));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  stack = await startBackingStack({ env: { WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true', WEBHOOK_POLL_MS: '50' } });
  gateway = await createGatewayUnderTest(stack);
}, 180_000);

afterAll(async () => {
  await gateway?.close();
  await stack?.stopAll();
  receiver.closeAllConnections();
  await new Promise((resolve) => receiver.close(resolve));
});

const admin = () => gateway.auth('admin');
const headersOf = (request: { headers: IncomingHttpHeaders }) =>
  Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name, String(value)]));

it('makes a webhook, shows its secret once, sends a signed test message, lists its delivery, and deletes it', async () => {
  const made = await gateway.http
    .post('/webhooks')
    .set(admin())
    .send({ url: receiverUrl, events: ['payment', 'alert'], description: 'treasury desk' });
  expect(made.status).toBe(201);
  const webhook = WebhookCreated.parse(made.body);
  expect(webhook).toMatchObject({ url: receiverUrl, events: ['payment', 'alert'], description: 'treasury desk' });

  const listed = WebhookList.parse((await gateway.http.get('/webhooks').set(admin()).expect(200)).body);
  expect(listed.items.find((item) => item.id === webhook.id)).toEqual({
    id: webhook.id,
    url: receiverUrl,
    events: ['payment', 'alert'],
    description: 'treasury desk',
    createdAt: webhook.createdAt,
  });
  expect(JSON.stringify(listed)).not.toContain(webhook.secret);

  const tested = WebhookDelivery.parse((await gateway.http.post(`/webhooks/${webhook.id}/test`).set(admin()).expect(200)).body);
  expect(tested).toMatchObject({ eventType: 'test', status: 'DELIVERED', attempts: 1, lastStatus: 204 });
  const message = received.find((request) => request.headers['webhook-id'] === tested.id);
  if (!message) throw new Error('the test message did not arrive');
  expect(new StandardWebhook(webhook.secret).verify(message.body, headersOf(message))).toMatchObject({ type: 'test' });

  const page = WebhookDeliveryList.parse(
    (await gateway.http.get(`/webhooks/${webhook.id}/deliveries?limit=10`).set(admin()).expect(200)).body,
  );
  expect(page.items.map((delivery) => delivery.id)).toEqual([tested.id]);

  await gateway.http.delete(`/webhooks/${webhook.id}`).set(admin()).expect(204);
  errorOf(await gateway.http.delete(`/webhooks/${webhook.id}`).set(admin()), 404, 'NOT_FOUND');
  errorOf(await gateway.http.post(`/webhooks/${webhook.id}/test`).set(admin()), 404, 'NOT_FOUND');
  const after = WebhookList.parse((await gateway.http.get('/webhooks').set(admin())).body);
  expect(after.items.map((item) => item.id)).not.toContain(webhook.id);
});

it('refuses bad input with 400 naming the field, and keeps agent keys out (403)', async () => {
  validationErrorOf(
    await gateway.http
      .post('/webhooks')
      .set(admin())
      .send({ url: 'ftp://example.com/x', events: ['payment'] }),
    ['body.url'],
  );
  validationErrorOf(await gateway.http.post('/webhooks').set(admin()).send({ url: receiverUrl, events: [] }), ['body.events']);
  validationErrorOf(
    await gateway.http
      .post('/webhooks')
      .set(admin())
      .send({ url: receiverUrl, events: ['payouts'] }),
    ['body.events.0'],
  );
  validationErrorOf(await gateway.http.get('/webhooks/not-a-webhook/deliveries').set(admin()), ['params.id']);
  validationErrorOf(await gateway.http.get(`/webhooks/wh_${'0'.repeat(32)}/deliveries?limit=0`).set(admin()), ['query.limit']);
  errorOf(await gateway.http.get(`/webhooks/wh_${'0'.repeat(32)}/deliveries`).set(admin()), 404, 'NOT_FOUND');
  errorOf(
    await gateway.http
      .post('/webhooks')
      .set(gateway.auth('user-agent'))
      .send({ url: receiverUrl, events: ['payment'] }),
    403,
    'FORBIDDEN',
  );
  errorOf(await gateway.http.get('/webhooks').set(gateway.auth('ops-agent')), 403, 'FORBIDDEN');
});

it('sends a paid call to a webhook subscribed to payments', async () => {
  const webhook = WebhookCreated.parse(
    (
      await gateway.http
        .post('/webhooks')
        .set(admin())
        .send({ url: receiverUrl, events: ['payment'] })
        .expect(201)
    ).body,
  );
  const paid = await gateway.http
    .post('/tools/PRICE_ORACLE/invoke')
    .set(gateway.auth('user-agent'))
    .set('Idempotency-Key', randomUUID())
    .send({ input: { base: 'ETH' } });
  expect(paid.status).toBe(200);
  const message = await waitFor('the payment webhook', async () =>
    received.find(
      (request) => JSON.parse(request.body).type === 'payment' && String(request.headers['webhook-id']).includes(webhook.id.slice(3)),
    ),
  );
  const verified = new StandardWebhook(webhook.secret).verify(message.body, headersOf(message));
  expect(verified).toMatchObject({ type: 'payment', data: { type: 'payment', agentId: 'user-agent', serviceId: 'PRICE_ORACLE' } });
});
