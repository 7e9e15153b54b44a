import { useQuery } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { DecisionAction, PaymentStatus, type PolicyLogEntry, type PublicPayment } from '@nexus/types';
import { QueryKey } from '../../api/query-keys';
import { useSession } from '../../session/session';
import { CursorPager, useCursorPages } from '../../ui/cursor-pages';
import { formatTime } from '../../ui/format';
import { QueryView } from '../../ui/query-view';
import { TxHash } from '../../ui/tx-hash';
import { ListTable } from '../../ui/list-table';
import { ChoiceSelect } from '../../ui/choice-select';

type Tab = 'transactions' | 'policy-logs';

/** Payments and policy decisions from the audit trail, with the API's filters and cursor pages. */
export function HistoryScreen() {
  const [tab, setTab] = useState<Tab>('transactions');
  return (
    <>
      <h1>History</h1>
      <div className="toolbar" role="group" aria-label="History view">
        <button
          type="button"
          className={tab === 'transactions' ? undefined : 'secondary'}
          aria-pressed={tab === 'transactions'}
          onClick={() => setTab('transactions')}
        >
          Transactions
        </button>
        <button
          type="button"
          className={tab === 'policy-logs' ? undefined : 'secondary'}
          aria-pressed={tab === 'policy-logs'}
          onClick={() => setTab('policy-logs')}
        >
          Policy logs
        </button>
      </div>
      {tab === 'transactions' ? <TransactionsSection /> : <PolicyLogsSection />}
    </>
  );
}

interface Filters {
  agentId: string;
  serviceId: string;
  /** status (transactions) or action (policy logs) */
  choice: string;
}

const NO_FILTERS: Filters = { agentId: '', serviceId: '', choice: '' };

/**
 * The filter form of a list: agent (admin only: an agent key sees its own agent only),
 * service, and one choice of the API's values. Applied on submit.
 */
function FilterForm({
  label,
  choiceLabel,
  choices,
  onApply,
}: {
  label: string;
  choiceLabel: string;
  choices: readonly string[];
  onApply: (filters: Filters) => void;
}) {
  const { isAdmin, holder } = useSession();
  const id = useId();
  const [draft, setDraft] = useState<Filters>(NO_FILTERS);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onApply({ agentId: draft.agentId.trim(), serviceId: draft.serviceId.trim(), choice: draft.choice });
  };
  const clear = () => {
    setDraft(NO_FILTERS);
    onApply(NO_FILTERS);
  };
  return (
    <form className="toolbar" onSubmit={submit} aria-label={`${label} filters`}>
      {isAdmin ? (
        <span>
          <label htmlFor={`${id}-agent`}>Agent</label>
          <input
            id={`${id}-agent`}
            value={draft.agentId}
            onChange={(event) => setDraft({ ...draft, agentId: event.target.value })}
            placeholder="any agent"
          />
        </span>
      ) : (
        <span className="muted">Agent: {holder.agentId}</span>
      )}
      <span>
        <label htmlFor={`${id}-service`}>Service</label>
        <input
          id={`${id}-service`}
          value={draft.serviceId}
          onChange={(event) => setDraft({ ...draft, serviceId: event.target.value })}
          placeholder="any service"
        />
      </span>
      <ChoiceSelect
        id={`${id}-choice`}
        label={choiceLabel}
        value={draft.choice}
        choices={choices}
        onChange={(choice) => setDraft({ ...draft, choice })}
      />
      <button type="submit">Apply filters</button>
      <button type="button" className="secondary" onClick={clear}>
        Clear filters
      </button>
    </form>
  );
}

/** Filters applied, with the pages reset to the first whenever they change. */
function useFilteredPages() {
  const pages = useCursorPages();
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  const apply = (next: Filters) => {
    setFilters(next);
    pages.first();
  };
  return { pages, filters, apply };
}

