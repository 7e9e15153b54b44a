import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { type Webhook } from '@nexus/types';
import { errorText } from '../../api/api-error';
import { QueryKey } from '../../api/query-keys';
import { useSession } from '../../session/session';
import { formatTime } from '../../ui/format';
import { QueryView } from '../../ui/query-view';

import { AddWebhook } from './add-webhook';
import { Deliveries } from './delivery-log';
import { ListTable } from '../../ui/list-table';
/** Signed webhooks (admin only): list, add (the secret shown once), remove, test, and each one's delivery log. */
export function WebhooksScreen() {
  const { isAdmin } = useSession();
  const [selected, setSelected] = useState<Webhook | null>(null);
  if (!isAdmin)
    return (
      <>
        <h1>Webhooks</h1>
        <p className="muted">Webhooks need the admin key.</p>
      </>
    );
  return (
    <>
      <h1>Webhooks</h1>
      <WebhookList selected={selected} onSelect={setSelected} />
      <AddWebhook />
      {selected !== null && <Deliveries key={selected.id} webhook={selected} onClose={() => setSelected(null)} />}
    </>
  );
}

function WebhookList({ selected, onSelect }: { selected: Webhook | null; onSelect: (webhook: Webhook | null) => void }) {
  const { api } = useSession();
  const webhooks = useQuery({ queryKey: [QueryKey.webhooks], queryFn: () => api.webhooks() });
  return (
    <section className="card" aria-labelledby="webhooks-list">
      <h2 id="webhooks-list">Subscriptions</h2>
      <QueryView query={webhooks} what="webhooks">
        {(list) => (
          <ListTable
            items={list.items}
            empty="No webhooks yet."
            columns={['URL', 'Events', 'Description', 'Created', 'Actions']}
            row={(webhook) => (
              <WebhookRow
                key={webhook.id}
                webhook={webhook}
                selected={selected?.id === webhook.id}
                onSelect={onSelect}
                onRemoved={() => selected?.id === webhook.id && onSelect(null)}
              />
            )}
          />
        )}
      </QueryView>
    </section>
  );
}

function WebhookRow({
  webhook,
  selected,
  onSelect,
  onRemoved,
}: {
  webhook: Webhook;
  selected: boolean;
  onSelect: (webhook: Webhook | null) => void;
  onRemoved: () => void;
}) {
  const { api } = useSession();
  const queries = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const remove = useMutation({
    mutationFn: () => api.deleteWebhook(webhook.id),
    onSuccess: () => {
      onRemoved();
      return queries.invalidateQueries({ queryKey: [QueryKey.webhooks] });
    },
  });
  const test = useMutation({
    mutationFn: () => api.testWebhook(webhook.id),
    onSuccess: () => queries.invalidateQueries({ queryKey: [QueryKey.deliveries, webhook.id] }),
  });
  return (
    <tr data-testid={`webhook-row-${webhook.id}`}>
      <td>
        <code>{webhook.url}</code>
      </td>
      <td>{webhook.events.join(', ')}</td>
      <td>{webhook.description ?? <span className="muted">—</span>}</td>
      <td>{formatTime(webhook.createdAt)}</td>
      <td>
        <div className="toolbar">
          <button type="button" className="secondary" aria-pressed={selected} onClick={() => onSelect(selected ? null : webhook)}>
            Deliveries
          </button>
          <button type="button" className="secondary" onClick={() => test.mutate()} disabled={test.isPending}>
            {test.isPending ? 'Sending…' : 'Send test'}
          </button>
          {confirming ? (
            <>
              <span>Remove this webhook?</span>
              <button type="button" className="danger" onClick={() => remove.mutate()} disabled={remove.isPending}>
                Confirm remove
              </button>
              <button type="button" className="secondary" onClick={() => setConfirming(false)}>
                Cancel
              </button>
            </>
          ) : (
            <button type="button" className="danger" onClick={() => setConfirming(true)}>
              Remove
            </button>
          )}
        </div>
        {test.isSuccess && (
          <p role="status" data-testid={`webhook-test-result-${webhook.id}`}>
            Test message {test.data.status}
            {test.data.lastStatus === null ? '' : ` (HTTP ${test.data.lastStatus})`}
            {test.data.lastError === null ? '' : `: ${test.data.lastError}`}
          </p>
        )}
        {test.isError && (
          <p role="alert" className="error">
            Could not send a test: {errorText(test.error)}
          </p>
        )}
        {remove.isError && (
          <p role="alert" className="error">
            Could not remove it: {errorText(remove.error)}
          </p>
        )}
      </td>
    </tr>
  );
}
