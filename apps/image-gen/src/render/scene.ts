import { hsl, mix, type Rgb } from './colour';
import { readPrompt, type Terrain, type TimeOfDay } from './prompt-theme';
import { randomFor, type Random } from './random';

export type Point = readonly [x: number, y: number];

/** What a picture is made of; painted in order. Coordinates are integers, alpha 0-255. */
export type Shape =
  | { kind: 'rect'; x: number; y: number; width: number; height: number; color: Rgb; alpha: number }
  | { kind: 'circle'; cx: number; cy: number; r: number; color: Rgb; alpha: number }
  | { kind: 'polygon'; points: readonly Point[]; color: Rgb; alpha: number };

export interface Scene {
  width: number;
  height: number;
  /** the prompt, as the SVG's title */
  title: string;
  /** a vertical gradient behind everything */
  sky: { top: Rgb; bottom: Rgb };
  shapes: Shape[];
}

export interface SceneRequest {
  prompt: string;
  seed: number;
  width: number;
  height: number;
}

const OPAQUE = 255;
const WHITE: Rgb = { r: 255, g: 255, b: 255 };
const BLACK: Rgb = { r: 0, g: 0, b: 0 };

/**
 * A landscape from the prompt: sky and light by the time of day it names,
 * ground by the terrain, water, snow and colours it names; everything it
 * leaves open (and every position and outline) drawn from a generator seeded
 * by the prompt and the seed. Integer arithmetic throughout: the same request
 * is the same scene everywhere.
 */
export function composeScene({ prompt, seed, width, height }: SceneRequest): Scene {
  const theme = readPrompt(prompt);
  const random = randomFor(prompt, seed);
  const time: TimeOfDay = theme.time ?? random.pick<TimeOfDay>(['day', 'day', 'sunset', 'night']);
  const terrain: Terrain = theme.terrain ?? random.pick<Terrain>(['mountains', 'hills', 'dunes', 'forest', 'city']);
  const water = theme.water || (theme.terrain === null && random.chance(25));
  const unit = Math.max(1, Math.floor(Math.min(width, height) / 256));
  const at = (share: number, of: number) => Math.floor((of * share) / 1000);

  const sky = skyColours(time, theme.hues[1], random);
  const shapes: Shape[] = [];
  const horizon = at(random.int(560, 680), height);

  if (time === 'night') shapes.push(...stars(random, width, horizon, unit));
  shapes.push(...light(time, random, width, height, horizon, sky));
  const clouds = theme.clouds ?? (time !== 'night' && random.chance(60));
  if (clouds) shapes.push(...cloudBank(random, width, horizon, unit, time));

  const land = landColour(terrain, theme.snow, theme.hues[0], time, random);
  const layers = water ? 2 : 3;
  for (let layer = 0; layer < layers; layer += 1) {
    // far layers fade into the sky near the horizon, near ones are a shade darker
    const depth = layers === 2 ? layer + 1 : layer;
    const colour = mix(mix(land, BLACK, depth * 90), sky.bottom, [620, 360, 0][depth] ?? 0);
    const base = horizon + at(layer * 120, height - horizon);
    shapes.push(...ground(terrain, random, { width, height, base, unit, colour, layer, night: time === 'night' }));
  }
  if (water) shapes.push(...lake(random, width, height, horizon, sky, time, unit));
  return { width, height, title: prompt, sky, shapes };
}

function skyColours(time: TimeOfDay, namedHue: number | undefined, random: Random): { top: Rgb; bottom: Rgb } {
  const jitter = random.int(-12, 12);
  switch (time) {
    case 'day': {
      const hue = (namedHue ?? 208) + jitter;
      return { top: hsl(hue, 70, 42), bottom: hsl(hue - 8, 70, 82) };
    }
    case 'sunset': {
      const hue = (namedHue ?? 24) + jitter;
      return { top: hsl(hue + 235, 45, 24), bottom: hsl(hue, 92, 62) };
    }
    case 'night': {
      const hue = (namedHue ?? 228) + jitter;
      return { top: hsl(hue, 60, 5), bottom: hsl(hue + 8, 45, 22) };
    }
  }
}

