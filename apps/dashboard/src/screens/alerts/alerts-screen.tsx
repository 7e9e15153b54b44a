import { useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { AlertType, type AlertSeverity, type LoggedAlert } from '@nexus/types';
import { QueryKey } from '../../api/query-keys';
import { useSession } from '../../session/session';
import { CursorPager, useCursorPages } from '../../ui/cursor-pages';
import { formatTime } from '../../ui/format';
import { QueryView } from '../../ui/query-view';
import { ListTable } from '../../ui/list-table';
import { ChoiceSelect } from '../../ui/choice-select';

/** The stylesheet's colour for each severity (AA contrast on paper). */
const SEVERITY_CLASS: Record<AlertSeverity, string> = { info: 'muted', warning: 'warn', critical: 'error' };

/** The window an alert is about, in words: a budget window crossed, or the minutes of a rejection spike. */
function windowText(alert: LoggedAlert): string {
  if (alert.window !== null) {
    const since = alert.windowStart === null ? '' : ` from ${formatTime(alert.windowStart)}`;
    const percent = alert.thresholdPercent === null ? '' : `, ${alert.thresholdPercent}%`;
    return `${alert.window}${since}${percent}`;
  }
  if (alert.minutes !== null) return `${alert.count ?? '?'} in ${alert.minutes} min`;
  return '—';
}

/** Alerts from the audit trail, newest first (the API's order), filtered by agent and type, in cursor pages. */
export function AlertsScreen() {
  const { api, isAdmin, holder } = useSession();
  const pages = useCursorPages();
  const [draft, setDraft] = useState({ agentId: '', alertType: '' });
  const [filters, setFilters] = useState({ agentId: '', alertType: '' });

  const apply = (next: { agentId: string; alertType: string }) => {
    setFilters(next);
    pages.first();
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    apply({ agentId: draft.agentId.trim(), alertType: draft.alertType });
  };
  const clear = () => {
    setDraft({ agentId: '', alertType: '' });
    apply({ agentId: '', alertType: '' });
  };

  const query = {
    agentId: isAdmin ? filters.agentId || undefined : undefined,
    alertType: (filters.alertType || undefined) as AlertType | undefined,
    cursor: pages.cursor,
  };
  const alerts = useQuery({ queryKey: [QueryKey.alerts, query], queryFn: () => api.alerts(query) });

  return (
    <>
      <h1>Alerts</h1>
      <form className="toolbar" onSubmit={submit} aria-label="Alert filters">
        {isAdmin ? (
          <span>
            <label htmlFor="alerts-agent">Agent</label>
            <input
              id="alerts-agent"
              value={draft.agentId}
              onChange={(event) => setDraft({ ...draft, agentId: event.target.value })}
              placeholder="any agent"
            />
          </span>
        ) : (
          <span className="muted">Agent: {holder.agentId}</span>
        )}
        <ChoiceSelect
          id="alerts-type"
          label="Type"
          value={draft.alertType}
          choices={AlertType.options}
          onChange={(alertType) => setDraft({ ...draft, alertType })}
        />
        <button type="submit">Apply filters</button>
        <button type="button" className="secondary" onClick={clear}>
          Clear filters
        </button>
      </form>
      <QueryView query={alerts} what="alerts">
        {(list) => (
          <>
            <ListTable
              items={list.items}
              empty="No alerts match."
              columns={['Time', 'Severity', 'Type', 'Agent', 'Window', 'Message']}
              row={(alert) => (
                <tr key={alert.id} data-testid={`alert-row-${alert.id}`}>
                  <td>{formatTime(alert.occurredAt)}</td>
                  <td>
                    <span className={`badge ${SEVERITY_CLASS[alert.severity]}`}>{alert.severity}</span>
                  </td>
                  <td>{alert.alertType}</td>
                  <td>{alert.agentId ?? <span className="muted">treasury</span>}</td>
                  <td>{windowText(alert)}</td>
                  <td>{alert.message}</td>
                </tr>
              )}
            />
            <CursorPager pages={pages} nextCursor={list.nextCursor} label="Alerts" />
          </>
        )}
      </QueryView>
    </>
  );
}
