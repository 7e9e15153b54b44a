import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { PolicyLogEntry, PublicPayment } from '@nexus/types';
import { fakeGateway } from '../../testing/fake-gateway';
import { treasuryFixture } from '../../testing/fixtures';
import { agentHolder, renderScreen } from '../../testing/render-screen';
import { HistoryScreen } from './history-screen';

const HASH = `0x${'ab'.repeat(32)}`;
const REFUND_HASH = `0x${'cd'.repeat(32)}`;

function payment(id: string, changes: Partial<PublicPayment> = {}): PublicPayment {
  return {
    id,
    status: 'SUCCESS',
    mode: 'chain',
    amount: '0.25',
    txHash: HASH,
    agentId: 'user-agent',
    serviceId: 'IMAGE_GEN',
    decisionId: `dec-${id}`,
    createdAt: '2026-12-05T10:00:00.000Z',
    refund: null,
    ...changes,
  };
}

function logEntry(id: string, changes: Partial<PolicyLogEntry> = {}): PolicyLogEntry {
  return {
    id,
    action: 'DOWNGRADED',
    reason: 'DAILY_BUDGET_DOWNGRADE',
    message: 'downgraded to the standard variant to fit the budget',
    variant: 'standard',
    amount: '0.10',
    agentId: 'user-agent',
    serviceId: 'IMAGE_GEN',
    reservationId: null,
    createdAt: '2026-12-05T10:00:00.000Z',
    ...changes,
  };
}

const page = <T,>(items: T[], nextCursor: string | null = null) => ({ items, nextCursor });
const query = (call: { path: string } | undefined) => new URLSearchParams(call?.path.split('?')[1] ?? '');