function landColour(terrain: Terrain, snow: boolean, namedHue: number | undefined, time: TimeOfDay, random: Random): Rgb {
  const shade = time === 'night' ? -16 : time === 'sunset' ? -8 : 0;
  if (snow) return hsl((namedHue ?? 205) + random.int(-8, 8), 25, 88 + shade);
  const [hue, saturation, lightness] =
    terrain === 'mountains'
      ? [230, 18, 34]
      : terrain === 'hills'
        ? [105, 45, 36]
        : terrain === 'dunes'
          ? [36, 62, 56]
          : terrain === 'forest'
            ? [135, 48, 22]
            : [240, 12, 20];
  return hsl((namedHue ?? hue) + random.int(-10, 10), saturation + (namedHue === undefined ? 0 : 25), lightness + shade);
}

function stars(random: Random, width: number, horizon: number, unit: number): Shape[] {
  const count = Math.min(400, Math.floor((width * horizon) / 2_500));
  return Array.from({ length: count }, () => {
    const size = random.chance(15) ? unit * 2 : unit;
    return {
      kind: 'rect',
      x: random.int(0, width - size),
      y: random.int(0, Math.max(0, horizon - size)),
      width: size,
      height: size,
      color: WHITE,
      alpha: random.int(110, 255),
    };
  });
}

/** The sun (day, sunset) or a crescent moon (night), with a halo. */
function light(time: TimeOfDay, random: Random, width: number, height: number, horizon: number, sky: { top: Rgb; bottom: Rgb }): Shape[] {
  const r = Math.max(3, Math.floor((Math.min(width, height) * random.int(55, 100)) / 1000));
  const cx = Math.floor((width * random.int(150, 850)) / 1000);
  const cy = time === 'sunset' ? horizon - Math.floor((r * random.int(0, 120)) / 100) : Math.floor((height * random.int(110, 300)) / 1000);
  const colour = time === 'day' ? hsl(50, 100, 82) : time === 'sunset' ? hsl(random.int(18, 42), 100, 64) : hsl(52, 60, 90);
  const halo: Shape[] = [
    { kind: 'circle', cx, cy, r: r * 3, color: colour, alpha: 22 },
    { kind: 'circle', cx, cy, r: Math.floor((r * 9) / 5), color: colour, alpha: 44 },
  ];
  const body: Shape = { kind: 'circle', cx, cy, r, color: colour, alpha: OPAQUE };
  if (time !== 'night') return [...halo, body];
  // a crescent: the sky's colour bites into the moon
  const shadow = mix(sky.top, sky.bottom, Math.floor((cy * 1000) / Math.max(1, height)));
  const bite = Math.floor((r * random.int(35, 60)) / 100);
  return [...halo, body, { kind: 'circle', cx: cx + bite, cy: cy - Math.floor(bite / 2), r, color: shadow, alpha: OPAQUE }];
}

function cloudBank(random: Random, width: number, horizon: number, unit: number, time: TimeOfDay): Shape[] {
  const colour = time === 'sunset' ? hsl(random.int(335, 355), 60, 78) : hsl(210, 40, random.int(94, 99));
  const shapes: Shape[] = [];
  const count = random.int(2, 5);
  for (let i = 0; i < count; i += 1) {
    const cx = random.int(0, width);
    const cy = random.int(Math.floor(horizon / 8), Math.floor((horizon * 3) / 5));
    const size = unit * random.int(10, 22);
    const puffs = random.int(4, 7);
    for (let p = 0; p < puffs; p += 1) {
      const r = Math.floor((size * random.int(50, 100)) / 100);
      shapes.push({
        kind: 'circle',
        cx: cx + Math.floor(((p - puffs / 2) * size * 4) / 5),
        cy: cy - Math.floor((r * random.int(0, 60)) / 100),
        r,
        color: colour,
        alpha: OPAQUE,
      });
    }
  }
  return shapes;
}

