import { createHash } from 'node:crypto';
import { PNG } from 'pngjs';
import { renderImage, type RenderRequest } from './render-image';
import { seedOfPrompt } from './random';

const request: RenderRequest = { prompt: 'a city skyline at night by the river', width: 320, height: 200, format: 'png', seed: 42 };

function decode(bytes: Buffer) {
  const png = PNG.sync.read(bytes);
  const pixel = (x: number, y: number) => [...png.data.subarray((y * png.width + x) * 4, (y * png.width + x) * 4 + 3)];
  return { png, pixel };
}

const brightness = (rgb: number[]) => rgb.reduce((sum, c) => sum + c, 0);

describe('renderImage', () => {
  it('renders byte-identical PNGs and SVGs for the same prompt, seed, size and format', () => {
    for (const format of ['png', 'svg'] as const) {
      const first = renderImage({ ...request, format });
      const second = renderImage({ ...request, format });

      expect(second.bytes.equals(first.bytes)).toBe(true);
      expect(second.contentHash).toBe(first.contentHash);
    }
  });

  it('hashes the bytes it hands back with sha256', () => {
    const image = renderImage(request);

    expect(image.contentHash).toBe(createHash('sha256').update(image.bytes).digest('hex'));
  });

  it('renders another picture for another seed, prompt or size', () => {
    const base = renderImage(request).contentHash;

    expect(renderImage({ ...request, seed: 43 }).contentHash).not.toBe(base);
    expect(renderImage({ ...request, prompt: `${request.prompt}.` }).contentHash).not.toBe(base);
    expect(renderImage({ ...request, width: 321 }).contentHash).not.toBe(base);
  });

  it('derives the seed from the prompt when none is given, so the picture is still reproducible', () => {
    const image = renderImage({ ...request, seed: undefined });

    expect(image.seed).toBe(seedOfPrompt(request.prompt));
    expect(renderImage({ ...request, seed: image.seed }).bytes.equals(image.bytes)).toBe(true);
  });

  it('renders a PNG of the requested size with a picture in it, not a flat colour', () => {
    const image = renderImage(request);
    const { png, pixel } = decode(image.bytes);
    const colours = new Set<string>();
    for (let y = 0; y < png.height; y += 4) for (let x = 0; x < png.width; x += 4) colours.add(pixel(x, y).join());

    expect(image).toMatchObject({ format: 'png', mediaType: 'image/png', width: 320, height: 200, seed: 42 });
    expect([png.width, png.height]).toEqual([320, 200]);
    expect(colours.size).toBeGreaterThan(20);
  });

  it('draws a night sky darker than a sunny one', () => {
    const top = (prompt: string) => {
      const { png, pixel } = decode(renderImage({ ...request, prompt }).bytes);
      let sum = 0;
      for (let x = 0; x < png.width; x += 1) sum += brightness(pixel(x, 1));
      return sum / png.width;
    };

    expect(top('hills at midnight')).toBeLessThan(top('hills on a sunny day') / 3);
  });

  it('renders an SVG of the same size that carries the prompt as its escaped title', () => {
    const image = renderImage({ ...request, format: 'svg', prompt: 'a <script>alert("x")</script> & lake\u0001' });
    const text = image.bytes.toString('utf8');

    expect(image.mediaType).toBe('image/svg+xml');
    expect(text).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="320" height="200" viewBox="0 0 320 200"/);
    expect(text).toContain('<title>a &lt;script&gt;alert("x")&lt;/script&gt; &amp; lake\uFFFD</title>');
    expect(text).not.toContain('<script>');
    expect(text.trimEnd().endsWith('</svg>')).toBe(true);
  });

  it('keeps the pictures it rendered before (pinned pixels and SVG)', () => {
    // A change here changes every image already handed out: do it on purpose only.
    const { png } = decode(renderImage(request).bytes);
    const pixels = createHash('sha256').update(png.data).digest('hex');
    const svg = renderImage({ ...request, format: 'svg' }).contentHash;

    expect({ pixels, svg }).toEqual({
      pixels: '5d028c02db80b9626a59f83d28e0981d3e363e42852aa6e714e783e68172a504',
      svg: 'dc6fa9360b3a34e967d752de33ff333b36c408790bc1e2850edb1bf77eba5e37',
    });
  });
});
