import { randomUUID } from 'node:crypto';
import type { GatewayClient } from '@nexus/clients';
import type { DemoApproval, DemoCheck } from './demo-report';

/** Below one PRICE_ORACLE query (0.05), so the query waits for the admin. */
export const DEMO_APPROVAL_THRESHOLD = '0.01';

const check = (id: string, description: string, expected: string, seen: string): DemoCheck => ({
  id,
  description,
  expected,
  seen,
  ok: expected === seen,
});

/**
 * Human approval above a threshold, with the admin key: user-agent gets a
 * threshold below a price query, asks for one (202: held, waiting), the
 * admin approves and the call runs once (COMPLETED, paid). The threshold is
 * cleared again whatever happens.
 */
export async function playApproval(client: GatewayClient, keys: { admin: string; user: string }): Promise<DemoApproval> {
  const agentId = 'user-agent';
  const serviceId = 'PRICE_ORACLE';
  await client.setBudget(keys.admin, agentId, { approvalAbove: DEMO_APPROVAL_THRESHOLD });
  try {
    const asked = await client.invoke(keys.user, serviceId, { input: { base: 'ETH' } }, `demo-approval-${randomUUID()}`);
    const answer = asked.ok ? asked.answer : null;
    const waiting = answer?.approval ?? null;
    const approved = waiting ? await client.approve(keys.admin, waiting.id, 'approved by the demo') : null;
    const paid = approved?.outcome && 'payment' in approved.outcome.body ? approved.outcome.body.payment : null;
    const payment = paid ? { id: paid.id, status: paid.status, amount: paid.amount, txHash: paid.txHash } : null;
    const checks = [
      check(
        'approval.waits',
        'a query above the threshold waits for approval, its amount held',
        '202 PENDING_APPROVAL PENDING',
        [asked.status, answer?.decision.action ?? '-', waiting?.status ?? '-'].join(' '),
      ),
      check(
        'approval.runs',
        'the approve runs the call once and keeps its answer',
        'COMPLETED, paid',
        `${approved?.status ?? 'not approved'}, ${payment ? 'paid' : 'nothing paid'}`,
      ),
    ];
    return {
      agentId,
      serviceId,
      threshold: DEMO_APPROVAL_THRESHOLD,
      decisionId: answer?.decision.id ?? null,
      approvalId: waiting?.id ?? null,
      asked: { status: asked.status, approvalStatus: waiting?.status ?? null, action: answer?.decision.action ?? null },
      approvedStatus: approved?.status ?? null,
      payment,
      checks,
      ok: checks.every((c) => c.ok),
    };
  } finally {
    await client.setBudget(keys.admin, agentId, { approvalAbove: null });
  }
}
