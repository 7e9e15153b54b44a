import type { Payment, TransactionStatus } from '@nexus/types';
import { Findings, groupBy, mnee, netUnits, plural, sumOf, units, type CheckOutcome } from '../findings';
import type { LedgerSnapshot, LoggerSnapshot, TransactionLogEvent } from '../snapshots';
import { auditAgentOf } from './x402-payments';

const CHARGED: ReadonlySet<TransactionStatus> = new Set(['SUCCESS', 'MOCK']);

/**
 * The ledger against the audit trail. The gateway logs one transaction event
 * per status a payment reaches (a refunded payment: SUCCESS or MOCK, then
 * REFUNDED), so the latest logged status is the refund when there is one.
 * Every final payment is logged with its status and amount, every logged
 * payment exists, and the totals and GET /stats agree with the ledger.
 */
export function checkLedgerLogger(ledger: LedgerSnapshot, logger: LoggerSnapshot): CheckOutcome {
  const findings = new Findings('ledger-logger');
  const payments = new Map(ledger.payments.map((payment) => [payment.id, payment]));
  const logged = groupBy(logger.transactions, (event) => event.paymentId);

  for (const event of logger.transactions) {
    if (event.paymentId === null)
      findings.disagree('LOGGED_PAYMENT_UNKNOWN', { type: 'event', id: event.id }, 'a transaction event names no payment', {
        logger: `${event.status} ${event.amount} for ${event.agentId} / ${event.serviceId} at ${event.occurredAt}`,
      });
  }
  for (const [paymentId, events] of logged) {
    const latest = latestOf(events);
    if (payments.has(paymentId) || !latest) continue;
    findings.disagree('LOGGED_PAYMENT_UNKNOWN', { type: 'payment', id: paymentId }, 'the logger has a payment the ledger does not', {
      ledger: 'no such payment',
      logger: `${latest.status} ${latest.amount} (event ${latest.id})`,
    });
  }

  for (const payment of ledger.payments) comparePayment(findings, payment, logged.get(payment.id) ?? []);

  // Totals: what the ledger charged and refunded, against the events and against GET /stats.
  const final = ledger.payments.filter((p) => p.status !== 'PENDING');
  const ledgerPaid = sumOf(
    final.filter((p) => p.status !== 'FAILED'),
    (p) => units(p.amount),
  );
  const ledgerRefunded = sumOf(
    final.filter((p) => p.status === 'REFUNDED'),
    (p) => units(p.amount),
  );
  const loggedPaid = sumOf(
    logger.transactions.filter((e) => CHARGED.has(e.status)),
    (e) => units(e.amount),
  );
  const loggedRefunded = sumOf(
    logger.transactions.filter((e) => e.status === 'REFUNDED'),
    (e) => units(e.amount),
  );
  const ledgerNet = ledgerPaid - ledgerRefunded;
  const totals = {
    paid: [ledgerPaid, loggedPaid],
    refunded: [ledgerRefunded, loggedRefunded],
    net: [ledgerNet, loggedPaid - loggedRefunded],
  };
  for (const [name, [mine, theirs]] of Object.entries(totals)) {
    if (mine !== theirs)
      findings.disagree('TOTAL_DIFFERS', { type: 'total', id: name }, `${name} differs between the ledger and the logger's events`, {
        ledger: mnee(mine ?? 0n),
        logger: mnee(theirs ?? 0n),
      });
  }
  compareStats(findings, final, logger);

  const agree = findings.discrepancies.length === 0;
  const pending = findings.inFlight.length;
  return {
    summary:
      `${plural(final.length, 'final payment')}, ${plural(logger.transactions.length, 'transaction event')}: ` +
      (agree
        ? `paid ${mnee(ledgerPaid)}, refunded ${mnee(ledgerRefunded)}, net ${mnee(ledgerNet)} in the ledger, the events and GET /stats`
        : `ledger net ${mnee(ledgerNet)}, logged net ${mnee(loggedPaid - loggedRefunded)}, GET /stats ${logger.stats.totalSpent}`) +
      (pending > 0 ? ` (${plural(pending, 'payment')} pending)` : ''),
    amounts: {
      ledger: { paid: mnee(ledgerPaid), refunded: mnee(ledgerRefunded), net: mnee(ledgerNet) },
      logger: { paid: mnee(loggedPaid), refunded: mnee(loggedRefunded), net: mnee(loggedPaid - loggedRefunded) },
      stats: { net: logger.stats.totalSpent },
    },
    counts: {
      ledger: { payments: ledger.payments.length, final: final.length },
      logger: { events: logger.transactions.length, payments: logged.size },
    },
    findings,
  };
}

