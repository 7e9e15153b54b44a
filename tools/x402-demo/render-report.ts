import type { X402DemoReport } from './report';

/** The report as a few plain lines: what happened, then what was checked. */
export function renderX402Report(report: X402DemoReport): string {
  const { offer, paid, balances, api } = report;
  const lines = [
    `payer     ${report.payer}, funded with ${report.funding.amount} MNEE (tx ${report.funding.txHash})`,
    offer
      ? `offer     402: ${offer.scheme} on ${offer.network}, asset ${offer.asset}, payTo ${offer.payTo}, ${offer.amount} MNEE`
      : 'offer     402 without an exact offer on the local chain',
    paid.status === 200 ? `price     ${paid.base ?? '?'} = ${paid.price ?? '?'}` : `paid call answered ${paid.status}`,
    `settled   tx ${paid.transaction ?? 'none (no PAYMENT-RESPONSE)'}`,
    `balances  payer  ${balances.payer.before} -> ${balances.payer.after} MNEE`,
    `          payee  ${balances.payee.before} -> ${balances.payee.after} MNEE (${balances.payee.address || 'unknown'})`,
    `replay    same PAYMENT-SIGNATURE again: ${report.replay.status}${report.replay.status === 402 ? ' (refused)' : ''}`,
    '',
    `${api.serviceId} (x402 API at ${api.url}), paid by user-agent through the gateway:`,
    `paid      ${api.paid.status} ${api.paid.action ?? '?'} ${api.paid.amount ?? '?'} MNEE, payment ${api.paid.payment ?? 'none'}, tx ${api.paid.transaction ?? 'none'}`,
    `balances  treasury  ${api.balances.treasury.before} -> ${api.balances.treasury.after} MNEE`,
    `          payTo     ${api.balances.payTo.before} -> ${api.balances.payTo.after} MNEE (${api.balances.payTo.address})`,
    `above max ${api.aboveMax.status} ${api.aboveMax.action ?? '?'} ${api.aboveMax.reason ?? ''} (asked ${api.aboveMax.amount ?? '?'} MNEE)`.trimEnd(),
    '',
    'checked:',
    ...report.checks.map((check) => `  ${check.ok ? 'ok  ' : 'FAIL'}  ${check.name}${check.ok ? '' : ` (${check.detail})`}`),
    '',
  ];
  const failed = report.checks.filter((check) => !check.ok).length;
  lines.push(
    failed === 0 ? `x402 demo: all ${report.checks.length} checks passed` : `x402 demo: ${failed} of ${report.checks.length} checks failed`,
  );
  return `${lines.join('\n')}\n`;
}