interface Layer {
  width: number;
  height: number;
  /** the layer's mean ground line */
  base: number;
  unit: number;
  colour: Rgb;
  /** 0 is the farthest */
  layer: number;
  night: boolean;
}

function ground(terrain: Terrain, random: Random, layer: Layer): Shape[] {
  const { width, height, base, colour } = layer;
  const relief = Math.floor((height * byDepth([240, 150, 90], layer.layer)) / 1000);
  switch (terrain) {
    case 'mountains':
      return [
        fill(jaggedLine(random, width, base - Math.floor(relief / 2), Math.floor((relief * 2) / 3), 5, height), width, height, colour),
      ];
    case 'hills':
      return [fill(smoothLine(random, width, base - Math.floor(relief / 3), Math.floor(relief / 2), 6, height), width, height, colour)];
    case 'dunes':
      return [fill(smoothLine(random, width, base - Math.floor(relief / 4), Math.floor(relief / 3), 4, height), width, height, colour)];
    case 'forest': {
      const line = smoothLine(random, width, base - Math.floor(relief / 3), Math.floor(relief / 3), 5, height);
      return [fill(line, width, height, colour), ...trees(random, line, layer)];
    }
    case 'city':
      return skyline(random, layer);
  }
}

function fill(line: Point[], width: number, height: number, colour: Rgb): Shape {
  return { kind: 'polygon', points: [...line, [width, height], [0, height]], color: colour, alpha: OPAQUE };
}

/** A rocky outline by midpoint displacement over 2^levels segments. */
function jaggedLine(random: Random, width: number, mean: number, amplitude: number, levels: number, height: number): Point[] {
  const n = 2 ** levels;
  const ys = new Array<number>(n + 1).fill(mean);
  ys[0] = mean + random.int(-amplitude, amplitude);
  ys[n] = mean + random.int(-amplitude, amplitude);
  let amp = amplitude;
  for (let step = n; step > 1; step /= 2) {
    const half = step / 2;
    for (let i = half; i < n; i += step) ys[i] = Math.floor(((ys[i - half] ?? mean) + (ys[i + half] ?? mean)) / 2) + random.int(-amp, amp);
    amp = Math.floor((amp * 11) / 20);
  }
  return ys.map((y, i) => [Math.floor((i * width) / n), Math.min(height, Math.max(0, y))] as const);
}

/** A rolling outline: a few random heights, corners cut three times (Chaikin). */
function smoothLine(random: Random, width: number, mean: number, amplitude: number, controls: number, height: number): Point[] {
  let points: Point[] = Array.from({ length: controls + 1 }, (_, i) => [
    Math.floor((i * width) / controls),
    Math.min(height, Math.max(0, mean + random.int(-amplitude, amplitude))),
  ]);
  for (let round = 0; round < 3; round += 1) {
    const cut: Point[] = points.slice(0, 1);
    for (const [[x0, y0], [x1, y1]] of segments(points)) {
      cut.push([Math.floor((3 * x0 + x1) / 4), Math.floor((3 * y0 + y1) / 4)]);
      cut.push([Math.floor((x0 + 3 * x1) / 4), Math.floor((y0 + 3 * y1) / 4)]);
    }
    cut.push(...points.slice(-1));
    points = cut;
  }
  return points;
}

/** The line's height at x (linear between its points). */
function heightAt(line: readonly Point[], x: number): number {
  for (const [[x0, y0], [x1, y1]] of segments(line)) {
    if (x >= x0 && x <= x1) return x1 === x0 ? y0 : y0 + Math.floor(((y1 - y0) * (x - x0)) / (x1 - x0));
  }
  return line[line.length - 1]?.[1] ?? 0;
}

