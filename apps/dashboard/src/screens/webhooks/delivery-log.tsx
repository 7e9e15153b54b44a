import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { WebhookDeliveryStatus, type Webhook } from '@nexus/types';
import { QueryKey } from '../../api/query-keys';
import { useSession } from '../../session/session';
import { CursorPager, useCursorPages } from '../../ui/cursor-pages';
import { formatTime } from '../../ui/format';
import { QueryView } from '../../ui/query-view';
import { ListTable } from '../../ui/list-table';

/** One webhook's deliveries, newest first, in cursor pages. */
export function Deliveries({ webhook, onClose }: { webhook: Webhook; onClose: () => void }) {
  const { api } = useSession();
  const pages = useCursorPages();
  const [status, setStatus] = useState('');
  const query = { status: (status || undefined) as WebhookDeliveryStatus | undefined, cursor: pages.cursor };
  const deliveries = useQuery({
    queryKey: [QueryKey.deliveries, webhook.id, query],
    queryFn: () => api.deliveries(webhook.id, query),
  });
  return (
    <section className="card" aria-labelledby="webhooks-deliveries" data-testid="webhook-deliveries">
      <h2 id="webhooks-deliveries">
        Deliveries to <code>{webhook.url}</code>
      </h2>
      <div className="toolbar">
        <label htmlFor="deliveries-status">Status</label>
        <select
          id="deliveries-status"
          value={status}
          onChange={(event) => {
            setStatus(event.target.value);
            pages.first();
          }}
        >
          <option value="">any</option>
          {WebhookDeliveryStatus.options.map((option) => (
            <option key={option} value={option}>
              {option}
            </option>
          ))}
        </select>
        <button type="button" className="secondary" onClick={onClose}>
          Close the delivery log
        </button>
      </div>
      <QueryView query={deliveries} what="deliveries">
        {(list) => (
          <>
            <ListTable
              items={list.items}
              empty="No deliveries yet."
              columns={['Created', 'Event', 'Status', 'Attempts', 'Last HTTP status', 'Latency', 'Last error', 'Next attempt']}
              row={(delivery) => (
                <tr key={delivery.id} data-testid={`delivery-row-${delivery.id}`}>
                  <td>{formatTime(delivery.createdAt)}</td>
                  <td>{delivery.eventType}</td>
                  <td>{delivery.status}</td>
                  <td>{delivery.attempts}</td>
                  <td>{delivery.lastStatus ?? <span className="muted">—</span>}</td>
                  <td>{delivery.latencyMs === null ? <span className="muted">—</span> : `${delivery.latencyMs} ms`}</td>
                  <td>{delivery.lastError ?? <span className="muted">—</span>}</td>
                  <td>{delivery.nextAttemptAt === null ? <span className="muted">—</span> : formatTime(delivery.nextAttemptAt)}</td>
                </tr>
              )}
            />
            <CursorPager pages={pages} nextCursor={list.nextCursor} label="Deliveries" />
          </>
        )}
      </QueryView>
    </section>
  );
}
