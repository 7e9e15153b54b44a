import { performance } from 'node:perf_hooks';
import { defineProvider, type ProviderBuilder } from '@nexus/provider-kit';
import { validationError } from '@nexus/service-kit';
import { ImageGenInput, type ImageGenResult } from '@nexus/types';
import { createImageGenMetrics } from './image-gen-metrics';
import { loadImageLimits } from './image-limits';
import { renderImage } from './render/render-image';
import { imageRoutes } from './routes/image-routes';
import { createImageStore } from './store/image-store';
import type { ImageTables } from './store/image-tables';

/** IMAGE_GEN: renders a picture from a prompt (PNG or SVG), the same bytes for the same request, kept for free reads. */
export const buildImageGen: ProviderBuilder = async (runtime) => {
  const limits = loadImageLimits(runtime.service, runtime.env);
  const images = await createImageStore(runtime.database<ImageTables>());
  const metrics = createImageGenMetrics(runtime.registry);

  return defineProvider({
    serviceId: 'IMAGE_GEN',
    input: ImageGenInput,
    precheck: (input, variant) => {
      const limit = limits.get(variant);
      if (!limit) throw new Error(`variant ${variant} has no size limit`);
      const details = [
        ...(input.width > limit.maxWidth
          ? [{ path: 'body.input.width', message: `must be at most ${limit.maxWidth} for the ${variant} variant` }]
          : []),
        ...(input.height > limit.maxHeight
          ? [{ path: 'body.input.height', message: `must be at most ${limit.maxHeight} for the ${variant} variant` }]
          : []),
      ];
      if (details.length > 0) throw validationError(`the image is too large for the ${variant} variant`, details);
    },
    run: async (input, context): Promise<ImageGenResult> => {
      const started = performance.now();
      const image = renderImage(input);
      metrics.rendered(image.format, context.variant, (performance.now() - started) / 1000, image.bytes.length);
      const added = await images.save(image, input.prompt, new Date());
      context.logger.info('image rendered', { contentHash: image.contentHash, format: image.format, bytes: image.bytes.length, added });
      return {
        format: image.format,
        width: image.width,
        height: image.height,
        seed: image.seed,
        contentHash: image.contentHash,
        mediaType: image.mediaType,
        byteLength: image.bytes.length,
        data: image.bytes.toString('base64'),
        url: `/images/${image.contentHash}`,
      };
    },
    routes: imageRoutes({ images, limits, metrics }),
    // a request is a prompt and a few numbers
    bodyLimit: '16kb',
  });
};
