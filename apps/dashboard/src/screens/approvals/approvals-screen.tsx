import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import type { Approval } from '@nexus/types';
import { errorText } from '../../api/api-error';
import { QueryKey } from '../../api/query-keys';
import { useSession } from '../../session/session';
import { formatTime } from '../../ui/format';
import { QueryView } from '../../ui/query-view';
import { ListTable } from '../../ui/list-table';

type Answer = 'approve' | 'deny';

/** "in 4 min", "in 30 s", "2 min ago": how far a time is from now, for the operator's eye only. */
export function relativeTime(iso: string, now: number): string {
  const ms = new Date(iso).getTime() - now;
  if (Number.isNaN(ms)) return iso;
  const seconds = Math.round(Math.abs(ms) / 1000);
  const text = seconds < 60 ? `${seconds} s` : seconds < 3600 ? `${Math.round(seconds / 60)} min` : `${Math.round(seconds / 360) / 10} h`;
  return ms >= 0 ? `in ${text}` : `${text} ago`;
}

/** The time now, renewed every `everyMs` (the expiry countdowns follow it). */
function useNow(everyMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}

/** What the answered approval came to, in words: its status and, once run, the payment or the error. */
export function outcomeText(approval: Approval): string {
  const parts = [`Approval ${approval.id} is ${approval.status}`];
  const body = approval.outcome?.body;
  if (body !== undefined) {
    if (body.payment) parts.push(`payment ${body.payment.id} of ${body.payment.amount} MNEE (${body.payment.status})`);
    if ('error' in body && body.error) parts.push(`${body.error.code}: ${body.error.message}`);
  }
  if (approval.status !== 'COMPLETED' && approval.reason) parts.push(`reason: ${approval.reason}`);
  return parts.join(' · ');
}

/** The calls waiting for an operator (admin only): approve runs the call now, deny releases the hold. */
export function ApprovalsScreen() {
  const { api, isAdmin } = useSession();
  const queries = useQueryClient();
  const now = useNow(15_000);
  const [reasons, setReasons] = useState<Record<string, string>>({});
  const [last, setLast] = useState<Approval | null>(null);

  const pending = useQuery({
    queryKey: [QueryKey.approvals, 'PENDING'],
    queryFn: () => api.approvals({ status: 'PENDING' }),
    enabled: isAdmin,
  });
  const recent = useQuery({
    queryKey: [QueryKey.approvals, 'recent'],
    queryFn: () => api.approvals({ limit: 50 }),
    enabled: isAdmin,
  });

  const answer = useMutation({
    mutationFn: ({ id, action, reason }: { id: string; action: Answer; reason?: string }) =>
      action === 'approve' ? api.approve(id, reason) : api.deny(id, reason),
    onSuccess: async (approval) => {
      setLast(approval);
      setReasons((typed) => {
        const others = { ...typed };
        delete others[approval.id];
        return others;
      });
      await Promise.all(
        [QueryKey.approvals, QueryKey.agents, QueryKey.treasury].map((key) => queries.invalidateQueries({ queryKey: [key] })),
      );
    },
  });

  if (!isAdmin)
    return (
      <>
        <h1>Approvals</h1>
        <p className="muted">Approvals are the admin&apos;s: an agent key cannot see or answer them.</p>
      </>
    );

  const send = (id: string, action: Answer) => {
    const reason = reasons[id]?.trim();
    answer.mutate({ id, action, reason: reason === '' ? undefined : reason });
  };
  const busy = (id: string) => answer.isPending && answer.variables.id === id;

  return (
    <>
      <h1>Approvals</h1>
      <p className="muted">Calls above an agent&apos;s approval threshold wait here. Approve runs the call now; deny releases the hold.</p>

      {last !== null && (
        <p
          role="status"
          className={last.status === 'COMPLETED' ? 'ok' : last.status === 'FAILED' ? 'error' : 'muted'}
          data-testid="approval-outcome"
        >
          {outcomeText(last)}
        </p>
      )}
      {answer.isError && (
        <p role="alert" className="error">
          Could not {answer.variables.action} {answer.variables.id}: {errorText(answer.error)}
        </p>
      )}

      <section className="card" aria-labelledby="approvals-pending">
        <h2 id="approvals-pending">Pending</h2>
        <QueryView query={pending} what="pending approvals">
          {(page) => (
            <ListTable
              items={page.items}
              empty={<span data-testid="approvals-empty">No approvals are waiting.</span>}
              columns={['Amount', 'Agent', 'Service', 'Variant', 'Created', 'Expires', 'Answer']}
              row={(approval) => {
                const reasonId = `approval-reason-${approval.id}`;
                return (
                  <tr key={approval.id} data-testid={`approval-row-${approval.id}`}>
                    <td>{approval.amount} MNEE</td>
                    <td>{approval.agentId}</td>
                    <td>{approval.serviceId}</td>
                    <td>{approval.variant}</td>
                    <td>{formatTime(approval.createdAt)}</td>
                    <td title={formatTime(approval.expiresAt)}>
                      {new Date(approval.expiresAt).getTime() > now ? 'expires' : 'expired'} {relativeTime(approval.expiresAt, now)}
                    </td>
                    <td>
                      <div className="toolbar">
                        <label htmlFor={reasonId}>Reason</label>
                        <input
                          id={reasonId}
                          data-testid={reasonId}
                          placeholder="optional"
                          maxLength={500}
                          value={reasons[approval.id] ?? ''}
                          onChange={(event) => setReasons({ ...reasons, [approval.id]: event.target.value })}
                        />
                        <button
                          type="button"
                          data-testid={`approval-approve-${approval.id}`}
                          disabled={busy(approval.id)}
                          onClick={() => send(approval.id, 'approve')}
                        >
                          Approve
                        </button>
                        <button
                          type="button"
                          className="danger"
                          data-testid={`approval-deny-${approval.id}`}
                          disabled={busy(approval.id)}
                          onClick={() => send(approval.id, 'deny')}
                        >
                          Deny
                        </button>
                      </div>
                    </td>
                  </tr>
                );
              }}
            />
          )}
        </QueryView>
      </section>

      <section className="card" aria-labelledby="approvals-recent">
        <h2 id="approvals-recent">Recently answered</h2>
        <QueryView query={recent} what="answered approvals">
          {(page) => {
            const answered = page.items.filter((approval) => approval.status !== 'PENDING').slice(0, 10);
            return (
              <ListTable
                items={answered}
                empty="None answered yet."
                columns={['Status', 'Amount', 'Agent', 'Service', 'Decided by', 'Decided', 'Reason']}
                row={(approval) => (
                  <tr key={approval.id} data-testid={`approval-answered-${approval.id}`}>
                    <td>
                      <span
                        className={`badge ${approval.status === 'COMPLETED' ? 'ok' : approval.status === 'FAILED' ? 'error' : 'muted'}`}
                      >
                        {approval.status}
                      </span>
                    </td>
                    <td>{approval.amount} MNEE</td>
                    <td>{approval.agentId}</td>
                    <td>{approval.serviceId}</td>
                    <td>{approval.decidedBy ?? '—'}</td>
                    <td>{approval.decidedAt === null ? '—' : formatTime(approval.decidedAt)}</td>
                    <td>{approval.reason ?? '—'}</td>
                  </tr>
                )}
              />
            );
          }}
        </QueryView>
      </section>
    </>
  );
}
