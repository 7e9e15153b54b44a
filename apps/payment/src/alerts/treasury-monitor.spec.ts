import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestChain, type TestChain } from '@nexus/chain/testing';
import { LOG_OUTBOX_TOPIC, LogOutbox, LoggerClient } from '@nexus/clients';
import { createSilentLogger } from '@nexus/service-kit';
import { createOutboxStore, openDatabase, type OutboxStore, type OutboxTables } from '@nexus/stores';
import { AlertEvent, toBaseUnits } from '@nexus/types';
import type { ChainSettler } from '../chain/chain-settler';
import { chainSettlerOn, pendingPayment } from '../testing/chain-settler-fixture';
import { TREASURY_ALERT_MARKS_TOPIC, TreasuryMonitor, treasuryAlertId } from './treasury-monitor';

/**
 * The treasury-low alert on a real Hardhat chain: the balance read from the
 * token, the alert recorded in the payment service's real audit outbox (SQLite),
 * the fired marks beside it. Delivery from the outbox is the outbox's own tests'.
 */
describe('treasury monitor', () => {
  let chain: TestChain;
  let settler: ChainSettler;
  let marks: OutboxStore;
  let audit: LogOutbox;
  let logs: LoggerClient;
  /** the alerts waiting in the audit outbox, oldest first */
  const recorded = async () =>
    (await marks.due(LOG_OUTBOX_TOPIC, 100, new Date(8.64e15))).map((message) => AlertEvent.parse(JSON.parse(message.payload)));
  const NOW = new Date('2026-12-04T21:00:00.000Z');
  const monitor = (floor: bigint) =>
    new TreasuryMonitor({ settler, audit, marks, floor, intervalMs: 60_000, logger: createSilentLogger('payment'), clock: () => NOW });
  const balance = async () => (await settler.treasury()).balance ?? 0n;

  beforeAll(async () => {
    chain = await startTestChain();
    settler = chainSettlerOn(chain);
    const database = openDatabase<OutboxTables>({ sqlitePath: join(mkdtempSync(join(tmpdir(), 'nexus-treasury-')), 'payment.sqlite') });
    marks = await createOutboxStore(database);
    // never started: what is recorded stays in the outbox for the test to read
    logs = new LoggerClient({ baseUrl: 'http://127.0.0.1:9', token: 'unused' });
    audit = new LogOutbox({ queue: marks, sink: logs, logger: createSilentLogger('payment') });
  }, 60_000);
  afterAll(async () => {
    await logs?.close();
    await marks?.close();
    settler?.close();
    await chain?.stop();
  });

  it('fires once, critical, when a payment takes the balance below the floor, and not again on later checks or after a restart', async () => {
    const before = await balance();
    const floor = before - toBaseUnits('0.25');
    const first = monitor(floor);
    await expect(first.check()).resolves.toBeUndefined();
    expect(await recorded()).toEqual([]);

    const paid = await settler.settle(pendingPayment(chain, { amount: toBaseUnits('0.50') }), { onSubmitted: async () => undefined });
    expect(paid.kind).toBe('settled');
    expect(await balance()).toBe(before - toBaseUnits('0.50'));

    const alert = await first.check();
    expect(alert).toMatchObject({
      id: treasuryAlertId(NOW, floor),
      kind: 'alert',
      alertType: 'treasury_low',
      severity: 'critical',
      agentId: null,
      occurredAt: NOW.toISOString(),
    });
    expect(alert?.id).toMatch(/^alert:treasury-low:2026-12-04:\d+\.\d+$/);
    expect(toBaseUnits(alert?.balance ?? '0')).toBe(before - toBaseUnits('0.50'));
    expect(toBaseUnits(alert?.floor ?? '0')).toBe(floor);
    expect(await recorded()).toEqual([alert]);

    // the same day and floor: once, in this process and in the next one (the marks are in the store)
    await expect(first.check()).resolves.toBeUndefined();
    await expect(monitor(floor).check()).resolves.toBeUndefined();
    await expect(Promise.all([monitor(floor).check(), monitor(floor).check()])).resolves.toEqual([undefined, undefined]);
    expect(await recorded()).toEqual([alert]);
    expect((await marks.counts(TREASURY_ALERT_MARKS_TOPIC)).pending).toBe(1);

    // another floor is another alert
    await expect(monitor(before).check()).resolves.toMatchObject({ id: treasuryAlertId(NOW, before) });
    expect((await recorded()).map((event) => event.id)).toEqual([treasuryAlertId(NOW, floor), treasuryAlertId(NOW, before)]);
  }, 60_000);

  it('keeps quiet while the balance is at or above the floor', async () => {
    const count = (await recorded()).length;
    await expect(monitor(await balance()).check()).resolves.toBeUndefined();
    expect(await recorded()).toHaveLength(count);
  });
});
