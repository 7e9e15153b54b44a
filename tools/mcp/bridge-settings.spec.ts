import { BridgeSetupError, bridgeSettings, mcpUrlFrom, parseBridgeArgs } from './bridge-settings';

const KEYS = 'user-agent:k-user-0123456789abcdef,ops-agent:k-ops-0123456789abcdef';

const setupError = (run: () => unknown): BridgeSetupError => {
  try {
    run();
  } catch (error) {
    if (error instanceof BridgeSetupError) return error;
    throw error;
  }
  throw new Error('expected a BridgeSetupError');
};

describe('npm run mcp settings', () => {
  it('takes the agent from --agent <id> or --agent=<id>, and --help', () => {
    expect(parseBridgeArgs(['--agent', 'ops-agent'])).toEqual({ agentId: 'ops-agent', help: false });
    expect(parseBridgeArgs(['--agent=ops-agent'])).toEqual({ agentId: 'ops-agent', help: false });
    expect(parseBridgeArgs(['--help'])).toEqual({ agentId: undefined, help: true });
    expect(setupError(() => parseBridgeArgs(['--agent'])).message).toMatch(/--agent needs an agent id/);
    expect(setupError(() => parseBridgeArgs(['--verbose'])).message).toMatch(/unknown argument "--verbose"/);
  });

  it("reads the agent's key from AGENT_API_KEYS and the gateway's /mcp from GATEWAY_URL, else GATEWAY_PORT on loopback", () => {
    expect(bridgeSettings(['--agent', 'ops-agent'], { AGENT_API_KEYS: KEYS, GATEWAY_URL: 'http://gw.local:9000/' }, '/x/.env')).toEqual({
      agentId: 'ops-agent',
      key: 'k-ops-0123456789abcdef',
      mcpUrl: 'http://gw.local:9000/mcp',
    });
    expect(mcpUrlFrom({})).toBe('http://127.0.0.1:8000/mcp');
    expect(mcpUrlFrom({ GATEWAY_PORT: '8100' })).toBe('http://127.0.0.1:8100/mcp');
    expect(setupError(() => mcpUrlFrom({ GATEWAY_URL: 'not a url' })).message).toMatch(/GATEWAY_URL is not a URL/);
  });

  it('says what is missing without printing a key', () => {
    expect(setupError(() => bridgeSettings([], { AGENT_API_KEYS: KEYS }, '/x/.env')).message).toMatch(/which agent\?/);
    expect(setupError(() => bridgeSettings(['--agent', 'user-agent'], {}, '/x/.env')).message).toMatch(
      /AGENT_API_KEYS is not set \(looked in \/x\/\.env/,
    );
    const missing = setupError(() => bridgeSettings(['--agent', 'batch-agent'], { AGENT_API_KEYS: KEYS }, '/x/.env'));
    expect(missing.message).toBe('AGENT_API_KEYS has no key for batch-agent');
  });
});
