import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { Webhook, WebhookDelivery } from '@nexus/types';
import { fakeGateway, type FakeCall } from '../../testing/fake-gateway';
import { renderScreen } from '../../testing/render-screen';
import { WebhooksScreen } from './webhooks-screen';

const HOOK_ID = 'wh_abcdefgh01';

function webhook(id = HOOK_ID, changes: Partial<Webhook> = {}): Webhook {
  return {
    id,
    url: 'https://hooks.example.com/nexus',
    events: ['payment', 'alert'],
    description: 'ops channel',
    createdAt: '2026-12-05T09:00:00.000Z',
    ...changes,
  };
}

function delivery(id: string, changes: Partial<WebhookDelivery> = {}): WebhookDelivery {
  return {
    id,
    webhookId: HOOK_ID,
    eventType: 'payment',
    eventSeq: '12',
    status: 'FAILED',
    attempts: 3,
    lastStatus: 502,
    latencyMs: 120,
    lastError: 'bad gateway',
    createdAt: '2026-12-05T10:00:00.000Z',
    nextAttemptAt: '2026-12-05T10:05:00.000Z',
    deliveredAt: null,
    ...changes,
  };
}

const query = (call: { path: string } | undefined) => new URLSearchParams(call?.path.split('?')[1] ?? '');

