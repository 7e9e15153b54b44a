import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { PublicAgent } from '@nexus/types';
import { errorText } from '../../api/api-error';
import { QueryKey } from '../../api/query-keys';
import { useSession } from '../../session/session';
import { BudgetBar } from '../../ui/budget-bar';
import { QueryView } from '../../ui/query-view';
import { BudgetForm } from './budget-form';

const WINDOW_LABEL = { daily: 'Daily', weekly: 'Weekly', monthly: 'Monthly' } as const;

/**
 * Every agent the key may see (an agent key: its own only — the API decides), with a bar per
 * budget window. The admin pauses, resumes and edits budgets; an agent key only reads.
 */
export function AgentsScreen() {
  const { api, isAdmin } = useSession();
  const agents = useQuery({ queryKey: [QueryKey.agents], queryFn: () => api.agents() });

  return (
    <>
      <h1>Agents</h1>
      {!isAdmin && <p className="muted">Read-only: an agent key sees its own agent and changes nothing.</p>}
      <QueryView query={agents} what="agents">
        {(page) =>
          page.items.length === 0 ? (
            <p className="muted">No agents.</p>
          ) : (
            page.items.map((agent) => <AgentCard key={agent.id} agent={agent} isAdmin={isAdmin} />)
          )
        }
      </QueryView>
    </>
  );
}

function AgentCard({ agent, isAdmin }: { agent: PublicAgent; isAdmin: boolean }) {
  const { api } = useSession();
  const queries = useQueryClient();
  const [editing, setEditing] = useState(false);
  const [saved, setSaved] = useState(false);

  const toggle = useMutation({
    mutationFn: (paused: boolean) => (paused ? api.resume(agent.id) : api.pause(agent.id)),
    onSuccess: async () => {
      await Promise.all([
        queries.invalidateQueries({ queryKey: [QueryKey.agents] }),
        queries.invalidateQueries({ queryKey: [QueryKey.treasury] }),
      ]);
    },
  });

  const thresholds = Object.entries(agent.approvalAboveByService);

  return (
    <section className="card" data-testid={`agent-row-${agent.id}`} aria-labelledby={`agent-name-${agent.id}`}>
      <div className="toolbar">
        <h2 id={`agent-name-${agent.id}`}>
          {agent.name} <code className="muted">{agent.id}</code>
        </h2>
        <span className="badge" data-testid={`agent-priority-${agent.id}`}>
          {agent.priority}
        </span>
        <span className={`badge ${agent.paused ? 'error' : 'ok'}`} data-testid={`agent-status-${agent.id}`}>
          {agent.paused ? 'Paused' : 'Active'}
        </span>
      </div>

      <dl>
        <div>
          <dt>Services</dt>
          <dd>{agent.allowedServices.length === 0 ? 'none' : agent.allowedServices.join(', ')}</dd>
        </div>
        <div>
          <dt>Per-call max</dt>
          <dd data-testid={`agent-max-per-call-${agent.id}`}>{agent.maxPerCall} MNEE</dd>
        </div>
        <div>
          <dt>Approval above</dt>
          <dd data-testid={`agent-approval-above-${agent.id}`}>
            {agent.approvalAbove === null ? 'never' : `${agent.approvalAbove} MNEE`}
            {thresholds.length > 0 && ` (${thresholds.map(([service, amount]) => `${service}: ${amount} MNEE`).join(', ')})`}
          </dd>
        </div>
      </dl>

      {agent.windows.map((window) => (
        <BudgetBar
          key={window.window}
          label={WINDOW_LABEL[window.window]}
          budget={window.budget}
          spent={window.spent}
          reserved={window.reserved}
          remaining={window.remaining}
          testId={`agent-budget-${agent.id}-${window.window}`}
        />
      ))}

      {isAdmin && (
        <div className="toolbar">
          {agent.paused ? (
            <button type="button" data-testid={`agent-resume-${agent.id}`} disabled={toggle.isPending} onClick={() => toggle.mutate(true)}>
              Resume
            </button>
          ) : (
            <button
              type="button"
              className="danger"
              data-testid={`agent-pause-${agent.id}`}
              disabled={toggle.isPending}
              onClick={() => toggle.mutate(false)}
            >
              Pause
            </button>
          )}
          <button
            type="button"
            className="secondary"
            data-testid={`agent-edit-${agent.id}`}
            aria-expanded={editing}
            aria-controls={editing ? `budget-form-${agent.id}` : undefined}
            onClick={() => {
              setSaved(false);
              setEditing(!editing);
            }}
          >
            {editing ? 'Close budget form' : 'Edit budget'}
          </button>
          {saved && (
            <span role="status" className="ok" data-testid={`agent-budget-saved-${agent.id}`}>
              Budget saved.
            </span>
          )}
          {toggle.isError && (
            <span role="alert" className="error">
              Could not {agent.paused ? 'resume' : 'pause'}: {errorText(toggle.error)}
            </span>
          )}
        </div>
      )}

      {isAdmin && editing && (
        <BudgetForm
          agent={agent}
          onSaved={() => {
            setEditing(false);
            setSaved(true);
          }}
        />
      )}
    </section>
  );
}
