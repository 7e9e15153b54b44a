import type { PublicAgent, StreamEvent, TreasuryOverview } from '@nexus/types';

/** Answers of the API for component tests, shaped by the @nexus/types contract (the specs' compiler checks them). */
export function agentFixture(id: string, changes: Partial<PublicAgent> = {}): PublicAgent {
  return {
    id,
    name: id.replace(/-/g, ' '),
    priority: 'MEDIUM',
    dailyBudget: '2.00',
    weeklyBudget: null,
    monthlyBudget: null,
    maxPerCall: '1.00',
    spentToday: '0.50',
    reserved: '0.10',
    remaining: '1.40',
    paused: false,
    allowedServices: ['IMAGE_GEN', 'PRICE_ORACLE'],
    windows: [
      {
        window: 'daily',
        startsAt: '2026-12-05T00:00:00.000Z',
        endsAt: '2026-12-06T00:00:00.000Z',
        budget: '2.00',
        spent: '0.50',
        reserved: '0.10',
        remaining: '1.40',
      },
    ],
    approvalAbove: null,
    approvalAboveByService: {},
    ...changes,
  };
}

export function treasuryFixture(changes: Partial<TreasuryOverview> = {}): TreasuryOverview {
  return {
    mode: 'chain',
    address: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
    chainId: 31337,
    router: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
    token: { address: '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512', symbol: 'MNEE', decimals: 18 },
    balance: '995.15',
    ledger: {
      PENDING: { count: 0, amount: '0' },
      SUCCESS: { count: 4, amount: '0.85' },
      FAILED: { count: 0, amount: '0' },
      REFUNDED: { count: 0, amount: '0' },
      MOCK: { count: 0, amount: '0' },
    },
    limit: {
      periodEndsAt: '2026-12-06T00:00:00.000Z',
      dailyLimit: '8.00',
      spent: '0.85',
      reserved: '0.10',
      remaining: '7.05',
      highReserve: '4.00',
      highReserveLeft: '3.50',
    },
    explorerTxUrl: null,
    agents: [],
    ...changes,
  };
}

export function streamEventFixture(type: StreamEvent['type'], changes: Partial<StreamEvent> = {}): StreamEvent {
  return {
    type,
    at: '2026-12-05T10:00:00.000Z',
    agentId: 'user-agent',
    serviceId: 'PRICE_ORACLE',
    eventId: `${type}:1`,
    event: {},
    ...changes,
  };
}
