import { PNG } from 'pngjs';
import type { Pixels } from './raster';

/**
 * An RGB PNG of the pixels. One fixed row filter (Up: the sky is a vertical
 * gradient and shapes are flat, so rows repeat) and a fixed deflate level keep
 * the encoding fast and its bytes the same for the same pixels.
 */
export function encodePng({ width, height, data }: Pixels): Buffer {
  // no size given to the constructor: it would allocate an RGBA buffer we do not use
  const png = new PNG();
  png.width = width;
  png.height = height;
  png.data = data;
  return PNG.sync.write(png, { colorType: 2, inputColorType: 2, inputHasAlpha: false, filterType: 2, deflateLevel: 6, deflateStrategy: 0 });
}
