import type { PaymentClient, PolicyClient, LoggerClient } from '@nexus/clients';
import { redactSecrets, type PaymentMode } from '@nexus/types';
import type { ServiceDirectory } from './service-directory';

/** A dependency's state as the gateway sees it. */
export interface DependencyState {
  status: 'ok' | 'failing';
  error?: string;
}

const CACHE_MS = 2_000;
const PROBE_TIMEOUT_MS = 1_500;

/**
 * Asks the providers and the internal services whether they are healthy, in
 * parallel and with a short timeout; answers are kept for two seconds, so a
 * busy `GET /services` does not turn into a flood of probes.
 */
export class ServiceHealth {
  private readonly cache = new Map<string, { at: number; state: Promise<DependencyState> }>();
  private knownMode: PaymentMode | undefined;

  constructor(
    private readonly deps: { services: ServiceDirectory; policy: PolicyClient; payments: PaymentClient; logs: LoggerClient },
    private readonly now: () => number = Date.now,
  ) {}

  provider(serviceId: string): Promise<DependencyState> {
    const service = this.deps.services.get(serviceId);
    // An x402 service is up when it answers at all (its 402 is an answer); it has no health route of ours.
    const ping = () => (service.kind === 'x402' ? service.resource.ping(PROBE_TIMEOUT_MS) : service.client.ping(PROBE_TIMEOUT_MS));
    return this.cached(`provider:${serviceId}`, ping);
  }

  /** policy, payment and logger */
  async internal(): Promise<Record<string, DependencyState>> {
    const [policy, payment, logger] = await Promise.all([
      this.cached('policy', () => this.deps.policy.ping()),
      this.cached('payment', () => this.deps.payments.ping()),
      this.cached('logger', () => this.deps.logs.ping()),
    ]);
    return { policy, payment, logger };
  }

  /**
   * The payment service's mode (chain or mock), null while it cannot be
   * asked. It does not change while the service runs, so it is read once.
   */
  async paymentMode(): Promise<PaymentMode | null> {
    this.knownMode ??= await this.deps.payments.treasury().then(
      (view) => view.mode,
      () => undefined,
    );
    return this.knownMode ?? null;
  }

  private cached(name: string, probe: () => Promise<void>): Promise<DependencyState> {
    const hit = this.cache.get(name);
    if (hit && this.now() - hit.at < CACHE_MS) return hit.state;
    const state = probe().then(
      (): DependencyState => ({ status: 'ok' }),
      (error: unknown): DependencyState => ({
        status: 'failing',
        error: error instanceof Error ? redactSecrets(error.message) : 'unreachable',
      }),
    );
    this.cache.set(name, { at: this.now(), state });
    return state;
  }
}
