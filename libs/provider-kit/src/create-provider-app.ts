import type { Express, RequestHandler, Response } from 'express';
import type { Registry } from 'prom-client';
import { createServiceApp, parseInput, validationError, type HealthCheck, type Logger } from '@nexus/service-kit';
import { InvokeRequest, type InvokeResponse } from '@nexus/types';
import { paidCallOf, type Paywall } from './paywall';
import type { ProviderDefinition } from './provider-definition';
import { DEFAULT_UNPAID_LIMITS, unpaidGuards, type UnpaidLimits } from './unpaid/unpaid-guard';

export interface ProviderAppDeps {
  /** the app's name in logs and metrics (e.g. `image-gen`) */
  name: string;
  definition: ProviderDefinition;
  paywall: Paywall;
  logger: Logger;
  registry: Registry;
  /** the kit's readiness checks (store, chain or payment service) */
  healthChecks: Record<string, HealthCheck>;
  /** free work per address and the body limit of an unpaid `/invoke` (DEFAULT_UNPAID_LIMITS when absent) */
  unpaidLimits?: UnpaidLimits;
}

interface ValidInvoke {
  variant: string;
  input: unknown;
}

const INVOKE = 'nexusInvoke';
const invokeOf = (res: Response) => res.locals[INVOKE] as ValidInvoke;

/**
 * A provider's HTTP API: `GET /quote` (free), `POST /precheck` (free: the
 * answer `/invoke` would give to the same body before any payment, `{ok: true}`
 * when it would take it), `POST /invoke` (validated, prechecked, then paid),
 * the provider's own free routes, health and metrics. Requests without a
 * payment proof are rate-limited per address.
 */
export function createProviderApp(deps: ProviderAppDeps): Express {
  const { definition, paywall } = deps;

  /** Everything that can refuse a call for free happens here, before the payment is looked at. */
  const validate: RequestHandler = async (req, res, next) => {
    const body = parseInput(InvokeRequest, req.body, 'body');
    const variant = body.variant ?? paywall.quote.defaultVariant;
    paywall.priceOf(variant);
    const parsed = definition.input.safeParse(body.input);
    if (!parsed.success)
      throw validationError(
        'invalid request body',
        parsed.error.issues.map((issue) => ({ path: ['body', 'input', ...issue.path.map(String)].join('.'), message: issue.message })),
      );
    await definition.precheck?.(parsed.data, variant);
    res.locals[INVOKE] = { variant, input: parsed.data } satisfies ValidInvoke;
    next();
  };

  const serve: RequestHandler = async (_req, res) => {
    const { variant, input } = invokeOf(res);
    const payment = paidCallOf(res);
    const requestId = typeof res.locals['requestId'] === 'string' ? res.locals['requestId'] : '';
    const result = await definition.run(input, {
      serviceId: definition.serviceId,
      variant,
      payment,
      requestId,
      logger: deps.logger.child({ paymentId: payment.paymentId, requestId }),
    });
    const answer: InvokeResponse = { serviceId: definition.serviceId, variant, payment, result };
    res.json(answer);
  };

  return createServiceApp({
    name: deps.name,
    logger: deps.logger,
    registry: deps.registry,
    healthChecks: { ...deps.healthChecks, ...definition.healthChecks },
    ...(definition.bodyLimit ? { bodyLimit: definition.bodyLimit } : {}),
    guards: unpaidGuards(deps.unpaidLimits ?? DEFAULT_UNPAID_LIMITS),
    routes: (router) => {
      router.get('/quote', (_req, res) => {
        res.json(paywall.quote);
      });
      router.post('/precheck', validate, (_req, res) => {
        res.json({ ok: true });
      });
      router.post(
        '/invoke',
        validate,
        paywall.protect((_req, res) => invokeOf(res).variant),
        serve,
      );
      definition.routes?.(router);
    },
  });
}