function TransactionsSection() {
  const { api, isAdmin } = useSession();
  const { pages, filters, apply } = useFilteredPages();
  const query = {
    agentId: isAdmin ? filters.agentId || undefined : undefined,
    serviceId: filters.serviceId || undefined,
    status: (filters.choice || undefined) as PaymentStatus | undefined,
    cursor: pages.cursor,
  };
  const transactions = useQuery({ queryKey: [QueryKey.transactions, query], queryFn: () => api.transactions(query) });
  const treasury = useQuery({ queryKey: [QueryKey.treasury], queryFn: () => api.treasury() });
  const explorerTxUrl = treasury.data?.explorerTxUrl ?? null;
  return (
    <section aria-labelledby="history-transactions">
      <h2 id="history-transactions">Transactions</h2>
      <FilterForm label="Transactions" choiceLabel="Status" choices={PaymentStatus.options} onApply={apply} />
      <QueryView query={transactions} what="transactions">
        {(list) => (
          <>
            <ListTable
              items={list.items}
              empty="No transactions match."
              columns={['Time', 'Agent', 'Service', 'Amount', 'Status', 'Mode', 'Tx hash', 'Refund']}
              row={(payment) => <TransactionRow key={payment.id} payment={payment} explorerTxUrl={explorerTxUrl} />}
            />
            <CursorPager pages={pages} nextCursor={list.nextCursor} label="Transactions" />
          </>
        )}
      </QueryView>
    </section>
  );
}

function TransactionRow({ payment, explorerTxUrl }: { payment: PublicPayment; explorerTxUrl: string | null }) {
  return (
    <tr data-testid={`tx-row-${payment.id}`}>
      <td>{formatTime(payment.createdAt)}</td>
      <td>{payment.agentId}</td>
      <td>{payment.serviceId}</td>
      <td>{payment.amount} MNEE</td>
      <td>{payment.status}</td>
      <td>{payment.mode}</td>
      <td>
        <TxHash hash={payment.txHash} explorerTxUrl={explorerTxUrl} />
      </td>
      <td>
        {payment.refund === null ? (
          <span className="muted">—</span>
        ) : (
          <span data-testid={`tx-refund-${payment.id}`}>
            Refunded {formatTime(payment.refund.refundedAt)}: {payment.refund.reason}{' '}
            <TxHash hash={payment.refund.txHash} explorerTxUrl={explorerTxUrl} />
          </span>
        )}
      </td>
    </tr>
  );
}

function PolicyLogsSection() {
  const { api, isAdmin } = useSession();
  const { pages, filters, apply } = useFilteredPages();
  const query = {
    agentId: isAdmin ? filters.agentId || undefined : undefined,
    serviceId: filters.serviceId || undefined,
    action: (filters.choice || undefined) as DecisionAction | undefined,
    cursor: pages.cursor,
  };
  const logs = useQuery({ queryKey: [QueryKey.policyLogs, query], queryFn: () => api.policyLogs(query) });
  return (
    <section aria-labelledby="history-policy-logs">
      <h2 id="history-policy-logs">Policy logs</h2>
      <FilterForm label="Policy logs" choiceLabel="Action" choices={DecisionAction.options} onApply={apply} />
      <QueryView query={logs} what="policy logs">
        {(list) => (
          <>
            <ListTable
              items={list.items}
              empty="No policy decisions match."
              columns={['Time', 'Agent', 'Service', 'Action', 'Reason', 'Variant', 'Amount', 'Message']}
              row={(entry) => <PolicyLogRow key={entry.id} entry={entry} />}
            />
            <CursorPager pages={pages} nextCursor={list.nextCursor} label="Policy logs" />
          </>
        )}
      </QueryView>
    </section>
  );
}

function PolicyLogRow({ entry }: { entry: PolicyLogEntry }) {
  return (
    <tr data-testid={`policy-row-${entry.id}`}>
      <td>{formatTime(entry.createdAt)}</td>
      <td>{entry.agentId}</td>
      <td>{entry.serviceId}</td>
      <td>{entry.action}</td>
      <td>
        <code>{entry.reason}</code>
      </td>
      <td>{entry.variant ?? <span className="muted">—</span>}</td>
      <td>{entry.amount === null ? <span className="muted">—</span> : `${entry.amount} MNEE`}</td>
      <td>{entry.message}</td>
    </tr>
  );
}
