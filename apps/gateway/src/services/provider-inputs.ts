import { z } from 'zod';
import { BatchComputeInput, ImageGenInput, LogArchiveInput, PriceQuery } from '@nexus/types';

const INPUTS: Record<string, z.ZodType> = {
  IMAGE_GEN: ImageGenInput,
  PRICE_ORACLE: PriceQuery,
  BATCH_COMPUTE: BatchComputeInput,
  LOG_ARCHIVE: LogArchiveInput,
};

/** The input schema of a provider this repository ships; undefined for a third party's (it validates its own). */
export function providerInputSchema(serviceId: string): z.ZodType | undefined {
  return Object.hasOwn(INPUTS, serviceId) ? INPUTS[serviceId] : undefined;
}
