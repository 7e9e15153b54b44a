import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestChain, type TestChain } from '@nexus/chain/testing';
import { createSilentLogger } from '@nexus/service-kit';
import { createOutboxStore, openDatabase, type OutboxStore, type OutboxTables } from '@nexus/stores';
import { AlertEvent, toBaseUnits } from '@nexus/types';
import type { ChainSettler } from '../chain/chain-settler';
import { chainSettlerOn, pendingPayment } from '../testing/chain-settler-fixture';
import { TREASURY_ALERT_MARKS_TOPIC, TreasuryMonitor, treasuryAlertId } from './treasury-monitor';

/** The treasury-low alert on a real Hardhat chain: the balance read from the token, the fired marks in a real SQLite store. */
describe('treasury monitor', () => {
  let chain: TestChain;
  let settler: ChainSettler;
  let marks: OutboxStore;
  const recorded: AlertEvent[] = [];
  /** the audit outbox's side of the contract: each alert as recorded */
  const audit = { record: async (event: AlertEvent) => void recorded.push(AlertEvent.parse(event)) };
  const NOW = new Date('2026-12-04T21:00:00.000Z');
  const monitor = (floor: bigint) =>
    new TreasuryMonitor({ settler, audit, marks, floor, intervalMs: 60_000, logger: createSilentLogger('payment'), clock: () => NOW });
  const balance = async () => (await settler.treasury()).balance ?? 0n;

  beforeAll(async () => {
    chain = await startTestChain();
    settler = chainSettlerOn(chain);
    const database = openDatabase<OutboxTables>({ sqlitePath: join(mkdtempSync(join(tmpdir(), 'nexus-treasury-')), 'payment.sqlite') });
    marks = await createOutboxStore(database);
  }, 60_000);
  afterAll(async () => {
    await marks?.close();
    settler?.close();
    await chain?.stop();
  });

  it('fires once, critical, when a payment takes the balance below the floor, and not again on later checks or after a restart', async () => {
    const before = await balance();
    const floor = before - toBaseUnits('0.25');
    const first = monitor(floor);
    await expect(first.check()).resolves.toBeUndefined();
    expect(recorded).toEqual([]);

    const paid = await settler.settle(pendingPayment(chain, { amount: toBaseUnits('0.50') }), { onSubmitted: async () => {} });
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
    expect(recorded).toHaveLength(1);

    // the same day and floor: once, in this process and in the next one (the marks are in the store)
    await expect(first.check()).resolves.toBeUndefined();
    await expect(monitor(floor).check()).resolves.toBeUndefined();
    await expect(Promise.all([monitor(floor).check(), monitor(floor).check()])).resolves.toEqual([undefined, undefined]);
    expect(recorded).toHaveLength(1);
    expect((await marks.counts(TREASURY_ALERT_MARKS_TOPIC)).pending).toBe(1);

    // another floor is another alert
    await expect(monitor(before).check()).resolves.toMatchObject({ id: treasuryAlertId(NOW, before) });
    expect(recorded.map((event) => event.id)).toEqual([treasuryAlertId(NOW, floor), treasuryAlertId(NOW, before)]);
  }, 60_000);

  it('keeps quiet while the balance is at or above the floor', async () => {
    const count = recorded.length;
    await expect(monitor(await balance()).check()).resolves.toBeUndefined();
    expect(recorded).toHaveLength(count);
  });
});
