import { useQuery } from '@tanstack/react-query';
import { QueryKey } from '../../api/query-keys';
import { useSession } from '../../session/session';
import { BudgetBar } from '../../ui/budget-bar';
import { formatTime, shortHex } from '../../ui/format';
import { QueryView } from '../../ui/query-view';
import { SpendChart } from './spend-chart';

function TreasuryCard() {
  const { api } = useSession();
  const treasury = useQuery({ queryKey: [QueryKey.treasury], queryFn: () => api.treasury() });
  return (
    <div className="card">
      <h2>Treasury</h2>
      <QueryView query={treasury} what="the treasury">
        {(data) => (
          <>
            <p className="figure" data-testid="treasury-balance">
              {data.balance === null ? 'no chain (mock mode)' : `${data.balance} ${data.token?.symbol ?? 'MNEE'}`}
            </p>
            <p>
              Mode <strong data-testid="treasury-mode">{data.mode}</strong>
              {data.address !== null && (
                <>
                  {' '}
                  · address <code title={data.address}>{shortHex(data.address)}</code>
                </>
              )}
              {data.chainId !== null && <> · chain {data.chainId}</>}
            </p>
            <BudgetBar
              label="Treasury today"
              testId="treasury-limit"
              budget={data.limit.dailyLimit}
              spent={data.limit.spent}
              reserved={data.limit.reserved}
              remaining={data.limit.remaining}
            />
            <p data-testid="treasury-reserve">
              HIGH reserve: {data.limit.highReserveLeft} of {data.limit.highReserve} MNEE unused (kept for HIGH-priority agents)
            </p>
            <p className="muted">The period ends {formatTime(data.limit.periodEndsAt)}.</p>
          </>
        )}
      </QueryView>
    </div>
  );
}

function ActionsCard() {
  const { api } = useSession();
  const stats = useQuery({ queryKey: [QueryKey.stats], queryFn: () => api.stats() });
  return (
    <div className="card">
      <h2>Decisions and payments</h2>
      <QueryView query={stats} what="the figures">
        {(data) => (
          <table data-testid="action-breakdown">
            <caption className="muted">Since the audit trail began</caption>
            <tbody>
              <tr>
                <th scope="row">Allowed</th>
                <td>{data.policy.allowed}</td>
              </tr>
              <tr>
                <th scope="row">Downgraded</th>
                <td>{data.policy.downgraded}</td>
              </tr>
              <tr>
                <th scope="row">Rejected</th>
                <td>{data.policy.rejected}</td>
              </tr>
              <tr>
                <th scope="row">Waited for approval</th>
                <td>{data.policy.pendingApproval}</td>
              </tr>
              <tr>
                <th scope="row">Payments (failed, refunded)</th>
                <td>
                  {data.transactions.successful} ({data.transactions.failed}, {data.transactions.refunded})
                </td>
              </tr>
              <tr>
                <th scope="row">Spent, net of refunds</th>
                <td>{data.totalSpent} MNEE</td>
              </tr>
            </tbody>
          </table>
        )}
      </QueryView>
    </div>
  );
}

function HealthCard() {
  const { api } = useSession();
  const health = useQuery({ queryKey: [QueryKey.health], queryFn: () => api.health() });
  const services = useQuery({ queryKey: [QueryKey.services], queryFn: () => api.services() });
  return (
    <div className="card">
      <h2>Health</h2>
      <QueryView query={health} what="the gateway's health">
        {(data) => (
          <ul data-testid="service-health">
            <li>
              gateway: <span className={data.status === 'ok' ? 'ok' : 'warn'}>{data.status}</span>
            </li>
            {Object.entries(data.dependencies).map(([name, state]) => (
              <li key={name}>
                {name}: <span className={state.status === 'ok' ? 'ok' : 'error'}>{state.status}</span>
                {state.error !== undefined && <span className="muted"> — {state.error}</span>}
              </li>
            ))}
            {services.data?.items.map((service) => (
              <li key={service.id}>
                {service.id}: <span className={service.healthy ? 'ok' : 'error'}>{service.healthy ? 'ok' : 'failing'}</span>
              </li>
            ))}
          </ul>
        )}
      </QueryView>
    </div>
  );
}

/** The treasury, today's spend against its limit and the HIGH reserve, spend over time, the action breakdown and health. */
export function OverviewScreen() {
  return (
    <section>
      <h1>Overview</h1>
      <div className="cards">
        <TreasuryCard />
        <ActionsCard />
        <HealthCard />
      </div>
      <SpendChart />
    </section>
  );
}
