import type { Router } from 'express';
import { AppError, notFound, parseInput } from '@nexus/service-kit';
import { isStoreUnavailable } from '@nexus/stores';
import { ImageParams, ImageFormat, type ImageGenLimits } from '@nexus/types';
import type { ImageGenMetrics } from '../image-gen-metrics';
import type { ImageLimits } from '../image-limits';
import type { ImageStore } from '../store/image-store';

export interface ImageRoutesDeps {
  images: ImageStore;
  limits: ImageLimits;
  metrics: ImageGenMetrics;
}

/** IMAGE_GEN's free reads: a rendered image again by its content hash, and the size limits of each variant. */
export function imageRoutes({ images, limits, metrics }: ImageRoutesDeps): (router: Router) => void {
  return (router) => {
    router.get('/images/:contentHash', async (req, res) => {
      const { contentHash } = parseInput(ImageParams, req.params, 'params');
      const image = await images.find(contentHash.toLowerCase()).catch((error: unknown) => {
        if (isStoreUnavailable(error))
          throw new AppError('SERVICE_UNAVAILABLE', 'the image store is unavailable; retry shortly', { cause: error });
        throw error;
      });
      metrics.served(image !== undefined);
      if (!image) throw notFound('IMAGE_NOT_FOUND', `no image has content hash ${contentHash.toLowerCase()}`);
      res
        .status(200)
        .set({
          'Content-Type': image.mediaType,
          'Content-Length': String(image.bytes.length),
          // the bytes behind a content hash never change
          'Cache-Control': 'public, max-age=31536000, immutable',
          ETag: `"${image.contentHash}"`,
          'X-Content-Type-Options': 'nosniff',
          // an SVG opened from here runs nothing
          'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; sandbox",
        })
        .end(image.bytes);
    });

    router.get('/limits', (_req, res) => {
      const body: ImageGenLimits = {
        variants: [...limits].map(([id, limit]) => ({ id, ...limit })),
        formats: [...ImageFormat.options],
      };
      res.json(body);
    });
  };
}