function trees(random: Random, line: readonly Point[], { width, unit, colour, layer }: Layer): Shape[] {
  const size = unit * byDepth([5, 8, 13], layer);
  const crown = mix(colour, BLACK, 250);
  const shapes: Shape[] = [];
  for (let x = random.int(0, size); x < width + size; x += random.int(Math.floor(size / 2), size + Math.floor(size / 2))) {
    const y = heightAt(line, Math.min(width, x)) + Math.floor(size / 2);
    const tall = Math.floor((size * random.int(180, 320)) / 100);
    shapes.push({
      kind: 'polygon',
      points: [
        [x, y - tall],
        [x + Math.floor(size / 2) + 1, y],
        [x - Math.floor(size / 2) - 1, y],
      ],
      color: crown,
      alpha: OPAQUE,
    });
  }
  return shapes;
}

function skyline(random: Random, { width, height, base, unit, colour, layer, night }: Layer): Shape[] {
  const shapes: Shape[] = [];
  const lit = night ? hsl(random.int(40, 55), 95, 70) : hsl(210, 30, 70);
  const window = unit * 2;
  let windows = 0;
  for (let x = -random.int(0, unit * 10); x < width;) {
    const w = unit * random.int(12, 30);
    const top = base - Math.floor(((height - base + unit * 40) * random.int(20, 100 - layer * 20)) / 100);
    shapes.push({ kind: 'rect', x, y: top, width: w, height: height - top, color: colour, alpha: OPAQUE });
    // windows on the nearer buildings only, and never so many that the picture becomes a spreadsheet
    if (layer > 0) {
      for (let wy = top + window * 2; wy + window * 2 < height && windows < 4_000; wy += window * 3) {
        for (let wx = x + window; wx + window * 2 <= x + w && windows < 4_000; wx += window * 2) {
          if (!random.chance(night ? 40 : 18)) continue;
          shapes.push({ kind: 'rect', x: wx, y: wy, width: window, height: window + unit, color: lit, alpha: night ? 230 : 120 });
          windows += 1;
        }
      }
    }
    x += w + unit * random.int(0, 6);
  }
  return shapes;
}

/** Water over the lower part of the picture, the light's reflection and a few wave lines. */
function lake(
  random: Random,
  width: number,
  height: number,
  horizon: number,
  sky: { top: Rgb; bottom: Rgb },
  time: TimeOfDay,
  unit: number,
) {
  const top = horizon + Math.floor(((height - horizon) * random.int(180, 380)) / 1000);
  const deep = mix(sky.top, sky.bottom, 350);
  const shapes: Shape[] = [{ kind: 'rect', x: 0, y: top, width, height: height - top, color: deep, alpha: OPAQUE }];
  const glow = time === 'night' ? hsl(52, 60, 90) : time === 'sunset' ? hsl(30, 100, 64) : WHITE;
  const centre = Math.floor((width * random.int(200, 800)) / 1000);
  for (let y = top + unit * 2; y < height; y += unit * random.int(3, 6)) {
    const spread = Math.floor(((y - top) * random.int(40, 90)) / 100) + unit * 4;
    shapes.push({ kind: 'rect', x: centre - spread, y, width: spread * 2, height: unit, color: glow, alpha: time === 'day' ? 60 : 110 });
  }
  const waves = random.int(6, 14);
  for (let i = 0; i < waves; i += 1) {
    const w = unit * random.int(8, 40);
    shapes.push({
      kind: 'rect',
      x: random.int(-w, width),
      y: random.int(top + unit, height - unit),
      width: w,
      height: unit,
      color: mix(deep, WHITE, 300),
      alpha: 90,
    });
  }
  return shapes;
}

/** Consecutive pairs of points: the segments of a line. */
function* segments(points: readonly Point[]): Generator<[Point, Point]> {
  let previous: Point | undefined;
  for (const point of points) {
    if (previous) yield [previous, point];
    previous = point;
  }
}

/** A value per layer, farthest first; layers beyond the last take the last. */
function byDepth(values: readonly [number, number, number], depth: number): number {
  return values[Math.min(depth, 2)] ?? values[2];
}