/** The status an audit trail ends on: the refund when there is one, else the latest settlement or failure. */
function latestOf(events: readonly TransactionLogEvent[]): TransactionLogEvent | undefined {
  const refund = events.find((e) => e.status === 'REFUNDED');
  if (refund) return refund;
  return [...events].sort((a, b) => b.occurredAt.localeCompare(a.occurredAt) || b.recordedAt.localeCompare(a.recordedAt))[0];
}

function comparePayment(findings: Findings, payment: Payment, events: TransactionLogEvent[]): void {
  const record = { type: 'payment' as const, id: payment.id };
  const ledgerSays = `${payment.status} ${payment.amount} for ${auditAgentOf(payment)} / ${payment.serviceId}`;
  if (events.length === 0) {
    if (payment.status === 'PENDING') findings.flying('PAYMENT_PENDING', record, 'ledger says PENDING; nothing is logged until it settles');
    else
      findings.disagree('PAYMENT_NOT_LOGGED', record, 'the ledger has a payment the logger does not', {
        ledger: ledgerSays,
        logger: 'no event',
      });
    return;
  }
  const byStatus = groupBy(events, (e) => e.status);
  for (const [status, same] of byStatus) {
    if (same.length > 1)
      findings.disagree('LOGGED_TWICE', record, `the logger has ${same.length} ${status} events for one payment`, {
        ledger: ledgerSays,
        logger: same.map((e) => e.id).join(', '),
      });
  }
  if (byStatus.has('REFUNDED') && !events.some((e) => CHARGED.has(e.status)))
    findings.disagree('LOGGED_REFUND_WITHOUT_PAYMENT', record, 'the logger has the refund of this payment but not the payment it undoes', {
      ledger: ledgerSays,
      logger: events.map((e) => e.status).join(', '),
    });

  const latest = latestOf(events);
  if (latest && latest.status !== payment.status)
    findings.disagree('LOGGED_STATUS_DIFFERS', record, `ledger says ${payment.status}, the logger's latest event says ${latest.status}`, {
      ledger: ledgerSays,
      logger: `${latest.status} ${latest.amount} (event ${latest.id})`,
    });
  for (const event of events) {
    if (units(event.amount) !== units(payment.amount))
      findings.disagree('LOGGED_AMOUNT_DIFFERS', record, `the ${event.status} event's amount differs from the ledger's`, {
        ledger: ledgerSays,
        logger: `${event.status} ${event.amount} (event ${event.id})`,
      });
    if (event.agentId !== auditAgentOf(payment) || event.serviceId !== payment.serviceId)
      findings.disagree('LOGGED_PAYMENT_DIFFERS', record, `the ${event.status} event names another agent or service`, {
        ledger: ledgerSays,
        logger: `${event.status} for ${event.agentId} / ${event.serviceId} (event ${event.id})`,
      });
  }
}

/** GET /stats against the ledger: net spend, counts, and net spend per agent and per service. */
function compareStats(findings: Findings, final: Payment[], logger: LoggerSnapshot): void {
  const { stats } = logger;
  const money = (id: string, what: string, ledger: bigint, logged: string) => {
    if (ledger !== netUnits(logged))
      findings.disagree('STATS_DIFFERS', { type: 'total', id }, `GET /stats ${what} differs from the ledger`, {
        ledger: mnee(ledger),
        stats: logged,
      });
  };
  const count = (id: string, ledger: number, logged: number) => {
    if (ledger !== logged)
      findings.disagree('STATS_DIFFERS', { type: 'total', id }, `GET /stats ${id} differs from the ledger`, {
        ledger: String(ledger),
        stats: String(logged),
      });
  };
  const charged = final.filter((p) => p.status !== 'FAILED');
  const net = (p: Payment) => (p.status === 'REFUNDED' ? 0n : units(p.amount));
  money('totalSpent', 'totalSpent', sumOf(charged, net), stats.totalSpent);
  count('transactions.successful', charged.length, stats.transactions.successful);
  count('transactions.failed', final.length - charged.length, stats.transactions.failed);
  count('transactions.refunded', final.filter((p) => p.status === 'REFUNDED').length, stats.transactions.refunded);
  for (const [key, field] of [
    ['agentId', 'spendByAgent'],
    ['serviceId', 'revenueByService'],
  ] as const) {
    const mine = new Map<string, bigint>();
    const keyOf = (payment: Payment) => (key === 'agentId' ? auditAgentOf(payment) : payment[key]);
    for (const payment of charged) mine.set(keyOf(payment), (mine.get(keyOf(payment)) ?? 0n) + net(payment));
    const theirs = stats[field];
    for (const id of new Set([...mine.keys(), ...Object.keys(theirs)])) {
      money(`${field}.${id}`, `${field} of ${id}`, mine.get(id) ?? 0n, theirs[id] ?? '0');
    }
  }
}
