/**
 * What a prompt asks for, as far as a small renderer can tell: the time of
 * day, the ground, water, weather and colours named in it. Words that mean
 * nothing here leave the choice to the seed.
 */
export type TimeOfDay = 'day' | 'sunset' | 'night';
export type Terrain = 'mountains' | 'hills' | 'dunes' | 'city' | 'forest';

export interface PromptTheme {
  /** null: let the seed choose */
  time: TimeOfDay | null;
  terrain: Terrain | null;
  water: boolean;
  snow: boolean;
  clouds: boolean | null;
  /** hues named in the prompt, in order (the first colours the land, the second the sky) */
  hues: number[];
}

const TIME_WORDS: Record<TimeOfDay, readonly string[]> = {
  night: ['night', 'midnight', 'moon', 'moonlight', 'moonlit', 'star', 'stars', 'starry', 'galaxy', 'space', 'dark', 'nocturnal'],
  sunset: ['sunset', 'sunrise', 'dawn', 'dusk', 'evening', 'twilight', 'golden', 'fire', 'autumn', 'warm'],
  day: ['day', 'sunny', 'noon', 'morning', 'bright', 'summer', 'spring', 'sky', 'clear', 'daylight'],
};

const TERRAIN_WORDS: Record<Terrain, readonly string[]> = {
  mountains: ['mountain', 'mountains', 'peak', 'peaks', 'alps', 'cliff', 'volcano', 'summit', 'rocky', 'ridge'],
  hills: ['hill', 'hills', 'meadow', 'field', 'fields', 'valley', 'countryside', 'farm', 'grass', 'prairie'],
  dunes: ['desert', 'dune', 'dunes', 'sand', 'sahara', 'canyon', 'arid'],
  city: ['city', 'town', 'skyline', 'building', 'buildings', 'street', 'tower', 'towers', 'urban', 'downtown', 'skyscraper'],
  forest: ['forest', 'tree', 'trees', 'woods', 'jungle', 'pine', 'pines', 'woodland', 'grove'],
};

const WATER_WORDS = ['ocean', 'sea', 'lake', 'river', 'water', 'beach', 'wave', 'waves', 'harbor', 'harbour', 'bay', 'coast', 'pond'];
const SNOW_WORDS = ['snow', 'snowy', 'winter', 'ice', 'icy', 'frozen', 'arctic', 'glacier', 'frost'];
const CLOUD_WORDS = ['cloud', 'clouds', 'cloudy', 'storm', 'overcast', 'rain', 'fog', 'mist'];
const CLEAR_WORDS = ['cloudless', 'clear'];

const HUES: Record<string, number> = {
  red: 0,
  crimson: 348,
  scarlet: 5,
  orange: 28,
  amber: 40,
  gold: 46,
  yellow: 55,
  lime: 90,
  green: 120,
  emerald: 140,
  mint: 150,
  teal: 175,
  turquoise: 172,
  cyan: 186,
  azure: 205,
  blue: 220,
  navy: 232,
  indigo: 250,
  violet: 272,
  purple: 282,
  lavender: 270,
  magenta: 305,
  pink: 330,
  rose: 340,
  brown: 25,
};

function firstMatch<K extends string>(words: readonly string[], table: Record<K, readonly string[]>): K | null {
  for (const word of words) {
    for (const key of Object.keys(table) as K[]) if (table[key].includes(word)) return key;
  }
  return null;
}

export function readPrompt(prompt: string): PromptTheme {
  const words = prompt.toLowerCase().match(/[a-z]+/g) ?? [];
  const has = (list: readonly string[]) => words.some((word) => list.includes(word));
  return {
    time: firstMatch(words, TIME_WORDS),
    terrain: firstMatch(words, TERRAIN_WORDS),
    water: has(WATER_WORDS),
    snow: has(SNOW_WORDS),
    clouds: has(CLOUD_WORDS) ? true : has(CLEAR_WORDS) ? false : null,
    hues: words.flatMap((word) => (word in HUES ? [HUES[word] ?? 0] : [])),
  };
}
