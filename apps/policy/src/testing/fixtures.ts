import { join } from 'node:path';
import { loadConfig, type NexusConfig } from '@nexus/config';

/** The configuration shipped in `config/`: the coordination problems are tested against it. */
export function shippedConfig(): NexusConfig {
  return loadConfig({ dir: join(__dirname, '../../../../config'), env: {} });
}

/** Small, explicit numbers for rule tests. */
export function ruleTestConfig(overrides: Partial<NexusConfig['policy']> = {}): NexusConfig {
  return {
    dir: 'inline',
    agents: [
      {
        id: 'high',
        name: 'High',
        priority: 'HIGH',
        dailyBudget: '10.00',
        maxPerCall: '2.00',
        allowedServices: ['ARCHIVE', 'COMPUTE', 'QUOTE', 'PAID_API'],
      },
      {
        id: 'medium',
        name: 'Medium',
        priority: 'MEDIUM',
        dailyBudget: '10.00',
        maxPerCall: '2.00',
        allowedServices: ['ARCHIVE', 'COMPUTE', 'QUOTE'],
      },
      {
        id: 'low',
        name: 'Low',
        priority: 'LOW',
        dailyBudget: '10.00',
        maxPerCall: '2.00',
        allowedServices: ['ARCHIVE', 'COMPUTE', 'QUOTE'],
      },
      { id: 'quotes-only', name: 'Quotes only', priority: 'HIGH', dailyBudget: '5.00', maxPerCall: '1.00', allowedServices: ['QUOTE'] },
    ],
    services: [
      {
        id: 'ARCHIVE',
        name: 'Archive',
        providerUrl: 'http://127.0.0.1:9001',
        payee: '0x0000000000000000000000000000000000000001',
        defaultVariant: 'full',
        pressureDowngrade: true,
        variants: [
          { id: 'full', price: '1.00' },
          { id: 'compact', price: '0.50' },
          { id: 'summary', price: '0.10' },
        ],
      },
      {
        id: 'COMPUTE',
        name: 'Compute',
        providerUrl: 'http://127.0.0.1:9002',
        payee: '0x0000000000000000000000000000000000000002',
        defaultVariant: 'standard',
        pressureDowngrade: true,
        variants: [{ id: 'standard', price: '1.50' }],
      },
      {
        id: 'QUOTE',
        name: 'Quote',
        providerUrl: 'http://127.0.0.1:9003',
        payee: '0x0000000000000000000000000000000000000003',
        defaultVariant: 'query',
        pressureDowngrade: true,
        variants: [{ id: 'query', price: '0.05' }],
      },
    ],
    x402Services: [
      {
        id: 'PAID_API',
        kind: 'x402',
        name: 'An x402 API',
        url: 'http://127.0.0.1:9004/paid',
        method: 'GET',
        maxPrice: '0.50',
        payTo: '0x0000000000000000000000000000000000000004',
        input: 'passthrough',
      },
    ],
    policy: {
      period: { length: 'daily', timeZone: 'UTC' },
      holds: { ttlSeconds: 120, sweepIntervalSeconds: 15 },
      treasury: { dailyLimit: '20.00' },
      reserve: { highShare: 0.25, restrictedPriorities: ['LOW'] },
      budgetPressure: { fraction: 0.2 },
      rollover: { enabled: false, maxCarry: '0.00' },
      alerts: { budgetThresholds: [50, 80, 95, 100], rejectionSpike: { count: 10, minutes: 5 } },
      approvals: { ttlSeconds: 900 },
      ...overrides,
    },
  };
}
