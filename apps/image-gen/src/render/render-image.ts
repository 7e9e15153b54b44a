import { createHash } from 'node:crypto';
import type { ImageFormat } from '@nexus/types';
import { encodePng } from './png';
import { rasterize } from './raster';
import { seedOfPrompt } from './random';
import { composeScene } from './scene';
import { renderSvg } from './svg';

export interface RenderRequest {
  prompt: string;
  width: number;
  height: number;
  format: ImageFormat;
  /** derived from the prompt when absent */
  seed?: number | undefined;
}

export interface RenderedImage {
  format: ImageFormat;
  width: number;
  height: number;
  seed: number;
  mediaType: 'image/png' | 'image/svg+xml';
  /** sha256 of `bytes`, lowercase hex */
  contentHash: string;
  bytes: Buffer;
}

export const MEDIA_TYPES = { png: 'image/png', svg: 'image/svg+xml' } as const satisfies Record<ImageFormat, string>;

/** The image a request describes: the same request gives the same bytes. */
export function renderImage(request: RenderRequest): RenderedImage {
  const seed = request.seed ?? seedOfPrompt(request.prompt);
  const scene = composeScene({ prompt: request.prompt, seed, width: request.width, height: request.height });
  const bytes = request.format === 'png' ? encodePng(rasterize(scene)) : renderSvg(scene);
  return {
    format: request.format,
    width: request.width,
    height: request.height,
    seed,
    mediaType: MEDIA_TYPES[request.format],
    contentHash: createHash('sha256').update(bytes).digest('hex'),
    bytes,
  };
}
