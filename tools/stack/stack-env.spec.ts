import { stackEnvironment } from './stack-env';

describe('the environment of npm start', () => {
  it('points every service at the others on their default ports', () => {
    const env = stackEnvironment({});
    expect(env['POLICY_URL']).toBe('http://127.0.0.1:8005');
    expect(env['PAYMENT_URL']).toBe('http://127.0.0.1:8006');
    expect(env['LOGGER_URL']).toBe('http://127.0.0.1:8007');
    expect(env['NEXUS_SERVICE_IMAGE_GEN_URL']).toBe('http://127.0.0.1:8001');
    expect(env['NEXUS_SERVICE_LOG_ARCHIVE_URL']).toBe('http://127.0.0.1:8004');
  });

  it('moves a service’s address with its port, and keeps an address given outright', () => {
    const env = stackEnvironment({ PRICE_ORACLE_PORT: '9102', POLICY_PORT: '9105', LOGGER_URL: 'http://logs.internal:7000' });
    expect(env['NEXUS_SERVICE_PRICE_ORACLE_URL']).toBe('http://127.0.0.1:9102');
    expect(env['POLICY_URL']).toBe('http://127.0.0.1:9105');
    expect(env['LOGGER_URL']).toBe('http://logs.internal:7000');
    expect(env['PRICE_ORACLE_PORT']).toBe('9102');
  });

  it('lets webhooks reach receivers on this machine, unless the environment says otherwise', () => {
    expect(stackEnvironment({})['WEBHOOK_ALLOW_PRIVATE_TARGETS']).toBe('true');
    expect(stackEnvironment({ WEBHOOK_ALLOW_PRIVATE_TARGETS: 'false' })['WEBHOOK_ALLOW_PRIVATE_TARGETS']).toBe('false');
  });
});
