import { openDatabase } from '../database';
import { InvalidCursorError } from '../payment/payment-store';
import { createTemporaryPostgres, type TemporaryPostgres } from '../testing/temporary-postgres';
import type { LoggerTables } from './logger-tables';
import { createWebhookStore } from './sql-webhook-store';
import type { NewDelivery, WebhookRecord, WebhookStore } from './webhook-store';

const T0 = new Date('2026-12-04T12:00:00.000Z');
const at = (offsetMs: number) => new Date(T0.getTime() + offsetMs);

const webhook = (id: string, overrides: Partial<WebhookRecord> = {}): WebhookRecord => ({
  id,
  url: 'https://hooks.example.com/nexus',
  events: ['payment', 'alert'],
  description: null,
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  afterSeq: 0n,
  createdAt: T0,
  deletedAt: null,
  ...overrides,
});

const delivery = (webhookId: string, seq: number, overrides: Partial<NewDelivery> = {}): NewDelivery => ({
  id: `msg_${webhookId.slice(3)}_${seq}`,
  webhookId,
  eventSeq: BigInt(seq),
  eventType: 'payment',
  payload: `{"seq":${seq}}`,
  createdAt: at(seq),
  ...overrides,
});

describe.each(['sqlite', 'postgres'] as const)('webhook store on %s', (dialect) => {
  let store: WebhookStore;
  let close: () => Promise<void>;
  let postgres: TemporaryPostgres | undefined;

  beforeEach(async () => {
    postgres = dialect === 'postgres' ? await createTemporaryPostgres('nexus_webhooks') : undefined;
    const database = openDatabase<LoggerTables>(postgres ? { databaseUrl: postgres.url } : { sqlitePath: ':memory:' });
    store = await createWebhookStore(database);
    close = () => database.close();
    await store.createWebhook(webhook('wh_aaaaaaaa'));
  });

  afterEach(async () => {
    await close();
    await postgres?.drop();
  });

  it('keeps a webhook as made, secret included, and lists only the live ones', async () => {
    await store.createWebhook(webhook('wh_bbbbbbbb', { description: 'ops', events: ['decision'], afterSeq: 7n }));
    expect(await store.getWebhook('wh_bbbbbbbb')).toEqual(
      webhook('wh_bbbbbbbb', { description: 'ops', events: ['decision'], afterSeq: 7n }),
    );
    expect(await store.deleteWebhook('wh_aaaaaaaa', at(1))).toBe(true);
    expect(await store.deleteWebhook('wh_aaaaaaaa', at(2))).toBe(false);
    expect((await store.listWebhooks()).map((w) => w.id)).toEqual(['wh_bbbbbbbb']);
    expect((await store.getWebhook('wh_aaaaaaaa'))?.deletedAt).toEqual(at(1));
  });

  it('moves the dispatch cursor only from where it was read, enqueuing once', async () => {
    expect(await store.dispatchCursor()).toBeNull();
    await store.startDispatchCursor(5n);
    await store.startDispatchCursor(9n);
    expect(await store.dispatchCursor()).toBe(5n);
    expect(await store.enqueue([delivery('wh_aaaaaaaa', 6)], { from: 5n, to: 6n })).toBe(true);
    // a second replica that read the same stretch writes nothing
    expect(await store.enqueue([delivery('wh_aaaaaaaa', 6, { id: 'msg_other_6' })], { from: 5n, to: 6n })).toBe(false);
    expect(await store.dispatchCursor()).toBe(6n);
    expect((await store.listDeliveries({ webhookId: 'wh_aaaaaaaa', limit: 10 })).items.map((d) => d.id)).toEqual(['msg_aaaaaaaa_6']);
  });

  it('hands a due delivery to one sender for its lease, then records the attempt', async () => {
    await store.startDispatchCursor(0n);
    await store.enqueue([delivery('wh_aaaaaaaa', 1), delivery('wh_aaaaaaaa', 2, { createdAt: at(60_000) })], { from: 0n, to: 2n });
    const first = await store.claimDue(at(10), 30_000, 10);
    expect(first.map((d) => [d.id, d.url, d.secret])).toEqual([['msg_aaaaaaaa_1', webhook('x').url, webhook('x').secret]]);
    expect(await store.claimDue(at(20), 30_000, 10)).toEqual([]);
    await store.recordAttempt('msg_aaaaaaaa_1', {
      at: at(30),
      httpStatus: 503,
      latencyMs: 12,
      error: 'answered 503',
      status: 'FAILED',
      nextAttemptAt: at(1_000),
    });
    expect(await store.getDelivery('msg_aaaaaaaa_1')).toMatchObject({ status: 'FAILED', attempts: 1, lastStatus: 503, latencyMs: 12 });
    expect((await store.claimDue(at(1_000), 30_000, 10)).map((d) => d.id)).toEqual(['msg_aaaaaaaa_1']);
    await store.recordAttempt('msg_aaaaaaaa_1', {
      at: at(1_010),
      httpStatus: 204,
      latencyMs: 3,
      error: null,
      status: 'DELIVERED',
      nextAttemptAt: null,
    });
    expect(await store.getDelivery('msg_aaaaaaaa_1')).toMatchObject({
      status: 'DELIVERED',
      attempts: 2,
      deliveredAt: at(1_010),
      nextAttemptAt: null,
    });
    // an explicit claim takes a waiting delivery before it is due
    expect((await store.claimDue(at(1_020), 30_000, 1, 'msg_aaaaaaaa_2')).map((d) => d.id)).toEqual(['msg_aaaaaaaa_2']);
  });

  it("ends a deleted webhook's waiting deliveries and never hands them out again", async () => {
    await store.addDelivery(delivery('wh_aaaaaaaa', 1));
    expect(await store.deleteWebhook('wh_aaaaaaaa', at(5))).toBe(true);
    expect(await store.claimDue(at(10_000), 30_000, 10)).toEqual([]);
    expect(await store.getDelivery('msg_aaaaaaaa_1')).toMatchObject({ status: 'DEAD', lastError: 'the webhook was deleted' });
  });

  it('pages deliveries newest first and refuses a forged cursor', async () => {
    for (const seq of [1, 2, 3]) await store.addDelivery(delivery('wh_aaaaaaaa', seq));
    const first = await store.listDeliveries({ webhookId: 'wh_aaaaaaaa', limit: 2 });
    expect(first.items.map((d) => d.id)).toEqual(['msg_aaaaaaaa_3', 'msg_aaaaaaaa_2']);
    const second = await store.listDeliveries({ webhookId: 'wh_aaaaaaaa', limit: 2, cursor: first.nextCursor ?? '' });
    expect({ ids: second.items.map((d) => d.id), next: second.nextCursor }).toEqual({ ids: ['msg_aaaaaaaa_1'], next: null });
    await expect(store.listDeliveries({ webhookId: 'wh_aaaaaaaa', limit: 2, cursor: 'bm9wZQ' })).rejects.toThrow(InvalidCursorError);
  });
});
