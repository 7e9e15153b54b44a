import { z } from 'zod';
import { AgentEvent, AlertEvent, ApprovalEvent, DecisionEvent, TransactionEvent } from '@nexus/types';
import type { LiveEvent } from '../../live/live-stream';

/** What a feed item says: a headline, the line under it, and a tone for its badge. */
export interface EventSummary {
  headline: string;
  detail: string;
  tone: 'ok' | 'warn' | 'bad' | 'muted';
  txHash: string | null;
}

// the parts of each logged event the feed shows, read leniently (the stream adds fields such as recordedAt)
const Decision = z.object(DecisionEvent.pick({ action: true, reason: true, amount: true, variant: true, message: true }).shape);
const Transaction = z.object(TransactionEvent.pick({ status: true, amount: true, txHash: true, reason: true, paymentId: true }).shape);
const Alert = z.object(AlertEvent.pick({ alertType: true, severity: true, message: true }).shape);
const Approval = z.object(ApprovalEvent.pick({ status: true, amount: true, approvalId: true }).shape);
const Agent = z.object(AgentEvent.pick({ change: true, message: true }).shape);

const who = (event: LiveEvent) => [event.agentId, event.serviceId].filter(Boolean).join(' → ');
const mnee = (amount: string | null) => (amount === null ? '' : `${amount} MNEE`);

/** The feed's words for one event: from the event as the API sends it, nothing computed. */
export function describeEvent(event: LiveEvent): EventSummary {
  const none = { headline: event.type, detail: who(event), tone: 'muted' as const, txHash: null };
  switch (event.type) {
    case 'decision': {
      const decision = Decision.safeParse(event.event);
      if (!decision.success) return none;
      const { action, reason, amount, variant, message } = decision.data;
      const tone = action === 'REJECTED' ? 'bad' : action === 'ALLOWED' ? 'ok' : 'warn';
      return { headline: `${action} ${reason}`, detail: `${who(event)} ${variant ?? ''} ${mnee(amount)} — ${message}`, tone, txHash: null };
    }
    case 'payment':
    case 'refund': {
      const payment = Transaction.safeParse(event.event);
      if (!payment.success) return none;
      const { status, amount, txHash, reason } = payment.data;
      const tone = status === 'FAILED' ? 'bad' : status === 'REFUNDED' ? 'warn' : 'ok';
      const why = reason === null ? '' : ` (${reason})`;
      return {
        headline: `${event.type === 'refund' ? 'Refund' : 'Payment'} ${status}`,
        detail: `${who(event)} ${mnee(amount)}${why}`,
        tone,
        txHash,
      };
    }
    case 'alert': {
      const alert = Alert.safeParse(event.event);
      if (!alert.success) return none;
      const tone = alert.data.severity === 'critical' ? 'bad' : alert.data.severity === 'warning' ? 'warn' : 'muted';
      return { headline: `Alert ${alert.data.alertType}`, detail: alert.data.message, tone, txHash: null };
    }
    case 'approval': {
      const approval = Approval.safeParse(event.event);
      if (!approval.success) return none;
      const { status, amount, approvalId } = approval.data;
      const tone = status === 'COMPLETED' || status === 'APPROVED' ? 'ok' : status === 'PENDING' ? 'warn' : 'bad';
      return { headline: `Approval ${status}`, detail: `${who(event)} ${mnee(amount)} (${approvalId})`, tone, txHash: null };
    }
    case 'agent': {
      const agent = Agent.safeParse(event.event);
      if (!agent.success) return none;
      return {
        headline: `Agent ${agent.data.change.replace('_', ' ')}`,
        detail: `${event.agentId ?? ''} — ${agent.data.message}`,
        tone: 'muted',
        txHash: null,
      };
    }
  }
}
