import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { StreamEventType, type WebhookCreated } from '@nexus/types';
import { errorText } from '../../api/api-error';
import { QueryKey } from '../../api/query-keys';
import { useSession } from '../../session/session';

import { FieldError, fieldMessages } from '../../ui/field-errors';

/** Adds a webhook; the signing secret of the answer is shown once. */
export function AddWebhook() {
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
