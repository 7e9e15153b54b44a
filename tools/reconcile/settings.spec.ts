import { resolve } from 'node:path';
import { ReconcileSetupError, parseReconcileArgs, reconcileSettings, redact, secretsOf } from './settings';

const TOKEN = 'internal-token-0123456789abcdef';

describe('reconcile settings', () => {
  it('reaches the services on loopback at their ports, or at the URLs given', () => {
    expect(reconcileSettings({ OPERATOR_TOKEN: TOKEN }, '.env').urls).toEqual({
      policy: 'http://127.0.0.1:8005',
      payment: 'http://127.0.0.1:8006',
      logger: 'http://127.0.0.1:8007',
    });
    expect(
      reconcileSettings(
        { OPERATOR_TOKEN: TOKEN, POLICY_PORT: '9105', PAYMENT_URL: 'http://payment:8006/', LOGGER_URL: 'http://logs.internal' },
        '.env',
      ).urls,
    ).toEqual({ policy: 'http://127.0.0.1:9105', payment: 'http://payment:8006', logger: 'http://logs.internal' });
  });

  it('reads the chain settings like the services do: the deployment file under NEXUS_DATA_DIR, or a configured network', () => {
    const local = reconcileSettings({ OPERATOR_TOKEN: TOKEN, NEXUS_DATA_DIR: '/tmp/stack-data' }, '.env');
    expect(local.chain.mode).toBe('chain');
    expect(local.chain.target).toEqual({
      kind: 'local',
      rpcUrl: 'http://127.0.0.1:8545',
      deploymentFile: '/tmp/stack-data/chain/deployment.json',
    });
    expect(reconcileSettings({ OPERATOR_TOKEN: TOKEN }, '.env').chain.target).toMatchObject({
      deploymentFile: resolve('data/chain/deployment.json'),
    });
    expect(reconcileSettings({ OPERATOR_TOKEN: TOKEN, PAYMENT_MODE: 'mock' }, '.env').chain.mode).toBe('mock');
    expect(reconcileSettings({ OPERATOR_TOKEN: TOKEN, RECONCILE_FROM_BLOCK: '1200' }, '.env').fromBlock).toBe(1200);
  });

  it('refuses to start without OPERATOR_TOKEN, or with settings that do not parse, naming what is wrong', () => {
    expect(() => reconcileSettings({}, '/stack/.env')).toThrow(
      new ReconcileSetupError('OPERATOR_TOKEN is not set (looked in /stack/.env and the environment; npm start writes it)'),
    );
    expect(() => reconcileSettings({ OPERATOR_TOKEN: TOKEN, POLICY_PORT: 'eighty' }, '.env')).toThrow(
      'POLICY_PORT is not a port: "eighty"',
    );
    expect(() => reconcileSettings({ OPERATOR_TOKEN: TOKEN, LOGGER_URL: 'not a url' }, '.env')).toThrow('LOGGER_URL is not a URL');
    expect(() => reconcileSettings({ OPERATOR_TOKEN: TOKEN, PAYMENT_MODE: 'paper' }, '.env')).toThrow(/PAYMENT_MODE/);
    expect(() => reconcileSettings({ OPERATOR_TOKEN: TOKEN, RECONCILE_FROM_BLOCK: '-1' }, '.env')).toThrow(ReconcileSetupError);
  });

  it('knows every secret of the environment and blanks each out of a message', () => {
    const env = {
      OPERATOR_TOKEN: TOKEN,
      AGENT_API_KEYS: 'user-agent:aaaaaaaaaaaa1111,batch-agent:bbbbbbbbbbbb2222',
      PAYEE_PRIVATE_KEYS: `0x${'1'.repeat(64)},0x${'2'.repeat(64)}`,
      POLICY_PORT: '8005',
    };
    const secrets = secretsOf(env);
    expect(secrets).toEqual(expect.arrayContaining([TOKEN, 'aaaaaaaaaaaa1111', 'bbbbbbbbbbbb2222', `0x${'2'.repeat(64)}`]));
    expect(secrets).not.toContain('8005');
    const message = `refused ${TOKEN} for user-agent:aaaaaaaaaaaa1111 signed by 0x${'2'.repeat(64)}`;
    expect(redact(message, secrets)).toBe('refused [redacted] for user-agent:[redacted] signed by [redacted]');
  });

  it('takes --json, --wait <seconds> and --help, and refuses anything else', () => {
    expect(parseReconcileArgs([])).toEqual({ json: false, waitSeconds: 0, help: false });
    expect(parseReconcileArgs(['--json', '--wait', '15'])).toEqual({ json: true, waitSeconds: 15, help: false });
    expect(parseReconcileArgs(['--wait=3', '-h'])).toEqual({ json: false, waitSeconds: 3, help: true });
    expect(() => parseReconcileArgs(['--wait'])).toThrow('--wait needs a number of seconds');
    expect(() => parseReconcileArgs(['--verbose'])).toThrow('unknown argument "--verbose"');
  });

  it('takes the age after which a PENDING payment or HELD hold is stuck from --stale-after or RECONCILE_STALE_AFTER_SECONDS (900 s by default)', () => {
    expect(parseReconcileArgs(['--stale-after', '60'])).toEqual({ json: false, waitSeconds: 0, staleAfterSeconds: 60, help: false });
    expect(parseReconcileArgs(['--stale-after=5'])).toMatchObject({ staleAfterSeconds: 5 });
    expect(() => parseReconcileArgs(['--stale-after', 'soon'])).toThrow('--stale-after needs a number of seconds');
    expect(reconcileSettings({ OPERATOR_TOKEN: TOKEN }, '.env').staleAfterSeconds).toBe(900);
    expect(reconcileSettings({ OPERATOR_TOKEN: TOKEN, RECONCILE_STALE_AFTER_SECONDS: '120' }, '.env').staleAfterSeconds).toBe(120);
    expect(() => reconcileSettings({ OPERATOR_TOKEN: TOKEN, RECONCILE_STALE_AFTER_SECONDS: '2m' }, '.env')).toThrow(ReconcileSetupError);
  });
});
