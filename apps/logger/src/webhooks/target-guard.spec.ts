import { openDatabase, createWebhookStore, type LoggerTables } from '@nexus/stores';
import { checkTarget, isPrivateAddress, TargetRefused } from './target-guard';
import { WebhookReceiver } from '../testing/webhook-receiver';
import { TEST_WEBHOOK_SETTINGS } from '../testing/logger-harness';
import { WebhookSender } from './webhook-sender';

describe('the webhook target guard', () => {
  it.each([
    '127.0.0.1',
    '127.255.0.9',
    '10.0.0.1',
    '172.16.5.4',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
    '::1',
    '::',
    'fe80::1',
    'fc00::1',
    'ff02::1',
    '192.0.2.10',
    '198.51.100.7',
    '203.0.113.200',
    '2001:db8::1',
    '2002:a00:1::1',
    '2001:0:a00:1::1',
    '::ffff:127.0.0.1',
    '::ffff:10.0.0.1',
  ])('counts %s as private', (address) => expect(isPrivateAddress(address)).toBe(true));

  it.each(['93.184.215.14', '8.8.8.8', '2606:4700:4700::1111'])('counts %s as public', (address) =>
    expect(isPrivateAddress(address)).toBe(false),
  );

  it.each([
    'http://127.0.0.1:8007/events',
    'http://10.1.2.3/hook',
    'http://169.254.169.254/latest/meta-data',
    'http://[::1]:8000/hook',
    'http://[::ffff:7f00:1]/hook',
    'http://localhost:8007/hook',
    'ftp://93.184.215.14/hook',
    'https://user:pass@93.184.215.14/hook',
  ])('refuses %s', async (url) => {
    await expect(checkTarget(url, { allowPrivate: false })).rejects.toThrow(TargetRefused);
  });

  it('lets private targets through when WEBHOOK_ALLOW_PRIVATE_TARGETS is set, and public ones always', async () => {
    await expect(checkTarget('http://127.0.0.1:8007/hook', { allowPrivate: true })).resolves.toBeUndefined();
    await expect(checkTarget('http://localhost:8007/hook', { allowPrivate: true })).resolves.toBeUndefined();
    await expect(checkTarget('https://93.184.215.14/hook', { allowPrivate: false })).resolves.toBeUndefined();
    // only http(s), whatever the switch
    await expect(checkTarget('file:///etc/passwd', { allowPrivate: true })).rejects.toThrow(TargetRefused);
  });
});

describe('the guard at delivery time', () => {
  let receiver: WebhookReceiver;
  beforeEach(async () => {
    receiver = await new WebhookReceiver().start();
  });
  afterEach(() => receiver.stop());

  // A webhook whose name resolved to a public address when it was made may resolve elsewhere later (DNS
  // rebinding), and one made under WEBHOOK_ALLOW_PRIVATE_TARGETS=true outlives the switch: each connection is checked.
  it.each([
    ['a name that now resolves to loopback', (port: number) => `http://localhost:${port}/hook`],
    ['a loopback address', (port: number) => `http://127.0.0.1:${port}/hook`],
  ])('sends nothing to %s when private targets are not allowed', async (_label, url) => {
    const database = openDatabase<LoggerTables>({ sqlitePath: ':memory:' });
    const store = await createWebhookStore(database);
    const port = Number(new URL(receiver.url).port);
    const now = new Date();
    await store.createWebhook({
      id: 'wh_rebinding',
      url: url(port),
      events: ['payment'],
      description: null,
      secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      afterSeq: 0n,
      createdAt: now,
      deletedAt: null,
    });
    await store.addDelivery({
      id: 'msg_rebinding',
      webhookId: 'wh_rebinding',
      eventSeq: 1n,
      eventType: 'payment',
      payload: '{}',
      createdAt: now,
    });
    const blocked = new WebhookSender({ store, settings: { ...TEST_WEBHOOK_SETTINGS, allowPrivateTargets: false } });
    expect(await blocked.sendDue()).toBe(1);
    expect(receiver.received).toEqual([]);
    expect(await store.getDelivery('msg_rebinding')).toMatchObject({
      status: 'FAILED',
      lastStatus: null,
      lastError: expect.stringContaining('private'),
    });
    // the same delivery with the switch on reaches the receiver: the refusal above was the guard's
    const allowed = new WebhookSender({ store, settings: TEST_WEBHOOK_SETTINGS });
    expect((await allowed.sendNow('msg_rebinding'))?.status).toBe('DELIVERED');
    expect(receiver.received).toHaveLength(1);
    await Promise.all([blocked.close(), allowed.close()]);
    await database.close();
  });
});
