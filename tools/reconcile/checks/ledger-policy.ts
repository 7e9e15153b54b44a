import type { Payment, Reservation } from '@nexus/types';
import { Findings, groupBy, mnee, plural, sumOf, units, type CheckOutcome } from '../findings';
import type { LedgerSnapshot, PolicySnapshot } from '../snapshots';
import { grantPaymentsOf } from './x402-payments';

/**
 * The ledger against the policy's holds, as the paid-call pipeline settles
 * them: a charged payment (SUCCESS, MOCK) commits its hold at the payment's
 * amount; a payment that failed or was refunded releases it (nothing was
 * charged); a PENDING payment or a timeout keeps the hold as spend. A hold
 * still HELD is a call (or a queued settlement) in flight. Per agent, this
 * period's spentToday and reserved are the sums of its committed and held holds.
 */
export function checkLedgerPolicy(allOfLedger: LedgerSnapshot, policy: PolicySnapshot, staleness?: Staleness): CheckOutcome {
  // x402 payments have no decision or hold: the policy knows nothing of them
  const ledger = { ...allOfLedger, payments: grantPaymentsOf(allOfLedger.payments) };
  const findings = new Findings('ledger-policy');
  const stale = staleCheck(staleness);
  const holdsById = new Map(policy.reservations.map((hold) => [hold.id, hold]));
  const holdsByDecision = groupBy(policy.reservations, (hold) => hold.decisionId);
  const paymentsByDecision = groupBy(ledger.payments, (payment) => payment.decisionId);
  const paid = new Set<string>();

  for (const [decisionId, payments] of paymentsByDecision) {
    const moving = payments.filter((p) => p.status === 'SUCCESS' || p.status === 'MOCK' || p.status === 'PENDING');
    if (moving.length > 1)
      findings.disagree('DOUBLE_CHARGE', { type: 'decision', id: decisionId }, `${moving.length} payments were made for one decision`, {
        ledger: moving.map((p) => `${p.id} ${p.status} ${p.amount}`).join('; '),
      });
  }

  for (const payment of ledger.payments) {
    const hold = (payment.reservationId ? holdsById.get(payment.reservationId) : undefined) ?? holdsByDecision.get(payment.decisionId)?.[0];
    if (hold) paid.add(hold.id);
    if (payment.status === 'PENDING' && stale(payment.createdAt)) {
      findings.disagree(
        'PAYMENT_STUCK_PENDING',
        { type: 'payment', id: payment.id },
        `payment PENDING since ${payment.createdAt}, longer than ${staleness?.afterSeconds ?? 0} s: nothing has driven it to its end`,
        { ledger: `PENDING ${payment.amount} for ${payment.agentId} / ${payment.serviceId}`, ...(hold ? { policy: holdSays(hold) } : {}) },
      );
      continue;
    }
    if (hold?.status === 'HELD' && stale(hold.createdAt)) {
      findings.disagree('HOLD_STUCK_HELD', { type: 'reservation', id: hold.id }, stuckHeld(hold, staleness), {
        ledger: `${payment.status} ${payment.amount}`,
        policy: holdSays(hold),
      });
      continue;
    }
    comparePayment(findings, payment, hold);
  }

  for (const hold of policy.reservations) {
    if (paid.has(hold.id)) continue;
    const record = { type: 'reservation' as const, id: hold.id };
    if (hold.status === 'COMMITTED')
      findings.disagree(
        'SPENT_WITHOUT_PAYMENT',
        record,
        'the policy counts this hold as spent but the ledger has no payment for its decision',
        {
          policy: holdSays(hold),
          ledger: `no payment for decision ${hold.decisionId}`,
        },
      );
    else if (hold.status === 'HELD' && stale(hold.createdAt))
      findings.disagree('HOLD_STUCK_HELD', record, stuckHeld(hold, staleness), { policy: holdSays(hold) });
    else if (hold.status === 'HELD')
      findings.flying(
        'HOLD_IN_FLIGHT',
        record,
        `${hold.amount} held for ${hold.agentId} / ${hold.serviceId} until ${hold.expiresAt}; not paid yet`,
      );
  }

  for (const agent of policy.agents) {
    const mine = policy.reservations.filter((hold) => hold.agentId === agent.id && hold.periodId === agent.periodId);
    const committed = sumOf(
      mine.filter((hold) => hold.status === 'COMMITTED'),
      (hold) => units(hold.committedAmount ?? hold.amount),
    );
    const held = sumOf(
      mine.filter((hold) => hold.status === 'HELD'),
      (hold) => units(hold.amount),
    );
    const record = { type: 'agent' as const, id: agent.id };
    if (units(agent.spentToday) !== committed)
      findings.disagree('AGENT_SPEND_DIFFERS', record, `spentToday of period ${agent.periodId} is not the sum of its committed holds`, {
        policy: `spentToday ${agent.spentToday}; committed holds ${mnee(committed)}`,
      });
    if (units(agent.reserved) !== held)
      findings.disagree('AGENT_RESERVED_DIFFERS', record, `reserved of period ${agent.periodId} is not the sum of its held holds`, {
        policy: `reserved ${agent.reserved}; held holds ${mnee(held)}`,
      });
  }

  const charged = sumOf(
    ledger.payments.filter((p) => p.status === 'SUCCESS' || p.status === 'MOCK'),
    (p) => units(p.amount),
  );
  const pending = sumOf(
    ledger.payments.filter((p) => p.status === 'PENDING'),
    (p) => units(p.amount),
  );
  const committed = sumOf(
    policy.reservations.filter((hold) => hold.status === 'COMMITTED'),
    (hold) => units(hold.committedAmount ?? hold.amount),
  );
  const held = sumOf(
    policy.reservations.filter((hold) => hold.status === 'HELD'),
    (hold) => units(hold.amount),
  );
  const spentThisPeriod = sumOf(policy.agents, (agent) => units(agent.spentToday));
  const reservedThisPeriod = sumOf(policy.agents, (agent) => units(agent.reserved));
  const flying = findings.inFlight.length;
  return {
    summary:
      `${plural(policy.reservations.length, 'hold')}, ${plural(ledger.payments.length, 'payment')}: charged ${mnee(charged)}` +
      `${pending > 0n ? ` (+${mnee(pending)} pending)` : ''}, committed ${mnee(committed)}; period ${policy.periodId ?? '-'} spent ${mnee(spentThisPeriod)}` +
      (flying > 0 ? `, ${plural(flying, 'record')} in flight (${mnee(held)} held)` : ''),
    amounts: {
      ledger: { charged: mnee(charged), pending: mnee(pending) },
      policy: {
        committed: mnee(committed),
        held: mnee(held),
        spentThisPeriod: mnee(spentThisPeriod),
        reservedThisPeriod: mnee(reservedThisPeriod),
      },
    },
    counts: {
      ledger: { payments: ledger.payments.length },
      policy: { holds: policy.reservations.length, agents: policy.agents.length },
    },
    findings,
  };
}

