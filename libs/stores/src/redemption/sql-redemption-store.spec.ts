import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Database } from '../database';
import { statementWork } from '../testing/statement-probes';
import { createTemporaryPostgres, type TemporaryPostgres } from '../testing/temporary-postgres';
import type { NewRedemption, RedemptionStore } from './redemption-store';
import type { RedemptionTables } from './redemption-tables';
import { createRedemptionStore } from './sql-redemption-store';

const T0 = new Date('2026-03-10T12:00:00.000Z');
const at = (offsetMs: number) => new Date(T0.getTime() + offsetMs);

function proof(overrides: Partial<NewRedemption> = {}): NewRedemption {
  return {
    paymentId: `pay_${randomBytes(16).toString('hex')}`,
    serviceId: 'IMAGE_GEN',
    variant: 'standard',
    amount: 500_000n,
    txHash: `0x${randomBytes(32).toString('hex').toUpperCase()}`,
    paymentRef: `0x${randomBytes(32).toString('hex')}`,
    requestId: 'req-1',
    ...overrides,
  };
}

describe.each(['sqlite', 'postgres'] as const)('redemptions on %s', (dialect) => {
  let store: RedemptionStore;
  let database: Database<RedemptionTables>;
  let postgres: TemporaryPostgres | undefined;

  beforeEach(async () => {
    postgres = dialect === 'postgres' ? await createTemporaryPostgres('nexus_redemption') : undefined;
    database = openDatabase<RedemptionTables>(
      postgres ? { databaseUrl: postgres.url } : { sqlitePath: join(mkdtempSync(join(tmpdir(), 'nexus-redemptions-')), 'p.sqlite') },
    );
    store = await createRedemptionStore(database);
  });
  afterEach(async () => {
    await database.close();
    await postgres?.drop();
  });

  it('redeems a proof once and hands back the first redemption on a second try', async () => {
    const first = proof();
    const taken = await store.redeem(first, T0);
    const again = await store.redeem({ ...first, variant: 'draft', requestId: 'req-2' }, at(10));

    expect(taken).toMatchObject({ redeemed: true, redemption: { status: 'REDEEMED', variant: 'standard', amount: 500_000n } });
    expect(taken.redeemed && taken.redemption.txHash).toBe(first.txHash?.toLowerCase());
    expect(again).toMatchObject({ redeemed: false, existing: { variant: 'standard', requestId: 'req-1' } });
  });

  it('builds and compiles no statement of a paid call per call: each was compiled once, and stays prepared', async () => {
    /** What paid calls ask of the redemptions: the earlier look, the redemption (and a second try), served. */
    const paidCalls = async () => {
      const taken = proof();
      await store.get(taken.paymentId);
      await store.redeem(taken, T0);
      await store.redeem(taken, at(1));
      await store.markServed(taken.paymentId, at(2));
    };
    await paidCalls();
    const work = await statementWork(paidCalls);
    expect(work.compiled).toBe(0);
    if (dialect === 'postgres') {
      expect(work.sent.length).toBeGreaterThan(0);
      expect(work.sent.every((query) => query.named)).toBe(true); // parsed and planned once per connection
    } else {
      expect(work.prepared).toBe(0);
    }
  });

  it('lets exactly one of 25 racing redemptions of one proof through', async () => {
    const shared = proof();
    const outcomes = await Promise.all(Array.from({ length: 25 }, (_, i) => store.redeem({ ...shared, requestId: `req-${i}` }, T0)));
    expect(outcomes.filter((outcome) => outcome.redeemed)).toHaveLength(1);
    expect((await store.counts()).REDEEMED).toBe(1);
  });

  it('moves a redemption to SERVED once, and a served call can no longer be refunded', async () => {
    const served = proof();
    await store.redeem(served, T0);
    await store.markServed(served.paymentId, at(5));

    expect(await store.get(served.paymentId)).toMatchObject({ status: 'SERVED', finishedAt: at(5) });
    expect(await store.markRefund(served.paymentId, { status: 'REFUNDED', txHash: null, reason: 'late', ledgerSynced: true }, at(6))).toBe(
      undefined,
    );
  });

  it('records a refund, retries a failed one, and lists refunds the ledger has yet to hear of', async () => {
    const failed = proof();
    const unsynced = proof();
    await store.redeem(failed, T0);
    await store.redeem(unsynced, at(1));
    await store.markRefund(failed.paymentId, { status: 'REFUND_FAILED', txHash: null, reason: 'rpc down', ledgerSynced: true }, at(2));
    const retried = await store.markRefund(
      failed.paymentId,
      { status: 'REFUNDED', txHash: `0x${'ab'.repeat(32)}`, reason: 'handler failed', ledgerSynced: true },
      at(3),
    );
    await store.markRefund(
      unsynced.paymentId,
      { status: 'REFUNDED', txHash: `0x${'cd'.repeat(32)}`, reason: 'boom', ledgerSynced: false },
      at(4),
    );

    expect(retried).toMatchObject({ status: 'REFUNDED', refund: { reason: 'handler failed' }, ledgerSynced: true });
    expect((await store.unsyncedRefunds(10)).map((r) => r.paymentId)).toEqual([unsynced.paymentId]);
    await store.markLedgerSynced(unsynced.paymentId);
    expect(await store.unsyncedRefunds(10)).toEqual([]);
    expect(await store.counts()).toEqual({ REDEEMED: 0, SERVED: 0, REFUNDED: 2, REFUND_FAILED: 0 });
  });
});
