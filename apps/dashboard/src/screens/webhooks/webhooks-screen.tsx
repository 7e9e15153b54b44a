import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { StreamEventType, WebhookDeliveryStatus, type Webhook, type WebhookCreated } from '@nexus/types';
import { ApiError, errorText } from '../../api/api-error';
import { QueryKey } from '../../api/query-keys';
import { useSession } from '../../session/session';
import { CursorPager, useCursorPages } from '../../ui/cursor-pages';
import { formatTime } from '../../ui/format';
import { QueryView } from '../../ui/query-view';

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
        {(list) =>
          list.items.length === 0 ? (
            <p className="muted">No webhooks yet.</p>
          ) : (
            <table>
              <thead>
                <tr>
                  <th scope="col">URL</th>
                  <th scope="col">Events</th>
                  <th scope="col">Description</th>
                  <th scope="col">Created</th>
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>
                {list.items.map((webhook) => (
                  <WebhookRow
                    key={webhook.id}
                    webhook={webhook}
                    selected={selected?.id === webhook.id}
                    onSelect={onSelect}
                    onRemoved={() => selected?.id === webhook.id && onSelect(null)}
                  />
                ))}
              </tbody>
            </table>
          )
        }
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

/** The API's messages for one field of a refused body (`body.url`, `body.events.0`, or `url`). */
function fieldMessages(error: unknown, field: string): string[] {
  if (!(error instanceof ApiError)) return [];
  return error.details
    .filter((detail) => {
      const path = detail.path.startsWith('body.') ? detail.path.slice('body.'.length) : detail.path;
      return path === field || path.startsWith(`${field}.`);
    })
    .map((detail) => detail.message);
}

function FieldError({ id, messages }: { id: string; messages: string[] }) {
  if (messages.length === 0) return null;
  return (
    <span id={id} className="error" data-testid={id}>
      {messages.join('; ')}
    </span>
  );
}

function AddWebhook() {
  const { api } = useSession();
  const queries = useQueryClient();
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState<readonly StreamEventType[]>([]);
  const [description, setDescription] = useState('');
  const [created, setCreated] = useState<WebhookCreated | null>(null);

  const create = useMutation({
    mutationFn: () =>
      api.createWebhook({
        url: url.trim(),
        events: StreamEventType.options.filter((type) => events.includes(type)),
        ...(description.trim() === '' ? {} : { description: description.trim() }),
      }),
    onSuccess: (webhook) => {
      setCreated(webhook);
      setUrl('');
      setEvents([]);
      setDescription('');
      return queries.invalidateQueries({ queryKey: [QueryKey.webhooks] });
    },
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setCreated(null);
    create.mutate();
  };
  const toggle = (type: StreamEventType, on: boolean) =>
    setEvents((before) => (on ? [...before.filter((other) => other !== type), type] : before.filter((other) => other !== type)));

  const urlErrors = fieldMessages(create.error, 'url');
  const eventErrors = fieldMessages(create.error, 'events');
  const descriptionErrors = fieldMessages(create.error, 'description');
  const fieldErrorCount = urlErrors.length + eventErrors.length + descriptionErrors.length;

  return (
    <section className="card" aria-labelledby="webhooks-add">
      <h2 id="webhooks-add">Add a webhook</h2>
      {created !== null && (
        <div role="status" className="card" data-testid="webhook-secret-notice">
          <p>
            <strong>Webhook {created.id} added.</strong> Its signing secret is below: copy it now, it is not shown again.
          </p>
          <p>
            <code data-testid="webhook-secret">{created.secret}</code>
          </p>
          <div className="toolbar">
            {typeof navigator !== 'undefined' && navigator.clipboard !== undefined && (
              <button type="button" className="secondary" onClick={() => void navigator.clipboard.writeText(created.secret)}>
                Copy secret
              </button>
            )}
            <button type="button" className="secondary" onClick={() => setCreated(null)}>
              I have copied it
            </button>
          </div>
        </div>
      )}
      <form onSubmit={submit} noValidate>
        <p className="toolbar">
          <label htmlFor="webhook-url">URL</label>
          <input
            id="webhook-url"
            type="url"
            size={40}
            value={url}
            onChange={(event) => setUrl(event.target.value)}
            placeholder="https://example.com/hooks/nexus"
            aria-invalid={urlErrors.length > 0}
            aria-describedby={urlErrors.length > 0 ? 'webhook-url-error' : undefined}
            required
          />
          <FieldError id="webhook-url-error" messages={urlErrors} />
        </p>
        <fieldset className="toolbar" aria-describedby={eventErrors.length > 0 ? 'webhook-events-error' : undefined}>
          <legend>Events</legend>
          {StreamEventType.options.map((type) => (
            <span key={type}>
              <input
                id={`webhook-event-${type}`}
                type="checkbox"
                checked={events.includes(type)}
                onChange={(event) => toggle(type, event.target.checked)}
              />
              <label htmlFor={`webhook-event-${type}`}>{type}</label>
            </span>
          ))}
          <FieldError id="webhook-events-error" messages={eventErrors} />
        </fieldset>
        <p className="toolbar">
          <label htmlFor="webhook-description">Description</label>
          <input
            id="webhook-description"
            size={40}
            value={description}
            onChange={(event) => setDescription(event.target.value)}
            aria-invalid={descriptionErrors.length > 0}
            aria-describedby={descriptionErrors.length > 0 ? 'webhook-description-error' : undefined}
          />
          <FieldError id="webhook-description-error" messages={descriptionErrors} />
        </p>
        <button type="submit" disabled={create.isPending}>
          {create.isPending ? 'Adding…' : 'Add webhook'}
        </button>
        {create.isError && (
          <p role="alert" className="error">
            {fieldErrorCount > 0 ? 'The webhook was not added: see the fields above.' : `Could not add it: ${errorText(create.error)}`}
          </p>
        )}
      </form>
    </section>
  );
}

function Deliveries({ webhook, onClose }: { webhook: Webhook; onClose: () => void }) {
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
            {list.items.length === 0 ? (
              <p className="muted">No deliveries yet.</p>
            ) : (
              <table>
                <thead>
                  <tr>
                    <th scope="col">Created</th>
                    <th scope="col">Event</th>
                    <th scope="col">Status</th>
                    <th scope="col">Attempts</th>
                    <th scope="col">Last HTTP status</th>
                    <th scope="col">Latency</th>
                    <th scope="col">Last error</th>
                    <th scope="col">Next attempt</th>
                  </tr>
                </thead>
                <tbody>
                  {list.items.map((delivery) => (
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
                  ))}
                </tbody>
              </table>
            )}
            <CursorPager pages={pages} nextCursor={list.nextCursor} label="Deliveries" />
          </>
        )}
      </QueryView>
    </section>
  );
}
