import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { LoggedAlert } from '@nexus/types';
import { fakeGateway } from '../../testing/fake-gateway';
import { renderScreen } from '../../testing/render-screen';
import { AlertsScreen } from './alerts-screen';

function alert(id: string, changes: Partial<LoggedAlert> = {}): LoggedAlert {
  return {
    id,
    kind: 'alert',
    occurredAt: '2026-12-05T10:00:00.000Z',
    alertType: 'budget_threshold',
    severity: 'warning',
    agentId: 'user-agent',
    window: 'daily',
    windowStart: '2026-12-05T00:00:00.000Z',
    thresholdPercent: 80,
    spent: '1.60',
    budget: '2.00',
    balance: null,
    floor: null,
    count: null,
    minutes: null,
    message: 'user-agent spent 80% of its daily budget',
    recordedAt: '2026-12-05T10:00:01.000Z',
    ...changes,
  };
}

const query = (call: { path: string } | undefined) => new URLSearchParams(call?.path.split('?')[1] ?? '');

describe('alerts', () => {
  it('shows each alert with its severity badge, type, agent, window, message and time, in the order the API gives', async () => {
    fakeGateway({
      'GET /alerts': {
        items: [
          alert('alert:spike:1', {
            alertType: 'rejection_spike',
            severity: 'critical',
            window: null,
            windowStart: null,
            thresholdPercent: null,
            count: 5,
            minutes: 10,
            message: '5 rejections in 10 minutes',
          }),
          alert('alert:budget:1'),
        ],
        nextCursor: null,
      },
    });
    renderScreen(<AlertsScreen />);

    const budget = await screen.findByTestId('alert-row-alert:budget:1');
    expect(within(budget).getByText('warning')).toHaveClass('badge');
    for (const text of ['budget_threshold', 'user-agent', 'daily', '80%', 'spent 80% of its daily budget'])
      expect(budget).toHaveTextContent(text);
    const spike = screen.getByTestId('alert-row-alert:spike:1');
    expect(within(spike).getByText('critical')).toHaveClass('badge');
    expect(spike).toHaveTextContent('5 in 10 min');
    const rows = screen.getAllByTestId(/^alert-row-/);
    expect(rows.map((row) => row.dataset['testid'])).toEqual(['alert-row-alert:spike:1', 'alert-row-alert:budget:1']);
    expect(screen.getAllByRole('heading', { level: 1 })).toHaveLength(1);
  });

  it('sends the agent and type filters in the query, and the cursor for the next page', async () => {
    const gateway = fakeGateway({
      'GET /alerts': (call: { path: string }) =>
        query(call).get('cursor') === 'a-2'
          ? { status: 200, body: { items: [alert('alert:budget:2')], nextCursor: null } }
          : { status: 200, body: { items: [alert('alert:budget:1')], nextCursor: 'a-2' } },
    });
    renderScreen(<AlertsScreen />);
    await screen.findByTestId('alert-row-alert:budget:1');

    await userEvent.type(screen.getByLabelText('Agent'), 'batch-agent');
    await userEvent.selectOptions(screen.getByLabelText('Type'), 'treasury_low');
    await userEvent.click(screen.getByRole('button', { name: 'Apply filters' }));
    await waitFor(() => expect(gateway.callsTo('GET', '/alerts')).toHaveLength(2));
    const filtered = query(gateway.callsTo('GET', '/alerts')[1]);
    expect(filtered.get('agentId')).toBe('batch-agent');
    expect(filtered.get('alertType')).toBe('treasury_low');

    await userEvent.click(await screen.findByRole('button', { name: 'Next page' }));
    expect(await screen.findByTestId('alert-row-alert:budget:2')).toBeInTheDocument();
    const next = query(gateway.callsTo('GET', '/alerts').at(-1));
    expect(next.get('cursor')).toBe('a-2');
    expect(next.get('alertType')).toBe('treasury_low');
  });
});
