import { DemoSetupError, demoSettings, gatewayUrlFrom, parseDemoArgs } from './demo-settings';

const KEYS = 'user-agent:k-user-0123456789abcdef,batch-agent:k-batch-0123456789abcdef,ops-agent:k-ops-0123456789abcdef';
const env = (extra: Record<string, string> = {}) => ({ ADMIN_API_KEY: 'k-admin-0123456789abcdef', AGENT_API_KEYS: KEYS, ...extra });

const setupError = (run: () => unknown): DemoSetupError => {
  try {
    run();
  } catch (error) {
    if (error instanceof DemoSetupError) return error;
    throw error;
  }
  throw new Error('expected a DemoSetupError');
};

describe('the demo settings', () => {
  it('reads each agent’s key and the admin key, and resets by default, printing text', () => {
    expect(demoSettings([], env(), '/x/.env')).toEqual({
      gatewayUrl: 'http://127.0.0.1:8000',
      adminKey: 'k-admin-0123456789abcdef',
      agentKeys: {
        'user-agent': 'k-user-0123456789abcdef',
        'batch-agent': 'k-batch-0123456789abcdef',
        'ops-agent': 'k-ops-0123456789abcdef',
      },
      reset: true,
      json: false,
    });
  });

  it('takes --json and --no-reset, and refuses anything else', () => {
    expect(parseDemoArgs(['--json', '--no-reset'])).toEqual({ json: true, reset: false, help: false });
    expect(setupError(() => parseDemoArgs(['--jsn'])).message).toMatch(/unknown argument "--jsn"; usage: npm run demo/);
  });

  it('names the agent whose key is missing, and never prints a key', () => {
    const error = setupError(() => demoSettings([], env({ AGENT_API_KEYS: 'user-agent:k-user-0123456789abcdef,ops-agent:' }), '/x/.env'));
    expect(error.message).toBe('AGENT_API_KEYS has no key for batch-agent, ops-agent');
    expect(setupError(() => demoSettings([], { ADMIN_API_KEY: 'a' }, '/x/.env')).message).toMatch(
      /AGENT_API_KEYS is not set \(looked in \/x\/\.env/,
    );
  });

  it('needs the admin key to reset the budgets, and not with --no-reset', () => {
    const noAdmin = { AGENT_API_KEYS: KEYS };
    expect(setupError(() => demoSettings([], noAdmin, '/x/.env')).message).toMatch(/ADMIN_API_KEY is not set.*or run with --no-reset/);
    expect(demoSettings(['--no-reset'], noAdmin, '/x/.env')).toMatchObject({ adminKey: null, reset: false });
  });

  it('talks to GATEWAY_URL, else to the loopback address on GATEWAY_PORT', () => {
    expect(gatewayUrlFrom({ GATEWAY_URL: 'http://gw.local:9000/' })).toBe('http://gw.local:9000');
    expect(gatewayUrlFrom({ GATEWAY_PORT: '8100' })).toBe('http://127.0.0.1:8100');
    expect(gatewayUrlFrom({})).toBe('http://127.0.0.1:8000');
    expect(setupError(() => gatewayUrlFrom({ GATEWAY_URL: 'not a url' })).message).toMatch(/GATEWAY_URL is not a URL/);
    expect(setupError(() => gatewayUrlFrom({ GATEWAY_PORT: 'eighty' })).message).toMatch(/GATEWAY_PORT is not a port/);
  });
});
