import { z } from 'zod';
import { defineProvider, type ProviderBuilder } from '@nexus/provider-kit';
import { AppError } from '@nexus/service-kit';

/**
 * A tiny provider on LOG_ARCHIVE's entry (full 0.30, summary 0.05) whose
 * input says how a paid call ends, for the pipeline's failure paths. The
 * same as the provider kit's own echo provider (which the kit does not
 * export): `text: 'unknown'` is refused by the precheck (404, before the
 * proof is redeemed); `outcome: 'throw'` fails after redemption (500, the
 * kit refunds); `outcome: 'bad-request'` fails after redemption with a 400.
 */
export const buildEchoProvider: ProviderBuilder = () =>
  defineProvider({
    serviceId: 'LOG_ARCHIVE',
    input: z.strictObject({
      text: z.string().min(1).max(100),
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
  });
