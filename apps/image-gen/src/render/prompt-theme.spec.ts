import { readPrompt } from './prompt-theme';

describe('readPrompt', () => {
  it('reads the time of day, terrain, water and snow the prompt names', () => {
    expect(readPrompt('A snowy Mountain village by the lake at Sunset!')).toEqual({
      time: 'sunset',
      terrain: 'mountains',
      water: true,
      snow: true,
      clouds: null,
      hues: [],
    });
  });

  it('takes the first word of a kind when a prompt names several', () => {
    expect(readPrompt('night city, then a forest in the morning')).toMatchObject({ time: 'night', terrain: 'city' });
  });

  it('collects the colours named, in order', () => {
    expect(readPrompt('purple hills under an orange sky').hues).toEqual([282, 28]);
  });

  it('leaves everything to the seed for a prompt it has no words for', () => {
    expect(readPrompt('zxqv 1234 ???')).toEqual({ time: null, terrain: null, water: false, snow: false, clouds: null, hues: [] });
  });

  it('tells a cloudy prompt from a clear one', () => {
    expect(readPrompt('stormy clouds').clouds).toBe(true);
    expect(readPrompt('a cloudless day').clouds).toBe(false);
  });
});