describe('history: transactions', () => {
  it('shows one row per payment with its test id, and the tx hash as an explorer link when one is configured', async () => {
    fakeGateway({
      'GET /transactions': page([
        payment('pay-1'),
        payment('pay-2', {
          status: 'REFUNDED',
          refund: { txHash: REFUND_HASH, reason: 'provider failed', refundedAt: '2026-12-05T10:01:00.000Z' },
        }),
      ]),
      'GET /treasury': treasuryFixture({ explorerTxUrl: 'https://explorer.test/tx/{hash}' }),
    });
    renderScreen(<HistoryScreen />);

    const row = await screen.findByTestId('tx-row-pay-1');
    expect(row).toHaveTextContent('user-agent');
    expect(row).toHaveTextContent('IMAGE_GEN');
    expect(row).toHaveTextContent('0.25 MNEE');
    expect(row).toHaveTextContent('SUCCESS');
    expect(row).toHaveTextContent('chain');
    await waitFor(() => expect(within(row).getByRole('link')).toHaveAttribute('href', `https://explorer.test/tx/${HASH}`));
    expect(screen.getByTestId('tx-refund-pay-2')).toHaveTextContent('provider failed');
    expect(within(screen.getByTestId('tx-refund-pay-2')).getByRole('link')).toHaveAttribute(
      'href',
      `https://explorer.test/tx/${REFUND_HASH}`,
    );
    expect(screen.getAllByRole('heading', { level: 1 })).toHaveLength(1);
  });

  it('shows the plain hash, no link, where the chain is local', async () => {
    fakeGateway({ 'GET /transactions': page([payment('pay-1')]), 'GET /treasury': treasuryFixture({ explorerTxUrl: null }) });
    renderScreen(<HistoryScreen />);

    const row = await screen.findByTestId('tx-row-pay-1');
    await waitFor(() => expect(within(row).getByTitle(HASH)).toBeInTheDocument());
    expect(within(row).queryByRole('link')).not.toBeInTheDocument();
  });

  it('sends the chosen filters in the query and starts again from the first page', async () => {
    const gateway = fakeGateway({ 'GET /transactions': page([payment('pay-1')]), 'GET /treasury': treasuryFixture() });
    renderScreen(<HistoryScreen />);
    await screen.findByTestId('tx-row-pay-1');

    await userEvent.type(screen.getByLabelText('Agent'), 'batch-agent');
    await userEvent.type(screen.getByLabelText('Service'), 'PRICE_ORACLE');
    await userEvent.selectOptions(screen.getByLabelText('Status'), 'FAILED');
    await userEvent.click(screen.getByRole('button', { name: 'Apply filters' }));

    await waitFor(() => expect(gateway.callsTo('GET', '/transactions')).toHaveLength(2));
    const sent = query(gateway.callsTo('GET', '/transactions')[1]);
    expect(sent.get('agentId')).toBe('batch-agent');
    expect(sent.get('serviceId')).toBe('PRICE_ORACLE');
    expect(sent.get('status')).toBe('FAILED');
    expect(sent.has('cursor')).toBe(false);
    expect(gateway.calls.every((call) => !call.path.includes('test-key'))).toBe(true);
  });

  it('asks for the next page with the cursor the API gave, and goes back to the first', async () => {
    const gateway = fakeGateway({
      'GET /transactions': (call: { path: string }) =>
        query(call).get('cursor') === 'c-2'
          ? { status: 200, body: page([payment('pay-2')]) }
          : { status: 200, body: page([payment('pay-1')], 'c-2') },
      'GET /treasury': treasuryFixture(),
    });
    renderScreen(<HistoryScreen />);
    await screen.findByTestId('tx-row-pay-1');
    expect(screen.getByRole('button', { name: 'First page' })).toBeDisabled();

    await userEvent.click(screen.getByRole('button', { name: 'Next page' }));
    expect(await screen.findByTestId('tx-row-pay-2')).toBeInTheDocument();
    expect(query(gateway.callsTo('GET', '/transactions').at(-1)).get('cursor')).toBe('c-2');
    expect(screen.getByRole('button', { name: 'Next page' })).toBeDisabled();

    await userEvent.click(screen.getByRole('button', { name: 'First page' }));
    expect(await screen.findByTestId('tx-row-pay-1')).toBeInTheDocument();
  });

  it('offers an agent key no agent filter (the API limits it to its own agent)', async () => {
    const gateway = fakeGateway({ 'GET /transactions': page([payment('pay-1')]), 'GET /treasury': treasuryFixture() });
    renderScreen(<HistoryScreen />, { holder: agentHolder('user-agent') });
    await screen.findByTestId('tx-row-pay-1');

    expect(screen.queryByLabelText('Agent')).not.toBeInTheDocument();
    expect(query(gateway.callsTo('GET', '/transactions')[0]).has('agentId')).toBe(false);
  });
});

describe('history: policy logs', () => {
  it('shows the decisions with time, agent, service, action, reason, variant, amount and message, and filters by action', async () => {
    const gateway = fakeGateway({
      'GET /transactions': page([]),
      'GET /treasury': treasuryFixture(),
      'GET /policy/logs': page([
        logEntry('dec-1'),
        logEntry('dec-2', { action: 'REJECTED', reason: 'AGENT_PAUSED', variant: null, amount: null }),
      ]),
    });
    renderScreen(<HistoryScreen />);
    await userEvent.click(screen.getByRole('button', { name: 'Policy logs' }));

    const row = await screen.findByTestId('policy-row-dec-1');
    for (const text of [
      'user-agent',
      'IMAGE_GEN',
      'DOWNGRADED',
      'DAILY_BUDGET_DOWNGRADE',
      'standard',
      '0.10 MNEE',
      'downgraded to the standard variant',
    ])
      expect(row).toHaveTextContent(text);
    expect(screen.getByTestId('policy-row-dec-2')).toHaveTextContent('AGENT_PAUSED');

    await userEvent.selectOptions(screen.getByLabelText('Action'), 'REJECTED');
    await userEvent.click(screen.getByRole('button', { name: 'Apply filters' }));
    await waitFor(() => expect(gateway.callsTo('GET', '/policy/logs')).toHaveLength(2));
    expect(query(gateway.callsTo('GET', '/policy/logs')[1]).get('action')).toBe('REJECTED');
  });
});
