import { z } from 'zod';
import { AppError, validationError } from '@nexus/service-kit';
import { defineProvider, type ProviderBuilder } from '../provider-definition';

/** The most characters the cheap `summary` variant of the echo provider takes (a variant's own size limit, as IMAGE_GEN's `draft`). */
export const ECHO_SUMMARY_MAX_TEXT = 20;

/** A tiny provider for the kit's own tests, on LOG_ARCHIVE's entry (two variants: full 0.30, summary 0.05). */
export const buildEchoProvider: ProviderBuilder = () =>
  defineProvider({
    serviceId: 'LOG_ARCHIVE',
    input: z.strictObject({
      text: z.string().min(1).max(100),
      /** how `run` should end */
      outcome: z.enum(['ok', 'throw', 'bad-request']).default('ok'),
    }),
    precheck: (input, variant) => {
      if (variant === 'summary' && input.text.length > ECHO_SUMMARY_MAX_TEXT)
        throw validationError('the text is too long for the summary variant', [
          { path: 'body.input.text', message: `must be at most ${ECHO_SUMMARY_MAX_TEXT} characters for the summary variant` },
        ]);
      if (input.text === 'unknown') throw new AppError('NOT_FOUND', 'nothing is known of "unknown"');
    },
    run: async (input, context) => {
      if (input.outcome === 'throw') throw new Error('the provider broke');
      if (input.outcome === 'bad-request') throw new AppError('VALIDATION_ERROR', 'turned out to be unservable');
      return { echo: input.text, variant: context.variant, paidWith: context.payment.paymentId };
    },
    routes: (router) => {
      router.get('/free', (_req, res) => {
        res.json({ free: true });
      });
    },
  });
