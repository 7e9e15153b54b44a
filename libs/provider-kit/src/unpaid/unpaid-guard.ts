import express, { type Request, type RequestHandler } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import { z } from 'zod';
import { ConfigError } from '@nexus/config';
import { AppError } from '@nexus/service-kit';
import { PAYMENT_ID_HEADER } from '@nexus/types';
import { PAYMENT_SIGNATURE_HEADER } from '../x402/x402-headers';

/** How much free work one address may ask of a provider. */
export interface UnpaidLimits {
  /** requests without a payment proof (`/quote`, `/precheck`, free reads, `/invoke` that will get its 402) per window and address */
  max: number;
  windowMs: number;
  /** JSON body limit of an `/invoke` without a proof: it only earns a 402 or a 400, so it never needs the paid limit */
  bodyLimit: string;
}

/** 1,000 free requests a second per address: the gateway's prechecks (one per paid call) come from one address. */
export const DEFAULT_UNPAID_LIMITS: UnpaidLimits = { max: 60_000, windowMs: 60_000, bodyLimit: '16kb' };

const Schema = z.object({
  PROVIDER_FREE_RATE_LIMIT_MAX: z.coerce.number().int().min(1).default(DEFAULT_UNPAID_LIMITS.max),
  PROVIDER_FREE_RATE_LIMIT_WINDOW_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .max(86_400)
    .default(DEFAULT_UNPAID_LIMITS.windowMs / 1000),
});

/** The free-request limits of a provider from its environment; a bad value fails start-up. */
export function loadUnpaidLimits(env: NodeJS.ProcessEnv): UnpaidLimits {
  const raw = Object.fromEntries(Object.keys(Schema.shape).map((name) => [name, env[name] === '' ? undefined : env[name]]));
  const parsed = Schema.safeParse(raw);
  if (!parsed.success)
    throw new ConfigError(
      parsed.error.issues.map((issue) => ({ source: `environment variable ${String(issue.path[0])}`, path: '', message: issue.message })),
    );
  return {
    max: parsed.data.PROVIDER_FREE_RATE_LIMIT_MAX,
    windowMs: parsed.data.PROVIDER_FREE_RATE_LIMIT_WINDOW_SECONDS * 1000,
    bodyLimit: DEFAULT_UNPAID_LIMITS.bodyLimit,
  };
}

/** A native proof (`X-Payment-Id`) or an x402 payment (`PAYMENT-SIGNATURE`): the paywall checks either. */
const hasProof = (req: Request) => [PAYMENT_ID_HEADER, PAYMENT_SIGNATURE_HEADER].some((name) => Boolean(req.get(name)));

/**
 * Guards a provider against free work for anyone: every request without a
 * payment proof counts against its address's limit (429 over it), and an
 * `/invoke` without one is read with the small unpaid body limit (413 over
 * it). A request with a proof goes on to the paywall, which checks it.
 * `/precheck` keeps the paid limit (it must see the whole input) but counts.
 */
export function unpaidGuards(limits: UnpaidLimits): RequestHandler[] {
  const limiter = rateLimit({
    windowMs: limits.windowMs,
    limit: limits.max,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    keyGenerator: (req) => `address:${ipKeyGenerator(req.ip ?? 'unknown')}`,
    skip: (req) => hasProof(req),
    handler: (_req, _res, next, options) => {
      next(
        new AppError(
          'RATE_LIMITED',
          `too many requests without a payment: at most ${String(options.limit)} per ${limits.windowMs / 1000} s per address`,
        ),
      );
    },
  });
  const smallBody = express.json({ limit: limits.bodyLimit, strict: true });
  const unpaidBody: RequestHandler = (req, res, next) => {
    if (req.method === 'POST' && req.path === '/invoke' && !hasProof(req)) {
      smallBody(req, res, next);
      return;
    }
    next();
  };
  return [limiter, unpaidBody];
}
