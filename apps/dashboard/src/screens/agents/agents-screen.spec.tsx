import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { PublicAgent } from '@nexus/types';
import { agentHolder, renderScreen } from '../../testing/render-screen';
import { fakeGateway, type FakeCall } from '../../testing/fake-gateway';
import { agentFixture } from '../../testing/fixtures';
import { AgentsScreen } from './agents-screen';
import { budgetUpdateOf } from './budget-form';

const page = (...items: PublicAgent[]) => ({ items, nextCursor: null });

const batchAgent = agentFixture('batch-agent', {
  priority: 'HIGH',
  weeklyBudget: '10.00',
  maxPerCall: '0.75',
  approvalAbove: '0.50',
  allowedServices: ['IMAGE_GEN'],
  windows: [
    {
      window: 'daily',
      startsAt: '2026-12-05T00:00:00.000Z',
      endsAt: '2026-12-06T00:00:00.000Z',
      budget: '3.00',
      spent: '1.25',
      reserved: '0.25',
      remaining: '1.50',
    },
    {
      window: 'weekly',
      startsAt: '2026-11-30T00:00:00.000Z',
      endsAt: '2026-12-07T00:00:00.000Z',
      budget: '10.00',
      spent: '4.00',
      reserved: '0.25',
      remaining: '5.75',
    },
  ],
});

