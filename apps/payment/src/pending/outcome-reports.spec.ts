import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PolicyClient } from '@nexus/clients';
import { createSilentLogger } from '@nexus/service-kit';
import { createOutboxStore, openDatabase, type Database, type OutboxStore, type OutboxTables, type PaymentRecord } from '@nexus/stores';
import { LATE_OUTCOME_TOPIC, LATE_REPORT_LEAD_MS, PolicyOutcomeReports } from './outcome-reports';

/** When the late report of a payment settled in the request falls due (its delivery is pending-driver.spec.ts's). */
describe('PolicyOutcomeReports: the late report of a payment settled while its caller waited', () => {
  let database: Database<OutboxTables>;
  let outbox: OutboxStore;
  let reports: PolicyOutcomeReports;

  beforeEach(async () => {
    database = openDatabase<OutboxTables>({ sqlitePath: join(mkdtempSync(join(tmpdir(), 'nexus-outcome-reports-')), 'outbox.sqlite') });
    outbox = await createOutboxStore(database);
    // never started: nothing is sent, the test only reads when the report falls due
    const policy = new PolicyClient({ baseUrl: 'http://127.0.0.1:9', token: 'unused' });
    reports = new PolicyOutcomeReports({ queue: outbox, policy, logger: createSilentLogger(), ledger: { get: async () => undefined } });
  });
  afterEach(async () => {
    await reports.close();
    await database.close();
  });

  const payment = (id: string): PaymentRecord => {
    const now = new Date();
    return {
      id,
      idempotencyKey: `key-${id}`,
      agentId: 'user-agent',
      serviceId: 'PRICE_ORACLE',
      payee: '0x0000000000000000000000000000000000000001',
      amount: 50_000_000_000_000_000n,
      decisionId: `dec-${id}`,
      reservationId: `res-${id}`,
      mode: 'chain',
      paymentRef: null,
      status: 'PENDING',
      txHash: null,
      txNonce: null,
      rawTx: null,
      blockNumber: null,
      gasUsed: null,
      failure: null,
      refund: null,
      attempts: 0,
      createdAt: now,
      updatedAt: now,
      settledAt: null,
    };
  };

  it('falls due shortly before the hold expires, so the hold is counted until the payment it paid is committed', async () => {
    const holdExpiresAt = new Date(Date.now() + 45_000);
    await reports.settlingInRequest(payment('a'), holdExpiresAt);
    expect((await outbox.nextAttemptAt(LATE_OUTCOME_TOPIC))?.getTime()).toBe(holdExpiresAt.getTime() - LATE_REPORT_LEAD_MS);
    expect(await outbox.counts(LATE_OUTCOME_TOPIC)).toEqual({ pending: 1, dead: 0 });
  });

  it('falls due at once when the hold is about to expire', async () => {
    const before = Date.now();
    await reports.settlingInRequest(payment('b'), new Date(before + 1_000));
    const due = (await outbox.nextAttemptAt(LATE_OUTCOME_TOPIC))?.getTime() ?? 0;
    expect(due).toBeGreaterThanOrEqual(before);
    expect(due).toBeLessThanOrEqual(Date.now());
  });
});
