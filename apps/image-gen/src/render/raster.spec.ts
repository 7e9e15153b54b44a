import type { Rgb } from './colour';
import { rasterize } from './raster';
import type { Scene, Shape } from './scene';

const BLACK: Rgb = { r: 0, g: 0, b: 0 };
const RED: Rgb = { r: 255, g: 0, b: 0 };

function paint(width: number, height: number, shapes: Shape[]) {
  const scene: Scene = { width, height, title: 'test', sky: { top: BLACK, bottom: BLACK }, shapes };
  const { data } = rasterize(scene);
  const pixel = (x: number, y: number): Rgb => {
    const i = (y * width + x) * 3;
    return { r: data[i] ?? -1, g: data[i + 1] ?? -1, b: data[i + 2] ?? -1 };
  };
  const covered = () => {
    const rows: string[] = [];
    for (let y = 0; y < height; y += 1) {
      let row = '';
      for (let x = 0; x < width; x += 1) row += pixel(x, y).r > 0 ? '#' : '.';
      rows.push(row);
    }
    return rows;
  };
  return { pixel, covered };
}

describe('rasterize', () => {
  it('fills exactly the pixels of a rectangle, clipped to the picture', () => {
    const { covered } = paint(5, 4, [{ kind: 'rect', x: 3, y: 1, width: 4, height: 2, color: RED, alpha: 255 }]);

    expect(covered()).toEqual(['.....', '...##', '...##', '.....']);
  });

  it('fills the pixels whose centre lies inside a circle', () => {
    const { covered } = paint(6, 6, [{ kind: 'circle', cx: 3, cy: 3, r: 2, color: RED, alpha: 255 }]);

    expect(covered()).toEqual(['......', '..##..', '.####.', '.####.', '..##..', '......']);
  });

  it('fills the pixels whose centre lies inside a polygon (a centre on the right edge is outside)', () => {
    const { covered } = paint(4, 4, [
      {
        kind: 'polygon',
        points: [
          [0, 0],
          [4, 4],
          [0, 4],
        ],
        color: RED,
        alpha: 255,
      },
    ]);

    expect(covered()).toEqual(['....', '#...', '##..', '###.']);
  });

  it('blends a translucent shape over what is below it', () => {
    const { pixel } = paint(2, 1, [
      { kind: 'rect', x: 0, y: 0, width: 2, height: 1, color: { r: 200, g: 100, b: 0 }, alpha: 255 },
      { kind: 'rect', x: 1, y: 0, width: 1, height: 1, color: { r: 0, g: 0, b: 255 }, alpha: 51 },
    ]);

    expect(pixel(0, 0)).toEqual({ r: 200, g: 100, b: 0 });
    // 80% of what was there, 20% of the new colour
    expect(pixel(1, 0)).toEqual({ r: 160, g: 80, b: 51 });
  });

  it('paints the sky as a vertical gradient between its two colours', () => {
    const scene: Scene = {
      width: 3,
      height: 4,
      title: 't',
      sky: { top: { r: 0, g: 0, b: 0 }, bottom: { r: 240, g: 80, b: 8 } },
      shapes: [],
    };
    const { data } = rasterize(scene);
    const column = [0, 1, 2, 3].map((y) => [...data.subarray(y * 9, y * 9 + 3)]);

    expect(column).toEqual([
      [30, 10, 1],
      [90, 30, 3],
      [150, 50, 5],
      [210, 70, 7],
    ]);
    // every pixel of a row has the row's colour
    expect([...data.subarray(9, 18)]).toEqual([90, 30, 3, 90, 30, 3, 90, 30, 3]);
  });
});