describe('agents screen', () => {
  it('shows one row per agent with its facts and a bar per budget window, from the API figures', async () => {
    fakeGateway({ 'GET /agents': page(batchAgent, agentFixture('user-agent', { paused: true })) });
    renderScreen(<AgentsScreen />);

    const row = await screen.findByTestId('agent-row-batch-agent');
    expect(screen.getAllByRole('heading', { level: 1 })).toHaveLength(1);
    expect(within(row).getByText('HIGH')).toBeInTheDocument();
    expect(within(row).getByTestId('agent-status-batch-agent')).toHaveTextContent('Active');
    expect(within(row).getByText('IMAGE_GEN')).toBeInTheDocument();
    expect(within(row).getByTestId('agent-max-per-call-batch-agent')).toHaveTextContent('0.75 MNEE');
    expect(within(row).getByTestId('agent-approval-above-batch-agent')).toHaveTextContent('0.50 MNEE');

    const daily = within(row).getByTestId('agent-budget-batch-agent-daily');
    expect(daily).toHaveTextContent('1.25 spent · 0.25 held · 1.50 left of 3.00 MNEE');
    expect(within(daily).getByRole('meter')).toHaveAttribute('aria-valuenow', '42');
    expect(within(row).getByTestId('agent-budget-batch-agent-weekly')).toHaveTextContent(
      '4.00 spent · 0.25 held · 5.75 left of 10.00 MNEE',
    );
    expect(within(row).queryByTestId('agent-budget-batch-agent-monthly')).not.toBeInTheDocument();

    const paused = screen.getByTestId('agent-row-user-agent');
    expect(within(paused).getByTestId('agent-status-user-agent')).toHaveTextContent('Paused');
    expect(within(paused).getByTestId('agent-resume-user-agent')).toBeInTheDocument();
    expect(within(paused).queryByTestId('agent-pause-user-agent')).not.toBeInTheDocument();
  });

  it('pauses an agent with POST /agents/<id>/pause and then shows Resume from the API answer', async () => {
    let paused = false;
    const gateway = fakeGateway({
      'GET /agents': () => ({ status: 200, body: page(agentFixture('batch-agent', { paused })) }),
      'POST /agents/batch-agent/pause': () => {
        paused = true;
        return { status: 200, body: agentFixture('batch-agent', { paused }) };
      },
      'GET /treasury': () => ({ status: 200, body: {} }),
    });
    renderScreen(<AgentsScreen />);

    await userEvent.click(await screen.findByTestId('agent-pause-batch-agent'));

    expect(await screen.findByTestId('agent-resume-batch-agent')).toBeInTheDocument();
    expect(screen.queryByTestId('agent-pause-batch-agent')).not.toBeInTheDocument();
    expect(gateway.callsTo('POST', '/agents/batch-agent/pause')).toHaveLength(1);
    expect(gateway.callsTo('GET', '/agents').length).toBeGreaterThanOrEqual(2);
    expect(screen.getByTestId('agent-status-batch-agent')).toHaveTextContent('Paused');
  });

  it('resumes a paused agent with POST /agents/<id>/resume', async () => {
    let paused = true;
    const gateway = fakeGateway({
      'GET /agents': () => ({ status: 200, body: page(agentFixture('batch-agent', { paused })) }),
      'POST /agents/batch-agent/resume': () => {
        paused = false;
        return { status: 200, body: agentFixture('batch-agent', { paused }) };
      },
    });
    renderScreen(<AgentsScreen />);

    await userEvent.click(await screen.findByTestId('agent-resume-batch-agent'));

    expect(await screen.findByTestId('agent-pause-batch-agent')).toBeInTheDocument();
    expect(gateway.callsTo('POST', '/agents/batch-agent/resume')).toHaveLength(1);
  });

  it('sends only the changed budget fields, as typed, and shows the API validation message next to its field', async () => {
    const gateway = fakeGateway({
      'GET /agents': page(batchAgent),
      'PUT /agents/batch-agent/budget': (call: FakeCall) => {
        const body = call.body as Record<string, unknown>;
        if (body['dailyBudget'] === '5.1234567')
          return {
            status: 400,
            body: {
              error: {
                code: 'VALIDATION_ERROR',
                message: 'invalid request body',
                details: [{ path: 'body.dailyBudget', message: 'has 7 decimal places; at most 6 are allowed' }],
              },
            },
          };
        return { status: 200, body: batchAgent };
      },
    });
    renderScreen(<AgentsScreen />);

    await userEvent.click(await screen.findByTestId('agent-edit-batch-agent'));
    const daily = screen.getByLabelText('Daily budget');
    expect(daily).toHaveValue('2.00');
    await userEvent.clear(daily);
    await userEvent.type(daily, '5.1234567');
    await userEvent.clear(screen.getByLabelText('Weekly budget'));
    await userEvent.click(screen.getByTestId('budget-batch-agent-save'));

    const message = await screen.findByTestId('budget-batch-agent-dailyBudget-error');
    expect(message).toHaveTextContent('has 7 decimal places; at most 6 are allowed');
    expect(daily).toHaveAttribute('aria-invalid', 'true');
    expect(daily.getAttribute('aria-describedby')).toContain('budget-batch-agent-dailyBudget-error');
    expect(screen.getByRole('alert')).toHaveTextContent('VALIDATION_ERROR');
    // only what changed: the daily budget as typed (no float), the weekly window removed
    expect(gateway.callsTo('PUT', '/agents/batch-agent/budget')[0]?.body).toEqual({ dailyBudget: '5.1234567', weeklyBudget: null });

    await userEvent.clear(daily);
    await userEvent.type(daily, '5.10');
    await userEvent.click(screen.getByTestId('budget-batch-agent-save'));
    expect(await screen.findByTestId('agent-budget-saved-batch-agent')).toHaveTextContent('Budget saved.');
    expect(gateway.callsTo('PUT', '/agents/batch-agent/budget')[1]?.body).toEqual({ dailyBudget: '5.10', weeklyBudget: null });
  });

  it('sends nothing when no field changed', async () => {
    const gateway = fakeGateway({ 'GET /agents': page(batchAgent) });
    renderScreen(<AgentsScreen />);

    await userEvent.click(await screen.findByTestId('agent-edit-batch-agent'));
    await userEvent.click(screen.getByTestId('budget-batch-agent-save'));

    expect(await screen.findByText('Nothing changed.')).toBeInTheDocument();
    expect(gateway.callsTo('PUT', '/agents/batch-agent/budget')).toHaveLength(0);
  });

  it('gives an agent key read-only rows: no pause, resume or budget edit', async () => {
    const gateway = fakeGateway({ 'GET /agents': page(agentFixture('user-agent'), agentFixture('batch-agent', { paused: true })) });
    renderScreen(<AgentsScreen />, { holder: agentHolder('user-agent') });

    const row = await screen.findByTestId('agent-row-user-agent');
    expect(within(row).getByTestId('agent-budget-user-agent-daily')).toBeInTheDocument();
    expect(screen.queryByTestId('agent-pause-user-agent')).not.toBeInTheDocument();
    expect(screen.queryByTestId('agent-resume-batch-agent')).not.toBeInTheDocument();
    expect(screen.queryByTestId('agent-edit-user-agent')).not.toBeInTheDocument();
    expect(screen.queryByRole('button')).not.toBeInTheDocument();
    expect(screen.queryByRole('textbox')).not.toBeInTheDocument();
    expect(gateway.callsTo('GET', '/agents')[0]?.authorization).toBe('Bearer test-key');
  });

  it("shows the API's refusal when the agents cannot be loaded", async () => {
    fakeGateway({ 'GET /agents': () => ({ status: 503, body: { error: { code: 'SERVICE_UNAVAILABLE', message: 'policy is down' } } }) });
    renderScreen(<AgentsScreen />);

    expect(await screen.findByRole('alert')).toHaveTextContent('SERVICE_UNAVAILABLE: policy is down');
  });
});

describe('budgetUpdateOf', () => {
  const initial = { dailyBudget: '2.00', weeklyBudget: '10.00', monthlyBudget: '', maxPerCall: '1.00', approvalAbove: '0.50' };

  it('keeps only changed fields, strings as typed, and empties of windows and thresholds as null', () => {
    expect(budgetUpdateOf(initial, initial)).toEqual({});
    expect(budgetUpdateOf(initial, { ...initial, maxPerCall: '0.1', weeklyBudget: '', approvalAbove: '' })).toEqual({
      maxPerCall: '0.1',
      weeklyBudget: null,
      approvalAbove: null,
    });
    expect(budgetUpdateOf(initial, { ...initial, monthlyBudget: '40', dailyBudget: '' })).toEqual({ monthlyBudget: '40', dailyBudget: '' });
  });
});