/** A record in flight for longer than `afterSeconds` before `now` (the snapshot's time) is stuck: a finding, not a call under way. */
export interface Staleness {
  now: Date;
  afterSeconds: number;
}

function staleCheck(staleness: Staleness | undefined): (since: string) => boolean {
  if (!staleness) return () => false;
  const limit = staleness.now.getTime() - staleness.afterSeconds * 1000;
  return (since) => Date.parse(since) < limit;
}

const stuckHeld = (hold: Reservation, staleness: Staleness | undefined) =>
  `hold HELD since ${hold.createdAt}, longer than ${staleness?.afterSeconds ?? 0} s: no call or settlement is still under way for it`;

const holdSays = (hold: Reservation) =>
  `hold ${hold.id} ${hold.status} ${hold.status === 'COMMITTED' ? (hold.committedAmount ?? hold.amount) : hold.amount} for ${hold.agentId} / ${hold.serviceId}`;

function comparePayment(findings: Findings, payment: Payment, hold: Reservation | undefined): void {
  const record = { type: 'payment' as const, id: payment.id };
  const ledgerSays = `${payment.status} ${payment.amount} for ${payment.agentId} / ${payment.serviceId}`;
  if (!hold) {
    if (payment.status !== 'FAILED')
      findings.disagree('PAYMENT_WITHOUT_HOLD', record, `the policy has no hold for this payment's decision ${payment.decisionId}`, {
        ledger: ledgerSays,
        policy: `no hold for decision ${payment.decisionId}`,
      });
    return;
  }
  if (hold.agentId !== payment.agentId || hold.serviceId !== payment.serviceId || units(hold.amount) !== units(payment.amount))
    findings.disagree('HOLD_DIFFERS', record, 'the payment and its hold name another agent, service or amount', {
      ledger: ledgerSays,
      policy: `hold ${hold.id} of ${hold.amount} for ${hold.agentId} / ${hold.serviceId}`,
    });
  const sides = { ledger: ledgerSays, policy: holdSays(hold) };
  if (hold.status === 'HELD') {
    findings.flying(
      'HOLD_IN_FLIGHT',
      record,
      `payment ${payment.status}; its hold ${hold.id} is still HELD (the call or its settlement is under way)`,
    );
    return;
  }
  switch (payment.status) {
    case 'SUCCESS':
    case 'MOCK':
      if (hold.status !== 'COMMITTED')
        findings.disagree(
          'CHARGED_HOLD_NOT_COMMITTED',
          record,
          `the payment was charged but its hold is ${hold.status}: spend the policy does not count`,
          sides,
        );
      else if (units(hold.committedAmount ?? hold.amount) !== units(payment.amount))
        findings.disagree('COMMITTED_AMOUNT_DIFFERS', record, 'the hold was committed at another amount than the payment', sides);
      break;
    case 'REFUNDED':
      if (hold.status === 'COMMITTED')
        findings.disagree(
          'REFUNDED_HOLD_COMMITTED',
          record,
          'the payment was refunded but its hold is committed: the policy counts spend the treasury got back',
          sides,
        );
      break;
    case 'FAILED':
      if (hold.status === 'COMMITTED')
        findings.disagree(
          'FAILED_HOLD_COMMITTED',
          record,
          'the payment failed but its hold is committed: the policy counts spend that never moved',
          sides,
        );
      break;
    case 'PENDING':
      findings.flying('PAYMENT_PENDING', record, `payment PENDING; its hold is ${hold.status} (a pending payment keeps its hold as spend)`);
      break;
  }
}
