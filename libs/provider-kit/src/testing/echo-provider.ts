import { z } from 'zod';
import { AppError } from '@nexus/service-kit';
import { defineProvider, type ProviderBuilder } from '../provider-definition';

/** A tiny provider for the kit's own tests, on LOG_ARCHIVE's entry (two variants: full 0.30, summary 0.05). */
export const buildEchoProvider: ProviderBuilder = () =>
  defineProvider({
    serviceId: 'LOG_ARCHIVE',
    input: z.strictObject({
      text: z.string().min(1).max(100),
      /** how `run` should end */
      outcome: z.enum(['ok', 'throw', 'bad-request']).default('ok'),
    }),
    precheck: (input) => {
      if (input.text === 'unknown') throw new AppError('NOT_FOUND', 404, 'nothing is known of "unknown"');
    },
    run: async (input, context) => {
      if (input.outcome === 'throw') throw new Error('the provider broke');
      if (input.outcome === 'bad-request') throw new AppError('VALIDATION_ERROR', 400, 'turned out to be unservable');
      return { echo: input.text, variant: context.variant, paidWith: context.payment.paymentId };
    },
    routes: (router) => {
      router.get('/free', (_req, res) => {
        res.json({ free: true });
      });
    },
  });
