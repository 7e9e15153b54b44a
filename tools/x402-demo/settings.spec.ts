import { join, resolve } from 'node:path';
import { oracleUrlFrom, parseX402DemoArgs, X402DemoSetupError, x402DemoSettings } from './settings';

/** what npm start writes to .env for the second part: the agents' keys, and the config the gateway reads */
const STACK_ENV = {
  AGENT_API_KEYS: 'user-agent:user-key-0123456789abcdef,batch-agent:batch-key-0123456789abcdef',
  NEXUS_CONFIG_DIR: join(__dirname, '../../config'),
};

describe('npm run demo:x402 settings', () => {
  it('takes --json and --help, and refuses anything else', () => {
    expect(parseX402DemoArgs([])).toEqual({ json: false, help: false });
    expect(parseX402DemoArgs(['--json'])).toEqual({ json: true, help: false });
    expect(parseX402DemoArgs(['-h'])).toEqual({ json: false, help: true });
    expect(() => parseX402DemoArgs(['--no-reset'])).toThrow(X402DemoSetupError);
    expect(() => parseX402DemoArgs(['--no-reset'])).toThrow('unknown argument "--no-reset"; usage: npm run demo:x402 [-- --json]');
  });

  it('finds PRICE_ORACLE on its port, or at NEXUS_SERVICE_PRICE_ORACLE_URL', () => {
    expect(oracleUrlFrom({})).toBe('http://127.0.0.1:8002/invoke');
    expect(oracleUrlFrom({ PRICE_ORACLE_PORT: '18002' })).toBe('http://127.0.0.1:18002/invoke');
    expect(oracleUrlFrom({ NEXUS_SERVICE_PRICE_ORACLE_URL: 'http://oracle:9000/', PRICE_ORACLE_PORT: '1' })).toBe(
      'http://oracle:9000/invoke',
    );
    expect(() => oracleUrlFrom({ PRICE_ORACLE_PORT: 'x' })).toThrow('PRICE_ORACLE_PORT is not a port: "x"');
    expect(() => oracleUrlFrom({ NEXUS_SERVICE_PRICE_ORACLE_URL: 'oracle' })).toThrow(X402DemoSetupError);
  });

  it('reads the local chain as npm run fund does: CHAIN_RPC_URL and the deployment under NEXUS_DATA_DIR', () => {
    expect(x402DemoSettings(['--json'], { ...STACK_ENV, NEXUS_DATA_DIR: '/tmp/nexus', CHAIN_RPC_URL: 'http://127.0.0.1:18545' })).toEqual({
      oracleUrl: 'http://127.0.0.1:8002/invoke',
      rpcUrl: 'http://127.0.0.1:18545',
      deploymentFile: join('/tmp/nexus', 'chain', 'deployment.json'),
      json: true,
      api: {
        service: expect.objectContaining({ id: 'EXT_WEATHER', url: 'http://127.0.0.1:8010/weather' }),
        gatewayUrl: 'http://127.0.0.1:8000',
        agentKey: 'user-key-0123456789abcdef',
      },
    });
    expect(x402DemoSettings([], { ...STACK_ENV, CHAIN_DEPLOYMENT_FILE: 'elsewhere.json' }).deploymentFile).toBe(resolve('elsewhere.json'));
  });

  it("pays the x402 service where services.yaml puts it, through GATEWAY_PORT, with user-agent's key", () => {
    const settings = x402DemoSettings([], {
      ...STACK_ENV,
      GATEWAY_PORT: '18000',
      NEXUS_SERVICE_EXT_WEATHER_URL: 'http://127.0.0.1:18010/weather',
    });
    expect(settings.api).toMatchObject({ gatewayUrl: 'http://127.0.0.1:18000', service: { url: 'http://127.0.0.1:18010/weather' } });
    expect(() => x402DemoSettings([], { ...STACK_ENV, AGENT_API_KEYS: 'batch-agent:batch-key-0123456789abcdef' })).toThrow(
      'AGENT_API_KEYS has no key for user-agent',
    );
  });

  it('says x402 needs chain mode when PAYMENT_MODE is mock', () => {
    expect(() => x402DemoSettings([], { PAYMENT_MODE: 'mock' })).toThrow(X402DemoSetupError);
    expect(() => x402DemoSettings([], { PAYMENT_MODE: 'mock' })).toThrow(/PAYMENT_MODE is mock: x402 needs chain mode/);
  });

  it('refuses a configured network, and bad chain settings, as setup problems', () => {
    const network = {
      CHAIN_ID: '1',
      MNEE_TOKEN_ADDRESS: '0x8ccedbAe4916b79da7F3F612EfB2EB93A2bFD6cF',
      PAYMENT_ROUTER_ADDRESS: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
    };
    expect(() => x402DemoSettings([], network)).toThrow(
      /\(chain 1\): the x402 demo funds its wallet with the stand-in MNEE of the local chain/,
    );
    expect(() => x402DemoSettings([], { PAYMENT_MODE: 'paper' })).toThrow(X402DemoSetupError);
  });
});
