import { ConfigError } from '@nexus/config';
import { DEFAULT_WEBHOOK_SETTINGS, loadWebhookSettings } from './webhook-env';

describe('the webhook settings', () => {
  it('refuse private targets unless WEBHOOK_ALLOW_PRIVATE_TARGETS is exactly true', () => {
    expect(loadWebhookSettings({})).toEqual(DEFAULT_WEBHOOK_SETTINGS);
    expect(loadWebhookSettings({ WEBHOOK_ALLOW_PRIVATE_TARGETS: '' }).allowPrivateTargets).toBe(false);
    expect(loadWebhookSettings({ WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' }).allowPrivateTargets).toBe(true);
    expect(() => loadWebhookSettings({ WEBHOOK_ALLOW_PRIVATE_TARGETS: 'yes' })).toThrow(ConfigError);
  });

  it('read the retry timings and refuse a ceiling below the first wait', () => {
    expect(
      loadWebhookSettings({ WEBHOOK_RETRY_INITIAL_MS: '200', WEBHOOK_RETRY_MAX_MS: '5000', WEBHOOK_GIVE_UP_HOURS: '0.5' }),
    ).toMatchObject({
      retryInitialMs: 200,
      retryMaxMs: 5_000,
      giveUpAfterMs: 1_800_000,
    });
    expect(() => loadWebhookSettings({ WEBHOOK_RETRY_INITIAL_MS: '5000', WEBHOOK_RETRY_MAX_MS: '1000' })).toThrow(/WEBHOOK_RETRY_MAX_MS/);
    expect(() => loadWebhookSettings({ WEBHOOK_POLL_MS: 'often' })).toThrow(ConfigError);
  });
});
