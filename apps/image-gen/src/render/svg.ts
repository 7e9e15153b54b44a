import { hex } from './colour';
import type { Scene, Shape } from './scene';

/** The scene as an SVG document (UTF-8): the same shapes, in the same order, as the PNG. */
export function renderSvg(scene: Scene): Buffer {
  const { width, height, sky } = scene;
  const lines = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" shape-rendering="crispEdges">`,
    `<title>${escapeXml(scene.title)}</title>`,
    `<defs><linearGradient id="sky" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="${hex(sky.top)}"/><stop offset="1" stop-color="${hex(sky.bottom)}"/></linearGradient></defs>`,
    `<rect width="${width}" height="${height}" fill="url(#sky)"/>`,
    ...scene.shapes.map(element),
    '</svg>',
  ];
  return Buffer.from(`${lines.join('\n')}\n`, 'utf8');
}

function element(shape: Shape): string {
  const paint = `fill="${hex(shape.color)}"${shape.alpha >= 255 ? '' : ` fill-opacity="${(shape.alpha / 255).toFixed(3)}"`}`;
  switch (shape.kind) {
    case 'rect':
      return `<rect x="${shape.x}" y="${shape.y}" width="${shape.width}" height="${shape.height}" ${paint}/>`;
    case 'circle':
      return `<circle cx="${shape.cx}" cy="${shape.cy}" r="${shape.r}" ${paint}/>`;
    case 'polygon':
      return `<polygon points="${shape.points.map(([x, y]) => `${x},${y}`).join(' ')}" ${paint}/>`;
  }
}

/** Text content for XML 1.0: markup escaped, characters XML cannot carry (controls, lone surrogates, U+FFFE/F) replaced. */
export function escapeXml(text: string): string {
  let out = '';
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    const allowed =
      code === 0x9 ||
      code === 0xa ||
      code === 0xd ||
      (code >= 0x20 && code <= 0xd7ff) ||
      (code >= 0xe000 && code <= 0xfffd) ||
      code >= 0x10000;
    out += !allowed ? '\uFFFD' : char === '&' ? '&amp;' : char === '<' ? '&lt;' : char === '>' ? '&gt;' : char;
  }
  return out;
}
