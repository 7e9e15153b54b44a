import { AppError } from '@nexus/service-kit';
import { identify } from './api-keys';
import { actingAgent, agentFilter } from './caller';

const keys = {
  admin: 'admin-key-0123456789abcdef',
  agents: new Map([
    ['user-agent', 'user-key-0123456789abcdef'],
    ['batch-agent', 'batch-key-0123456789abcdef'],
  ]),
};

describe('API keys', () => {
  it('knows the admin key and each agent key, and nothing else', () => {
    expect(identify(keys, 'admin-key-0123456789abcdef')).toEqual({ kind: 'admin' });
    expect(identify(keys, 'batch-key-0123456789abcdef')).toEqual({ kind: 'agent', agentId: 'batch-agent' });
    expect(identify(keys, 'batch-key-0123456789abcde')).toBeUndefined();
    expect(identify(keys, '')).toBeUndefined();
  });
});

describe('acting as an agent', () => {
  const statusOf = (run: () => unknown) => {
    try {
      run();
    } catch (error: unknown) {
      return error instanceof AppError ? `${error.status} ${error.code}` : 'not an AppError';
    }
    return 'no error';
  };

  it('lets an agent key act as its own agent only', () => {
    const caller = { kind: 'agent' as const, agentId: 'user-agent' };
    expect(actingAgent(caller, undefined)).toBe('user-agent');
    expect(actingAgent(caller, 'user-agent')).toBe('user-agent');
    expect(statusOf(() => actingAgent(caller, 'batch-agent'))).toBe('403 FORBIDDEN');
    expect(agentFilter(caller, undefined)).toBe('user-agent');
  });

  it('makes the admin key name the agent it acts as, and lets it see every agent', () => {
    expect(actingAgent({ kind: 'admin' }, 'ops-agent')).toBe('ops-agent');
    expect(statusOf(() => actingAgent({ kind: 'admin' }, undefined))).toBe('400 VALIDATION_ERROR');
    expect(agentFilter({ kind: 'admin' }, undefined)).toBeUndefined();
    expect(agentFilter({ kind: 'admin' }, 'ops-agent')).toBe('ops-agent');
  });
});
