import type { Rgb } from './colour';
import type { Point, Scene, Shape } from './scene';

/** An RGB pixel buffer, row by row from the top left, 3 bytes a pixel. */
export interface Pixels {
  width: number;
  height: number;
  data: Buffer;
}

/**
 * Paints a scene the way its SVG reads: pixel centres inside a shape take
 * its colour, blended by its alpha. No anti-aliasing, integer blending, so
 * the pixels depend on the scene only.
 */
export function rasterize(scene: Scene): Pixels {
  const { width, height } = scene;
  const data = Buffer.alloc(width * height * 3);
  paintSky(data, width, height, scene.sky.top, scene.sky.bottom);
  for (const shape of scene.shapes) paint(data, width, height, shape);
  return { width, height, data };
}

/** The SVG's vertical gradient: the colour at a row's centre, interpolated between the top and the bottom edge. */
function paintSky(data: Buffer, width: number, height: number, top: Rgb, bottom: Rgb): void {
  const rowBytes = width * 3;
  for (let y = 0; y < height; y += 1) {
    // weight of the bottom colour at the row's centre, in 1/(2*height) steps
    const w = 2 * y + 1;
    const span = 2 * height;
    const r = Math.floor((top.r * (span - w) + bottom.r * w) / span);
    const g = Math.floor((top.g * (span - w) + bottom.g * w) / span);
    const b = Math.floor((top.b * (span - w) + bottom.b * w) / span);
    const start = y * rowBytes;
    data[start] = r;
    data[start + 1] = g;
    data[start + 2] = b;
    // double the filled part of the row each time
    for (let filled = 3; filled < rowBytes; filled *= 2)
      data.copyWithin(start + filled, start, start + Math.min(filled, rowBytes - filled));
  }
}

function paint(data: Buffer, width: number, height: number, shape: Shape): void {
  switch (shape.kind) {
    case 'rect': {
      const y0 = Math.max(0, shape.y);
      const y1 = Math.min(height, shape.y + shape.height);
      const x0 = Math.max(0, shape.x);
      const x1 = Math.min(width, shape.x + shape.width);
      for (let y = y0; y < y1; y += 1) span(data, width, y, x0, x1, shape.color, shape.alpha);
      return;
    }
    case 'circle': {
      // pixel centre (x + 1/2, y + 1/2) inside when (2x + 1 - 2cx)^2 + (2y + 1 - 2cy)^2 <= (2r)^2
      const { cx, cy, r } = shape;
      const limit = 4 * r * r;
      for (let y = Math.max(0, cy - r); y < Math.min(height, cy + r + 1); y += 1) {
        const dy = 2 * y + 1 - 2 * cy;
        const rest = limit - dy * dy;
        if (rest < 0) continue;
        // largest odd-centred offset inside: the first and last x whose centre is in
        let half = Math.floor(Math.sqrt(rest));
        while (half * half > rest) half -= 1;
        while ((half + 1) * (half + 1) <= rest) half += 1;
        // 2x + 1 - 2cx in [-half, half]  ⇔  x in [ceil((2cx - 1 - half) / 2), floor((2cx - 1 + half) / 2)]
        const x0 = Math.max(0, Math.ceil((2 * cx - 1 - half) / 2));
        const x1 = Math.min(width, Math.floor((2 * cx - 1 + half) / 2) + 1);
        span(data, width, y, x0, x1, shape.color, shape.alpha);
      }
      return;
    }
    case 'polygon':
      fillPolygon(data, width, height, shape.points, shape.color, shape.alpha);
      return;
  }
}

/** Even-odd scanline fill: pixels whose centre lies inside the polygon. */
function fillPolygon(data: Buffer, width: number, height: number, points: readonly Point[], color: Rgb, alpha: number): void {
  if (points.length < 3) return;
  let top = Infinity;
  let bottom = -Infinity;
  for (const [, y] of points) {
    top = Math.min(top, y);
    bottom = Math.max(bottom, y);
  }
  const crossings: number[] = [];
  for (let y = Math.max(0, Math.floor(top)); y < Math.min(height, Math.ceil(bottom)); y += 1) {
    const centre = y + 0.5;
    crossings.length = 0;
    for (let i = 0; i < points.length; i += 1) {
      const [ax, ay] = points[i] ?? [0, 0];
      const [bx, by] = points[(i + 1) % points.length] ?? [0, 0];
      // half-open in y so a vertex shared by two edges counts once
      if (ay <= centre === by <= centre) continue;
      crossings.push(ax + ((centre - ay) * (bx - ax)) / (by - ay));
    }
    crossings.sort((a, b) => a - b);
    for (let i = 0; i + 1 < crossings.length; i += 2) {
      // pixel x is inside when its centre x + 1/2 lies in [left, right)
      const x0 = Math.max(0, Math.ceil((crossings[i] ?? 0) - 0.5));
      const x1 = Math.min(width, Math.ceil((crossings[i + 1] ?? 0) - 0.5));
      span(data, width, y, x0, x1, color, alpha);
    }
  }
}

/** Pixels [x0, x1) of row y, blended with `color` at `alpha`. */
function span(data: Buffer, width: number, y: number, x0: number, x1: number, color: Rgb, alpha: number): void {
  if (x1 <= x0) return;
  const start = (y * width + x0) * 3;
  const end = (y * width + x1) * 3;
  if (alpha >= 255) {
    for (let i = start; i < end; i += 3) {
      data[i] = color.r;
      data[i + 1] = color.g;
      data[i + 2] = color.b;
    }
    return;
  }
  const keep = 255 - alpha;
  const r = color.r * alpha;
  const g = color.g * alpha;
  const b = color.b * alpha;
  for (let i = start; i < end; i += 3) {
    data[i] = Math.floor((r + (data[i] ?? 0) * keep) / 255);
    data[i + 1] = Math.floor((g + (data[i + 1] ?? 0) * keep) / 255);
    data[i + 2] = Math.floor((b + (data[i + 2] ?? 0) * keep) / 255);
  }
}
