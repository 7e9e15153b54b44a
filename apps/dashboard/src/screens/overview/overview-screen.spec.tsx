import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { GatewayHealth, GatewayStats, ServiceView, SpendHistory } from '@nexus/types';
import { fakeGateway } from '../../testing/fake-gateway';
import { treasuryFixture } from '../../testing/fixtures';
import { renderScreen } from '../../testing/render-screen';
import { OverviewScreen } from './overview-screen';

const figures = (spent: string, calls = 1) => ({ calls, rejected: 0, payments: calls, refunds: 0, spent, refunded: '0' });

const history: SpendHistory = {
  bucket: 'hour',
  from: '2026-12-04T11:00:00.000Z',
  to: '2026-12-05T11:00:00.000Z',
  totals: figures('0.85', 3),
  buckets: [
    {
      start: '2026-12-05T09:00:00.000Z',
      ...figures('0.8', 2),
      byAgent: { 'user-agent': figures('0.8', 2) },
      byService: { IMAGE_GEN: figures('0.8', 2) },
    },
    {
      start: '2026-12-05T10:00:00.000Z',
      ...figures('0.05'),
      byAgent: { 'batch-agent': figures('0.05') },
      byService: { PRICE_ORACLE: figures('0.05') },
    },
  ],
};

const stats: GatewayStats = {
  transactions: { total: 4, successful: 3, failed: 1, refunded: 0, byStatus: { SUCCESS: 3, FAILED: 1, MOCK: 0, REFUNDED: 0 } },
  policy: { total: 6, allowed: 3, rejected: 2, downgraded: 1, pendingApproval: 0 },
  totalSpent: '0.85',
  spendByAgent: {},
  revenueByService: {},
};

const health: GatewayHealth = {
  status: 'degraded',
  service: 'gateway',
  version: '0.1.0',
  mode: 'chain',
  dependencies: { policy: { status: 'ok' }, payment: { status: 'ok' }, logger: { status: 'failing', error: 'connection refused' } },
};

const service = (id: string, healthy: boolean): ServiceView => ({
  id,
  name: id,
  providerUrl: 'http://127.0.0.1:8002',
  payee: '0x0000000000000000000000000000000000000001',
  defaultVariant: 'spot',
  variants: [{ id: 'spot', price: '0.05', description: null }],
  kind: 'provider',
  maxPrice: null,
  method: null,
  healthy,
});

function gatewayAnswers() {
  return fakeGateway({
    'GET /treasury': treasuryFixture(),
    'GET /stats': stats,
    'GET /stats/history': history,
    'GET /': health,
    'GET /services': { items: [service('PRICE_ORACLE', true), service('IMAGE_GEN', false)], nextCursor: null },
  });
}

describe('overview', () => {
  it("shows the treasury's on-chain balance, today's spend against the limit and the HIGH reserve", async () => {
    gatewayAnswers();
    renderScreen(<OverviewScreen />);
    expect(await screen.findByTestId('treasury-balance')).toHaveTextContent('995.15 MNEE');
    const limit = screen.getByTestId('treasury-limit');
    expect(limit).toHaveTextContent('0.85 spent · 0.10 held · 7.05 left of 8.00 MNEE');
    expect(within(limit).getByRole('meter')).toHaveAttribute('aria-valuenow', '11');
    expect(screen.getByTestId('treasury-reserve')).toHaveTextContent('HIGH reserve: 3.50 of 4.00 MNEE unused');
  });

  it('says so in mock mode, where there is no chain balance', async () => {
    fakeGateway({
      ...Object.fromEntries([]),
      'GET /treasury': treasuryFixture({ mode: 'mock', balance: null, address: null, chainId: null }),
    });
    renderScreen(<OverviewScreen />);
    expect(await screen.findByTestId('treasury-balance')).toHaveTextContent('no chain (mock mode)');
  });

  it('breaks the decisions down by action, and shows each service failing or not', async () => {
    gatewayAnswers();
    renderScreen(<OverviewScreen />);
    const breakdown = await screen.findByTestId('action-breakdown');
    expect(within(breakdown).getByRole('row', { name: /Rejected/ })).toHaveTextContent('2');
    expect(within(breakdown).getByRole('row', { name: /Downgraded/ })).toHaveTextContent('1');
    const healthList = await screen.findByTestId('service-health');
    expect(healthList).toHaveTextContent('logger: failing — connection refused');
    expect(await within(healthList).findByText(/IMAGE_GEN/)).toHaveTextContent('IMAGE_GEN: failing');
  });

  it('draws the spend history by agent, then by service and per day, asking the API for each', async () => {
    const gateway = gatewayAnswers();
    renderScreen(<OverviewScreen />);
    const chart = await screen.findByTestId('spend-chart');
    expect(await within(chart).findByTestId('spend-total')).toHaveTextContent('0.85 MNEE spent over 3 payments');
    expect(chart.querySelectorAll('.recharts-bar-rectangle').length).toBe(2);
    expect(within(chart).getByText('user-agent')).toBeInTheDocument();

    await userEvent.selectOptions(within(chart).getByLabelText('By'), 'service');
    expect(await within(chart).findByText('PRICE_ORACLE')).toBeInTheDocument();
    await userEvent.selectOptions(within(chart).getByLabelText('Per'), 'day');
    expect(gateway.callsTo('GET', '/stats/history').map((call) => call.path)).toEqual([
      '/stats/history?bucket=hour',
      '/stats/history?bucket=day',
    ]);
  });
});