describe('webhooks', () => {
  it('lists the webhooks with url, events, description and creation time', async () => {
    fakeGateway({ 'GET /webhooks': { items: [webhook()] } });
    renderScreen(<WebhooksScreen />);

    const row = await screen.findByTestId(`webhook-row-${HOOK_ID}`);
    for (const text of ['https://hooks.example.com/nexus', 'payment, alert', 'ops channel']) expect(row).toHaveTextContent(text);
    expect(screen.getAllByRole('heading', { level: 1 })).toHaveLength(1);
  });

  it('adds a webhook with the checked events, and shows its secret once', async () => {
    const gateway = fakeGateway({
      'GET /webhooks': { items: [] },
      'POST /webhooks': () => ({ status: 201, body: { ...webhook(), secret: 'whsec_c2VjcmV0LXNob3duLW9uY2U=' } }),
    });
    renderScreen(<WebhooksScreen />);
    await screen.findByText('No webhooks yet.');

    await userEvent.type(screen.getByLabelText('URL'), 'https://hooks.example.com/nexus');
    await userEvent.click(screen.getByLabelText('alert'));
    await userEvent.click(screen.getByLabelText('payment'));
    await userEvent.type(screen.getByLabelText('Description'), 'ops channel');
    await userEvent.click(screen.getByRole('button', { name: 'Add webhook' }));

    expect(await screen.findByTestId('webhook-secret')).toHaveTextContent('whsec_c2VjcmV0LXNob3duLW9uY2U=');
    expect(screen.getByTestId('webhook-secret-notice')).toHaveTextContent('copy it now, it is not shown again');
    expect(gateway.callsTo('POST', '/webhooks')[0]?.body).toEqual({
      url: 'https://hooks.example.com/nexus',
      events: ['payment', 'alert'],
      description: 'ops channel',
    });
    await waitFor(() => expect(gateway.callsTo('GET', '/webhooks').length).toBeGreaterThan(1));

    await userEvent.click(screen.getByRole('button', { name: 'I have copied it' }));
    expect(screen.queryByTestId('webhook-secret')).not.toBeInTheDocument();
  });

  it("shows the API's 400 field messages next to the fields", async () => {
    fakeGateway({
      'GET /webhooks': { items: [] },
      'POST /webhooks': () => ({
        status: 400,
        body: {
          error: {
            code: 'VALIDATION_ERROR',
            message: 'the request is not valid',
            details: [
              { path: 'body.url', message: 'must be an http or https URL' },
              { path: 'body.events', message: 'Too small: expected array to have >=1 items' },
            ],
          },
        },
      }),
    });
    renderScreen(<WebhooksScreen />);
    await screen.findByText('No webhooks yet.');

    await userEvent.type(screen.getByLabelText('URL'), 'ftp://nope');
    await userEvent.click(screen.getByRole('button', { name: 'Add webhook' }));

    expect(await screen.findByTestId('webhook-url-error')).toHaveTextContent('must be an http or https URL');
    expect(screen.getByLabelText('URL')).toHaveAccessibleDescription('must be an http or https URL');
    expect(screen.getByTestId('webhook-events-error')).toHaveTextContent('expected array to have >=1 items');
    expect(screen.queryByTestId('webhook-description-error')).not.toBeInTheDocument();
    expect(screen.queryByTestId('webhook-secret')).not.toBeInTheDocument();
  });

  it('removes a webhook only after the confirm step', async () => {
    const gateway = fakeGateway({
      'GET /webhooks': { items: [webhook()] },
      [`DELETE /webhooks/${HOOK_ID}`]: () => ({ status: 204 }),
    });
    renderScreen(<WebhooksScreen />);
    const row = await screen.findByTestId(`webhook-row-${HOOK_ID}`);

    await userEvent.click(within(row).getByRole('button', { name: 'Remove' }));
    expect(gateway.callsTo('DELETE', `/webhooks/${HOOK_ID}`)).toHaveLength(0);
    await userEvent.click(within(row).getByRole('button', { name: 'Cancel' }));
    expect(gateway.callsTo('DELETE', `/webhooks/${HOOK_ID}`)).toHaveLength(0);

    await userEvent.click(within(row).getByRole('button', { name: 'Remove' }));
    gateway.answer('GET /webhooks', { items: [] });
    await userEvent.click(within(row).getByRole('button', { name: 'Confirm remove' }));
    await waitFor(() => expect(gateway.callsTo('DELETE', `/webhooks/${HOOK_ID}`)).toHaveLength(1));
    expect(await screen.findByText('No webhooks yet.')).toBeInTheDocument();
  });

  it('sends a test message and shows how it went', async () => {
    const gateway = fakeGateway({
      'GET /webhooks': { items: [webhook()] },
      [`POST /webhooks/${HOOK_ID}/test`]: delivery('msg_test', {
        eventType: 'test',
        eventSeq: null,
        status: 'DELIVERED',
        lastStatus: 200,
        lastError: null,
      }),
    });
    renderScreen(<WebhooksScreen />);
    const row = await screen.findByTestId(`webhook-row-${HOOK_ID}`);

    await userEvent.click(within(row).getByRole('button', { name: 'Send test' }));
    expect(await screen.findByTestId(`webhook-test-result-${HOOK_ID}`)).toHaveTextContent('Test message DELIVERED (HTTP 200)');
    expect(gateway.callsTo('POST', `/webhooks/${HOOK_ID}/test`)).toHaveLength(1);
  });

  it("shows a webhook's delivery log in cursor pages", async () => {
    const gateway = fakeGateway({
      'GET /webhooks': { items: [webhook()] },
      [`GET /webhooks/${HOOK_ID}/deliveries`]: (call: FakeCall) =>
        query(call).get('cursor') === 'd-2'
          ? {
              status: 200,
              body: { items: [delivery('msg_2', { status: 'DELIVERED', lastError: null, nextAttemptAt: null })], nextCursor: null },
            }
          : { status: 200, body: { items: [delivery('msg_1')], nextCursor: 'd-2' } },
    });
    renderScreen(<WebhooksScreen />);
    const row = await screen.findByTestId(`webhook-row-${HOOK_ID}`);

    await userEvent.click(within(row).getByRole('button', { name: 'Deliveries' }));
    const first = await screen.findByTestId('delivery-row-msg_1');
    for (const text of ['payment', 'FAILED', '3', '502', '120 ms', 'bad gateway']) expect(first).toHaveTextContent(text);

    await userEvent.click(screen.getByRole('button', { name: 'Next page' }));
    expect(await screen.findByTestId('delivery-row-msg_2')).toHaveTextContent('DELIVERED');
    expect(query(gateway.callsTo('GET', `/webhooks/${HOOK_ID}/deliveries`).at(-1)).get('cursor')).toBe('d-2');
  });
});
