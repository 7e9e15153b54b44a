import type { Router } from 'express';
import type { Registry } from 'prom-client';
import type { z } from 'zod';
import type { ServiceConfig } from '@nexus/config';
import type { HealthCheck, Logger } from '@nexus/service-kit';
import type { Database } from '@nexus/stores';
import type { RedeemedPayment } from '@nexus/types';

/** What a paid handler knows of the call it serves. */
export interface PaidCallContext {
  serviceId: string;
  /** the variant paid for (the service's default when the request named none) */
  variant: string;
  /** the payment this call used up */
  payment: RedeemedPayment;
  requestId: string;
  logger: Logger;
}

/**
 * A provider, as the kit runs it: `POST /invoke` validates `{variant, input}`
 * with `input`, runs `precheck` (free: it may refuse before any payment is
 * looked at), then the paywall (402 without a proof, 409 for a redeemed one),
 * then `run`. Any failure of `run` after the proof was redeemed refunds the
 * payment and says so in the answer, so every refusal the caller should not
 * pay for belongs in `precheck`.
 */
export interface ProviderDefinition<Input extends z.ZodType = z.ZodType, Result = unknown> {
  /** the service id in config/services.yaml (its payee, variants and prices come from there) */
  serviceId: string;
  /** zod schema of `input`; its errors are 400s with paths under `body.input` */
  input: Input;
  /** checks after validation and before payment: throw an AppError (e.g. 404 PRICE_NOT_FOUND) to refuse for free */
  precheck?(input: z.infer<Input>, variant: string): Promise<void> | void;
  /** the paid work; its value is the `result` of the answer */
  run(input: z.infer<Input>, context: PaidCallContext): Promise<Result>;
  /** free routes of the provider (GET /jobs/:id, GET /archives/:id...) */
  routes?: (router: Router) => void;
  /** readiness checks beyond the kit's own (store, chain or payment service) */
  healthChecks?: Record<string, HealthCheck>;
  /** JSON body limit; 100kb by default */
  bodyLimit?: string;
}

/**
 * Types a definition from its input schema (so `precheck` and `run` see the
 * parsed input), for a builder to return.
 */
export function defineProvider<Input extends z.ZodType, Result>(definition: ProviderDefinition<Input, Result>): ProviderDefinition {
  return definition;
}

/** What a provider's builder gets from the kit at start-up (and from the test harness). */
export interface ProviderRuntime {
  /** this provider's entry of config/services.yaml */
  service: ServiceConfig;
  /** the data directory (NEXUS_DATA_DIR) */
  dataDir: string;
  /**
   * The provider's one store (SQLite `<dataDir>/<name>.sqlite`, or PostgreSQL
   * by `<NAME>_DATABASE_URL`/`DATABASE_URL`), typed for the caller's tables.
   * The kit keeps its redemptions in it too and closes it on shutdown.
   */
  database: <Tables>() => Database<Tables>;
  logger: Logger;
  /** the provider's metrics registry: add domain counters to it */
  registry: Registry;
  /** runs on shutdown, after the server stopped taking requests and before the store closes */
  onShutdown: (close: () => Promise<void> | void) => void;
  env: NodeJS.ProcessEnv;
}

export type ProviderBuilder = (runtime: ProviderRuntime) => Promise<ProviderDefinition> | ProviderDefinition;
