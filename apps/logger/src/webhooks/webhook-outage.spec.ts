import request from 'supertest';
import { setTimeout as sleep } from 'node:timers/promises';
import { waitFor } from '@nexus/service-kit/testing';
import { WebhookCreated, WebhookDeliveryList } from '@nexus/types';
import { auth, createLoggerUnderTest, type LoggerUnderTest } from '../testing/logger-harness';
import { emitEvent } from '../testing/emit-events';
import { WebhookReceiver } from '../testing/webhook-receiver';

const OUTAGE_MS = 30_000;

describe('a webhook receiver down for 30 s', () => {
  let service: LoggerUnderTest;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    receiver = await new WebhookReceiver().start();
    // retries capped at 2 s, so the receiver is tried many times while it is down
    service = await createLoggerUnderTest({ webhooks: { retryInitialMs: 250, retryMaxMs: 2_000 } });
  });
  afterAll(async () => {
    await service.close();
    await receiver.stop();
  });

  it('gets every event made while it was down once it is back, each exactly once', async () => {
    const made = await request(service.app)
      .post('/webhooks')
      .set(auth)
      .send({ url: receiver.url, events: ['payment', 'refund'] });
    const webhook = WebhookCreated.parse(made.body);
    await emitEvent(service.app, 'payment', 'before-outage');
    await waitFor('the first delivery', async () => receiver.acceptedIds.length === 1);

    await receiver.stop();
    const downSince = Date.now();
    const sent = ['before-outage'];
    // events keep coming during the outage
    for (let burst = 0; burst < 5; burst += 1) {
      for (let n = 0; n < 4; n += 1) sent.push(await emitEvent(service.app, n % 2 ? 'refund' : 'payment', `outage-${burst}-${n}`));
      await sleep(OUTAGE_MS / 6);
    }
    await sleep(Math.max(0, OUTAGE_MS - (Date.now() - downSince)));
    const page = WebhookDeliveryList.parse((await request(service.app).get(`/webhooks/${webhook.id}/deliveries?limit=100`).set(auth)).body);
    expect(page.items.filter((d) => d.status === 'FAILED').length).toBe(20);
    expect(Date.now() - downSince).toBeGreaterThanOrEqual(OUTAGE_MS);

    await receiver.start();
    await waitFor('every event delivered', async () => receiver.acceptedIds.length === sent.length, { timeoutMs: 15_000 });
    await sleep(2_500);
    const received = receiver.received.map((r) => JSON.parse(r.body).data.eventId);
    expect(received.sort()).toEqual([...sent].sort());
    expect(new Set(receiver.acceptedIds).size).toBe(sent.length);
  }, 90_000);
});
