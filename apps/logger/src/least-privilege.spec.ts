import request from 'supertest';
import { authAs } from '@nexus/service-kit/testing';
import { LoggedEvent, LogStats } from '@nexus/types';
import { decisionEvent, transactionEvent } from './testing/events';
import { createLoggerUnderTest, type LoggerUnderTest } from './testing/logger-harness';

describe('the logger keeps each sender to its own events', () => {
  let service: LoggerUnderTest;
  const post = (caller: Parameters<typeof authAs>[0], events: unknown[]) =>
    request(service.app).post('/events').set(authAs(caller)).send({ events });
  const stats = async () => LogStats.parse((await request(service.app).get('/stats').set(authAs('gateway'))).body);

  beforeEach(async () => {
    service = await createLoggerUnderTest();
  });
  afterEach(() => service.close());

  it.each(['image-gen', 'price-oracle', 'batch-compute', 'log-archive'] as const)(
    "does not know %s's credential: a provider cannot write events (401), and the stats do not move",
    async (provider) => {
      const forged = transactionEvent(`forged-${provider}`, { amount: '999.00' });
      const response = await post(provider, [forged]);
      expect({ status: response.status, code: response.body?.error?.code }).toEqual({ status: 401, code: 'UNAUTHORIZED' });
      expect((await stats()).totalSpent).toBe('0.00');
    },
  );

  it("refuses the operator's credential on POST /events (403 FORBIDDEN_CALLER); it may read", async () => {
    const response = await post('operator', [decisionEvent('by-operator')]);
    expect({ status: response.status, code: response.body?.error?.code }).toEqual({ status: 403, code: 'FORBIDDEN_CALLER' });
    expect((await request(service.app).get('/stats').set(authAs('operator'))).status).toBe(200);
  });

  it('refuses a sender that writes other content under an id the gateway stored, and stores nothing of its batch', async () => {
    const gatewayEvent = transactionEvent('pay:1:SUCCESS', { amount: '0.05' });
    expect((await post('gateway', [gatewayEvent])).status).toBe(201);

    const overwrite = await post('payment', [
      transactionEvent('pay:1:SUCCESS', { amount: '999.00' }),
      transactionEvent('payment-own', { amount: '0.01' }),
    ]);
    expect({ status: overwrite.status, code: overwrite.body?.error?.code }).toEqual({ status: 403, code: 'EVENT_OF_ANOTHER_SENDER' });
    // the very same end told again by the payment service changes nothing
    const replay = await post('payment', [gatewayEvent]);
    expect({ status: replay.status, body: replay.body }).toEqual({ status: 200, body: { accepted: 0, duplicates: 1 } });

    const stored = LoggedEvent.parse((await request(service.app).get('/events/pay%3A1%3ASUCCESS').set(authAs('gateway'))).body);
    expect(stored).toMatchObject({ amount: '0.05' });
    expect((await request(service.app).get('/events/payment-own').set(authAs('gateway'))).status).toBe(404);
    expect((await stats()).totalSpent).toBe('0.05');
  });

  it("keeps the gateway off the payment service's events the same way, and lets each sender repeat its own", async () => {
    const paymentEvent = transactionEvent('pay:2:SUCCESS', { amount: '0.10' });
    expect((await post('payment', [paymentEvent])).status).toBe(201);
    expect((await post('gateway', [{ ...paymentEvent, amount: '1.00' }])).status).toBe(403);
    const again = await post('payment', [paymentEvent]);
    expect({ status: again.status, body: again.body }).toEqual({ status: 200, body: { accepted: 0, duplicates: 1 } });
  });

  it('keeps each sender to its kinds of event: the policy may tell alerts, not payments; the payment service no decisions', async () => {
    const alert = {
      id: 'alert:rejections:user-agent:1',
      kind: 'alert',
      occurredAt: '2026-03-10T12:00:00.000Z',
      alertType: 'rejection_spike',
      severity: 'warning',
      agentId: 'user-agent',
      window: null,
      windowStart: null,
      thresholdPercent: null,
      spent: null,
      budget: null,
      balance: null,
      floor: null,
      count: 10,
      minutes: 5,
      message: '10 rejections in 5 minutes',
    };
    expect((await post('policy', [alert])).status).toBe(201);
    const forged = await post('policy', [transactionEvent('pay:9:SUCCESS', { amount: '5.00' })]);
    expect({ status: forged.status, code: forged.body?.error?.code, path: forged.body?.error?.details?.[0]?.path }).toEqual({
      status: 403,
      code: 'FORBIDDEN_CALLER',
      path: 'body.events.0.kind',
    });
    expect((await post('payment', [decisionEvent('by-payment')])).status).toBe(403);
    expect((await stats()).totalSpent).toBe('0.00');
    const alerts = await request(service.app).get('/alerts').set(authAs('gateway'));
    expect(alerts.body.items).toEqual([expect.objectContaining({ id: alert.id, count: 10, recordedAt: expect.any(String) })]);
  });
});
