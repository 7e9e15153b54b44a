/** An sRGB colour, each channel an integer 0-255. */
export interface Rgb {
  r: number;
  g: number;
  b: number;
}

/** Hue 0-359, saturation and lightness 0-100 (all integers) to RGB, in integer arithmetic. */
export function hsl(hue: number, saturation: number, lightness: number): Rgb {
  const h = ((Math.trunc(hue) % 360) + 360) % 360;
  const s = clamp(Math.trunc(saturation), 0, 100);
  const l = clamp(Math.trunc(lightness), 0, 100);
  // chroma and the second-largest component, scaled to 0-255
  const chroma = Math.floor(((100 - Math.abs(2 * l - 100)) * s * 255) / 10_000);
  const x = Math.floor((chroma * (60 - Math.abs((h % 120) - 60))) / 60);
  const m = Math.floor((l * 255) / 100) - Math.floor(chroma / 2);
  const sector = Math.floor(h / 60);
  const [r, g, b] =
    sector === 0
      ? [chroma, x, 0]
      : sector === 1
        ? [x, chroma, 0]
        : sector === 2
          ? [0, chroma, x]
          : sector === 3
            ? [0, x, chroma]
            : sector === 4
              ? [x, 0, chroma]
              : [chroma, 0, x];
  return { r: clamp(r + m, 0, 255), g: clamp(g + m, 0, 255), b: clamp(b + m, 0, 255) };
}

/** `weight` parts in 1000 of `to`, the rest of `from`. */
export function mix(from: Rgb, to: Rgb, weight: number): Rgb {
  const w = clamp(Math.trunc(weight), 0, 1000);
  const channel = (a: number, b: number) => Math.floor((a * (1000 - w) + b * w) / 1000);
  return { r: channel(from.r, to.r), g: channel(from.g, to.g), b: channel(from.b, to.b) };
}

export function hex({ r, g, b }: Rgb): string {
  return `#${[r, g, b].map((c) => c.toString(16).padStart(2, '0')).join('')}`;
}

export function clamp(value: number, min: number, max: number): number {
  return value < min ? min : value > max ? max : value;
}
