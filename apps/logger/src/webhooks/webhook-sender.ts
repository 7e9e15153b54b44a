import { isIP } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { Agent, request } from 'undici';
import { backoffDelay } from '@nexus/clients';
import type { DeliveryRecord, DueDelivery, WebhookStore } from '@nexus/stores';
import { guardedLookup, isPrivateAddress, TargetRefused } from './target-guard';
import type { WebhookSettings } from './webhook-env';
import type { WebhookMetrics } from './webhook-metrics';

export interface WebhookSenderDeps {
  store: WebhookStore;
  settings: WebhookSettings;
  metrics?: WebhookMetrics;
  clock?: () => Date;
  /** the jitter's source; Math.random by default */
  random?: () => number;
}

/** How long a sender holds a delivery it took: past an attempt's timeout, so two never post the same one at once. */
const leaseMs = (settings: WebhookSettings) => settings.timeoutMs + 30_000;
/** The most an error text keeps. */
const ERROR_TEXT = 300;

/**
 * Posts due deliveries, signed the Standard Webhooks way (`webhook-id`,
 * `webhook-timestamp`, `webhook-signature`: v1, HMAC-SHA256 of
 * "id.timestamp.body" with the webhook's whsec_ secret), and records each
 * attempt: a 2xx is DELIVERED; anything else is tried again after an
 * exponential backoff with jitter, until the delivery is older than the
 * give-up time (DEAD). Redirects are failures, never followed.
 */
export class WebhookSender {
  private readonly agent: Agent;
  private readonly now: () => Date;

  constructor(private readonly deps: WebhookSenderDeps) {
    this.now = deps.clock ?? (() => new Date());
    const policy = { allowPrivate: deps.settings.allowPrivateTargets };
    this.agent = new Agent({
      connect: { lookup: guardedLookup(policy), timeout: deps.settings.timeoutMs },
      headersTimeout: deps.settings.timeoutMs,
      bodyTimeout: deps.settings.timeoutMs,
      // a receiver's connection is not kept long: deliveries to one URL are seldom back to back
      keepAliveTimeout: 1_000,
    });
  }

  /** Takes the due deliveries (a batch) and attempts each; how many were attempted. */
  async sendDue(limit = 50): Promise<number> {
    const due = await this.deps.store.claimDue(this.now(), leaseMs(this.deps.settings), limit);
    // One webhook's messages go out one after another, in the order they were taken; webhooks side by side.
    const byWebhook = new Map<string, DueDelivery[]>();
    for (const delivery of due) byWebhook.set(delivery.webhookId, [...(byWebhook.get(delivery.webhookId) ?? []), delivery]);
    await Promise.all(
      [...byWebhook.values()].map(async (deliveries) => {
        for (const delivery of deliveries) await this.attempt(delivery);
      }),
    );
    return due.length;
  }

  /** Attempts one waiting delivery now, due or not (a test message); its record afterwards. */
  async sendNow(id: string): Promise<DeliveryRecord | undefined> {
    const [delivery] = await this.deps.store.claimDue(this.now(), leaseMs(this.deps.settings), 1, id);
    if (delivery) await this.attempt(delivery);
    return this.deps.store.getDelivery(id);
  }

  close(): Promise<void> {
    return this.agent.close();
  }

  private async attempt(delivery: DueDelivery): Promise<void> {
    const started = this.now();
    const clock = performance.now();
    let httpStatus: number | null = null;
    let error: string | null = null;
    try {
      this.refuseLiteralPrivate(delivery.url);
      const signature = new Webhook(delivery.secret).sign(delivery.id, started, delivery.payload);
      const response = await request(delivery.url, {
        method: 'POST',
        dispatcher: this.agent,
        body: delivery.payload,
        headers: {
          'content-type': 'application/json',
          'user-agent': 'mnee-nexus-webhooks',
          'webhook-id': delivery.id,
          'webhook-timestamp': String(Math.floor(started.getTime() / 1_000)),
          'webhook-signature': signature,
        },
        signal: AbortSignal.timeout(this.deps.settings.timeoutMs),
      });
      httpStatus = response.statusCode;
      await response.body.dump();
      if (httpStatus < 200 || httpStatus >= 300) error = `answered ${httpStatus}`;
    } catch (failure: unknown) {
      error = failureText(failure);
    }
    const latencyMs = performance.now() - clock;
    const at = this.now();
    if (error === null) {
      this.deps.metrics?.attempted('delivered', latencyMs / 1_000);
      await this.deps.store.recordAttempt(delivery.id, { at, httpStatus, latencyMs, error, status: 'DELIVERED', nextAttemptAt: null });
      return;
    }
    const { retryInitialMs, retryMaxMs, giveUpAfterMs } = this.deps.settings;
    const next = new Date(
      at.getTime() + backoffDelay(delivery.attempts + 1, { initialDelayMs: retryInitialMs, maxDelayMs: retryMaxMs }, this.deps.random),
    );
    const givenUp = next.getTime() - delivery.createdAt.getTime() > giveUpAfterMs;
    this.deps.metrics?.attempted(givenUp ? 'dead' : 'failed', latencyMs / 1_000);
    await this.deps.store.recordAttempt(delivery.id, {
      at,
      httpStatus,
      latencyMs,
      error: givenUp ? `${error}; given up after ${delivery.attempts + 1} attempts` : error,
      status: givenUp ? 'DEAD' : 'FAILED',
      nextAttemptAt: givenUp ? null : next,
    });
  }

  /** A host that is an IP never reaches the guarded lookup, so it is checked here (a webhook made before a policy change). */
  private refuseLiteralPrivate(raw: string): void {
    if (this.deps.settings.allowPrivateTargets) return;
    const host = new URL(raw).hostname.replace(/^\[(.*)\]$/, '$1');
    if (isIP(host) !== 0 && isPrivateAddress(host)) throw new TargetRefused(`${host} is a private, loopback or reserved address`);
  }
}

function failureText(failure: unknown): string {
  if (!(failure instanceof Error)) return 'the attempt failed';
  const cause = failure.cause instanceof Error ? `: ${failure.cause.message}` : '';
  const code = 'code' in failure && typeof failure.code === 'string' ? ` (${failure.code})` : '';
  return `${failure.message}${code}${cause}`.slice(0, ERROR_TEXT);
}
